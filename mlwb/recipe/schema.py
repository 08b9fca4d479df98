"""The typed recipe: pydantic v2 models for every key of DESIGN.md's recipe section.

Every model forbids unknown keys and validates strictly (a string never passes as a
number, ``inf``/``nan`` are refused), so a typo is an error, not a silently ignored
setting. Every field has a default, so the smallest recipe is ``target: y``, and a
``description`` that ``mlwb schema`` exports for editor completion.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from mlwb.recipe.params import ParamValue
from mlwb.tasks import Task

Label = StrictStr | StrictInt | StrictFloat | StrictBool
Number = StrictInt | StrictFloat
PositiveNumber = Annotated[StrictInt | StrictFloat, Field(gt=0, allow_inf_nan=False)]
RECIPE_VERSION = 1


class Section(BaseModel):
    """Base for every recipe section: strict, closed, immutable."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, frozen=True, populate_by_name=True
    )


class Columns(Section):
    """Column roles forced by the user; every other column's role is inferred."""

    drop: list[StrictStr] = Field([], description="Columns to ignore entirely.")
    categorical: list[StrictStr] = Field([], description="Columns to treat as categorical.")
    numeric: list[StrictStr] = Field([], description="Columns to treat as numeric.")
    ordinal: dict[StrictStr, list[Label]] = Field(
        {}, description="Ordered categorical columns: column -> its levels, lowest first."
    )
    datetime: list[StrictStr] = Field(
        [],
        description="Columns of ISO 8601 dates (YYYY-MM-DD, a time may follow); the model "
        "gets their parts as numbers. Inferred for text that is mostly such dates.",
    )
    group: StrictStr | None = Field(
        None, description="Rows sharing a value of this column never straddle train and test."
    )
    time: StrictStr | None = Field(None, description="Rows are split in the order of this column.")


NumericImpute = Literal[
    "auto", "mean", "median", "most_frequent", "constant", "knn", "iterative", "none"
]
Scale = Literal["auto", "standard", "minmax", "robust", "maxabs", "quantile", "power", "none"]
CategoricalEncode = Literal["auto", "onehot", "ordinal", "target", "frequency", "native"]


class NumericPreprocess(Section):
    """Treatment of numeric columns."""

    impute: NumericImpute = Field(
        "auto",
        description="How missing numeric values are filled; auto: median, or none for models "
        "that handle missing values themselves (boosting).",
    )
    fill_value: Number = Field(0, description="The value used by impute: constant.")
    scale: Scale = Field(
        "auto", description="Scaler; auto scales for linear, SVM and KNN models, not for trees."
    )
    log: list[StrictStr] = Field([], description="Columns transformed with log1p (right-skewed).")
    bin: dict[StrictStr, Annotated[StrictInt, Field(ge=2)]] = Field(
        {}, description="Columns cut into this many bins (KBinsDiscretizer)."
    )
    bin_strategy: Literal["quantile", "uniform"] = Field("quantile", description="Bin edges.")
    bin_encode: Literal["onehot", "ordinal"] = Field("onehot", description="Output of binning.")
    missing_indicator: StrictBool = Field(
        True, description="Add a 0/1 column for each numeric column that had missing values."
    )


class HighCardinality(Section):
    """A different encoder for categorical columns with many levels."""

    above: StrictInt = Field(50, ge=2, description="Columns with more levels than this.")
    encode: Literal["target", "frequency"] = Field("target", description="Their encoder.")


class CategoricalPreprocess(Section):
    """Treatment of categorical columns."""

    impute: Literal["most_frequent", "constant"] = Field(
        "constant", description="constant adds a 'missing' level; most_frequent fills the mode."
    )
    encode: CategoricalEncode = Field(
        "auto",
        description="auto: one-hot for linear models, native for LightGBM/CatBoost, "
        "ordinal for other trees.",
    )
    drop_first: StrictBool | Literal["auto"] = Field(
        "auto", description="Drop one one-hot level (auto: for unregularised linear models)."
    )
    max_categories: StrictInt | None = Field(
        20, ge=2, description="One-hot keeps at most this many levels; rarer ones are pooled."
    )
    min_frequency: StrictInt | StrictFloat | None = Field(
        None, gt=0, description="Levels rarer than this (count, or share if < 1) are pooled."
    )
    high_cardinality: HighCardinality | None = Field(
        None, description="Switch encoder for columns with many levels."
    )


class ColumnOverride(Section):
    """Per-column settings that win over the numeric/categorical defaults."""

    impute: NumericImpute | None = Field(
        None,
        description="Numeric: an imputer of preprocess.numeric.impute; categorical: "
        "most_frequent or constant.",
    )
    scale: Scale | None = None
    log: StrictBool | None = None
    bin: Annotated[StrictInt, Field(ge=2)] | None = None
    encode: CategoricalEncode | None = None


class Preprocess(Section):
    """Preprocessing of feature columns, chosen per model family unless set here."""

    numeric: NumericPreprocess = NumericPreprocess()
    categorical: CategoricalPreprocess = CategoricalPreprocess()
    columns: dict[StrictStr, ColumnOverride] = Field({}, description="Per-column overrides.")


ImbalanceMethod = Literal[
    "none",
    "class_weight",
    "smote",
    "smotenc",
    "borderline_smote",
    "adasyn",
    "svm_smote",
    "random_over",
    "random_under",
    "near_miss",
    "tomek",
    "smote_tomek",
    "smote_enn",
]


class Imbalance(Section):
    """Handling of imbalanced classes, always inside training folds only."""

    method: ImbalanceMethod = Field("none", description="Sampler or class weighting.")
    sampling_strategy: StrictStr | StrictFloat | dict[StrictStr, StrictInt] = Field(
        "auto", description="Passed to the sampler (imbalanced-learn's meaning)."
    )
    k_neighbors: StrictInt | Literal["auto"] = Field(5, description="Neighbours for SMOTE-like.")
    class_weight: Literal["balanced"] | dict[StrictStr, Number] = Field(
        "balanced", description="With method: class_weight, the weights."
    )
    params: dict[StrictStr, ParamValue] = Field({}, description="Other sampler parameters.")


SelectMethod = Literal[
    "none",
    "variance",
    "correlation",
    "mutual_info",
    "anova",
    "chi2",
    "rfe",
    "rfecv",
    "l1",
    "model",
    "pca",
    "sequential",
]
# The methods themselves are the registry in ``mlwb.pipeline.selection``, which builds on
# this module and refuses to import when its entries and these names differ.


class FeatureSelection(Section):
    """One feature-selection step."""

    select: SelectMethod = Field(
        "none", description="Selection method ('mlwb models' describes each one)."
    )
    k: StrictInt | StrictFloat | None = Field(
        None, gt=0, description="Features to keep: a count, or a share if < 1."
    )
    threshold: Number | None = Field(None, description="Score threshold, where the method has one.")
    direction: Literal["forward", "backward"] | None = Field(
        None,
        description="select: sequential only: forward adds features one at a time, backward "
        "removes them (default forward).",
    )

    @model_validator(mode="after")
    def _direction_is_sequential(self) -> Self:
        if self.direction is not None and self.select != "sequential":
            raise ValueError(f"direction: only applies to select: sequential, not {self.select}")
        return self


def _one_or_many(value: Any) -> str:
    return "many" if isinstance(value, list) else "one"


FeatureSteps = Annotated[
    Annotated[FeatureSelection, Tag("one")] | Annotated[list[FeatureSelection], Tag("many")],
    Discriminator(_one_or_many),
]


def _model_entry_kind(value: Any) -> str:
    if value is None:
        return "defaults"
    return "members" if isinstance(value, list) else "params"


ModelEntry = Annotated[
    Annotated[dict[StrictStr, ParamValue], Tag("params")]
    | Annotated[list[StrictStr], Tag("members")]
    | Annotated[None, Tag("defaults")],
    Discriminator(_model_entry_kind),
    Field(
        description="Parameters (or a search space) for a model; a list of member models "
        "for stack and vote; null or {} for the catalogue's defaults."
    ),
]


# The names of the metric catalogue (``mlwb.metrics``), in its order, for 'mlwb schema'.
# They are spelled out because importing the catalogue would load scikit-learn into every
# recipe read; a test (tests/test_metrics.py) fails when the two differ.
METRIC_NAMES: tuple[str, ...] = (
    "accuracy",
    "balanced_accuracy",
    "specificity",
    "fbeta",
    "mcc",
    "cohen_kappa",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
    "mae",
    "mse",
    "rmse",
    "rmsle",
    "mape",
    "medae",
    "r2",
    "adjusted_r2",
    "precision",
    "precision_macro",
    "precision_micro",
    "precision_weighted",
    "recall",
    "recall_macro",
    "recall_micro",
    "recall_weighted",
    "f1",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
)

# A metric name: validated as a string, so that an unknown name gets the recipe checks'
# message with its nearest valid name ("did you mean roc_auc?") rather than pydantic's list
# of every choice; exported to ``mlwb schema`` as an enum, so that editors complete it.
MetricName = Annotated[StrictStr, WithJsonSchema({"type": "string", "enum": list(METRIC_NAMES)})]


SplitMethod = Literal[
    "auto",
    "kfold",
    "stratified_kfold",
    "repeated_kfold",
    "repeated_stratified_kfold",
    "group_kfold",
    "stratified_group_kfold",
    "time_series",
    "leave_one_out",
    "holdout",
]


class Splitter(Section):
    """A cross-validation splitter (scikit-learn's)."""

    method: SplitMethod = Field(
        "auto", description="auto: stratified k-fold for classification, k-fold for regression."
    )
    folds: StrictInt = Field(5, ge=2, description="Number of folds.")
    repeats: StrictInt = Field(1, ge=1, description="Repeats for repeated k-fold.")
    gap: StrictInt = Field(0, ge=0, description="Rows left out between train and test (time).")
    test_size: StrictFloat = Field(0.2, gt=0, lt=1, description="Test share for holdout.")
    shuffle: StrictBool = Field(True, description="Shuffle rows before k-fold splitting.")


class Validation(Section):
    """Outer (estimate) and inner (tuning) validation loops."""

    outer: Splitter = Field(Splitter(), description="Estimates performance.")
    inner: Splitter = Field(Splitter(folds=3), description="Tunes hyper-parameters.")
    holdout: StrictFloat | None = Field(
        None, gt=0, lt=1, description="Share of rows kept untouched and scored once at the end."
    )


class Search(Section):
    """Hyper-parameter search over each model's space."""

    strategy: Literal["none", "grid", "random", "bayes", "halving", "auto"] = Field(
        "none",
        description="none fits each model with its fixed parameters; auto (the default when "
        "no models are named) evaluates each model's portfolio of proven configurations on "
        "the outer folds, then Bayesian trials while the budget lasts, choosing the "
        "configuration for each fold on the other folds.",
    )
    trials: StrictInt = Field(20, gt=0, description="Trials per model (random, bayes).")
    timeout: Number | None = Field(None, gt=0, description="Seconds per model's search.")
    metric: StrictStr | None = Field(
        None,
        description="Metric optimised and used to pick the best model (default: first of metrics).",
    )
    storage: StrictStr | None = Field(
        None,
        description="Optuna storage URL, for resuming; a PostgreSQL URL "
        "(postgresql://user@host:port/db) lets several mlwb processes share each study.",
    )
    heartbeat: StrictInt = Field(
        10,
        ge=1,
        description="Seconds between a running trial's heartbeats in search.storage; a trial "
        "silent for 3 heartbeats (its process was killed) is failed and run again.",
    )
    pruning: StrictBool = Field(True, description="Prune poor Bayesian trials fold by fold.")


class Cost(Section):
    """Costs of errors for threshold tuning."""

    fp: Number = Field(1.0, ge=0, description="Cost of a false positive.")
    fn: Number = Field(1.0, ge=0, description="Cost of a false negative.")


class Threshold(Section):
    """Decision-threshold tuning for binary tasks."""

    objective: Literal["none", "f1", "fbeta", "youden", "min_precision", "min_recall", "cost"] = (
        Field("none", description="none keeps 0.5.")
    )
    beta: Number = Field(1.0, gt=0, description="Beta of F-beta.")
    value: Number | None = Field(None, gt=0, le=1, description="Constraint level.")
    cost: Cost = Cost()


class ValidationCurve(Section):
    """Score against one hyper-parameter of one model."""

    model: StrictStr
    param: StrictStr
    values: list[Label]


class VerdictRule(Section):
    """Thresholds of the bias–variance verdict, on the skill scale.

    Skill puts a score between the baseline (0, the dummy model's score) and a perfect
    score (1), so one rule serves every metric.
    """

    max_gap: StrictFloat = Field(
        0.15, gt=0, lt=1, description="A train–validation skill gap above this: high variance."
    )
    min_skill: StrictFloat = Field(
        0.35, gt=0, lt=1, description="Train and validation skill both below this: high bias."
    )
    rising: StrictFloat = Field(
        0.02,
        gt=0,
        lt=1,
        description="Validation skill gained over the last step of the curve above this: more "
        "data would help.",
    )


class Diagnostics(Section):
    """Diagnostics computed after evaluation."""

    learning_curve: StrictBool | Literal["all"] = Field(
        True, description="Learning curve of the best model (all: of each model; false: none)."
    )
    importance: Literal["none", "permutation", "model"] = Field(
        "permutation",
        description="permutation: score drop when a column is shuffled, on held-out folds (and "
        "the model's own importance); model: only the model's own; none.",
    )
    top: StrictInt = Field(15, ge=1, description="Features shown in importance tables.")
    validation_curve: ValidationCurve | None = None
    verdict: VerdictRule = VerdictRule()


class Artifacts(Section):
    """How the run's files are written."""

    format: Literal["skops", "joblib"] = Field(
        "skops",
        description="Model file format. skops: model.skops, loaded with an allow-list of the "
        "types mlwb saves (safe to load); joblib: model.joblib, a pickle for joblib.load — "
        "loading a pickle runs any code it holds, so predict and evaluate need --trust-pickle.",
    )


class Execution(Section):
    """Where folds, trials and diagnostics run."""

    backend: Literal["local", "dask", "ray"] = Field(
        "local",
        description="local: this machine's processes; dask / ray: tasks on a cluster "
        "(extras mlwb[dask], mlwb[ray]).",
    )
    address: StrictStr | None = Field(
        None,
        description="An existing scheduler (tcp://host:8786, ray://host:10001); none "
        "starts a local cluster of `workers` processes.",
    )
    workers: StrictInt | None = Field(
        None, ge=1, description="Processes of a local cluster (default: n_jobs)."
    )

    @model_validator(mode="after")
    def _address_needs_cluster(self) -> Self:
        if self.address is not None and self.backend == "local":
            raise ValueError("address: needs backend dask or ray (e.g. --backend dask)")
        return self


class Recipe(Section):
    """A complete mlwb recipe."""

    version: Literal[1] = Field(RECIPE_VERSION, description="Recipe format version.")
    name: StrictStr | None = Field(None, description="Run name (default: the recipe file's name).")
    task: Task | None = Field(None, description="Inferred from the target when omitted.")
    target: StrictStr = Field(description="The column to predict.")
    positive: Label | None = Field(
        None, description="Binary: the class of interest (default: 1/true/yes, else the rarer)."
    )
    columns: Columns = Columns()
    preprocess: Preprocess = Preprocess()
    imbalance: Imbalance = Imbalance()
    features: FeatureSteps = Field(
        FeatureSelection(), description="A feature-selection step, or a list run in order."
    )
    validation: Validation = Validation()
    search: Search = Search()
    models: dict[StrictStr, ModelEntry] | None = Field(
        None,
        description="Model name -> parameters or search space ({} = catalogue defaults). "
        "Default: a small set for the task.",
    )
    threshold: Threshold = Threshold()
    calibration: Literal["none", "sigmoid", "isotonic"] = "none"
    metrics: list[MetricName] | None = Field(
        None,
        description="Metrics shown; the first is the primary metric (default per task; "
        "'mlwb models' lists them).",
    )
    diagnostics: Diagnostics = Diagnostics()
    report: list[Literal["console", "markdown", "html"]] = Field(
        ["console", "markdown", "html"],
        description="console: tables and charts on stdout; markdown: report.md with SVG "
        "figures; html: one self-contained report.html.",
    )
    gates: dict[StrictStr, StrictStr] = Field(
        {}, description='Quality gates, e.g. {roc_auc: ">= 0.8"}; a failure exits 4.'
    )
    budget: PositiveNumber | Literal["none"] | None = Field(
        None,
        description="Seconds for the whole command (evaluation, search, ensemble, refit, "
        "diagnostics, report); the run plans its work to it and says what it cut. Default: "
        "60 when the recipe names no models, else none; none: no budget.",
    )
    ensemble: Literal["auto", "greedy", "none"] = Field(
        "auto",
        description="greedy: a weighted ensemble by greedy selection on the models' "
        "out-of-fold predictions, its estimate cross-fitted, saved when it beats the best "
        "single model; auto: greedy when the recipe names no models.",
    )
    artifacts: Artifacts = Field(Artifacts(), description="The run's files.")
    execution: Execution = Field(Execution(), description="Local processes or a cluster.")
    seed: StrictInt = Field(0, ge=0, description="Seed for every random choice.")
    n_jobs: StrictInt = Field(-1, description="Processes/threads (-1: all cores).")

    @field_validator("budget", mode="before")
    @classmethod
    def _seconds_or_none(cls, value: object) -> object:
        if value is None or value == "none":
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number of seconds, or none; got {value!r}")
        if not 0 < value < float("inf"):
            raise ValueError(f"expected a positive number of seconds, or none; got {value!r}")
        return value

    @field_validator("n_jobs")
    @classmethod
    def _nonzero_jobs(cls, value: int) -> int:
        if value == 0 or value < -1:
            raise ValueError("n_jobs must be a positive number of workers or -1 (all cores)")
        return value

    @field_validator("models")
    @classmethod
    def _known_models(
        cls, value: dict[str, dict[str, object] | None] | None
    ) -> dict[str, dict[str, object] | None] | None:
        if value is not None and not value:
            raise ValueError("lists no model; remove the key to use the defaults")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.task == "regression" and self.positive is not None:
            raise ValueError("positive: only applies to binary tasks, not regression")
        return self

    @property
    def selection_steps(self) -> list[FeatureSelection]:
        """``features`` as a list, whether one step or several were given."""
        steps = self.features if isinstance(self.features, list) else [self.features]
        return [s for s in steps if s.select != "none"]
