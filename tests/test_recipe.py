"""The recipe: schema defaults, strict validation, messages with key paths, overrides, YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlwb.errors import ExitCode, RecipeError, UsageError
from mlwb.recipe import apply_overrides, load_recipe, recipe_from_mapping, resolved_yaml
from mlwb.recipe.loading import read_recipe_file
from mlwb.recipe.params import FloatRange, IntRange, LogUniformRange
from mlwb.recipe.yaml_loader import YamlProblem, load_yaml

RECIPES = Path(__file__).resolve().parent.parent / "recipes"


def error_of(data: dict) -> RecipeError:
    with pytest.raises(RecipeError) as caught:
        recipe_from_mapping(data)
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value


def test_smallest_recipe_is_the_target():
    recipe = recipe_from_mapping({"target": "y"})
    assert recipe.target == "y"
    assert recipe.validation.outer.folds == 5
    assert recipe.seed == 0 and recipe.n_jobs == -1
    assert recipe.task is None and recipe.models is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"target": "y", "modles": {}}, "modles: unknown key; did you mean models?"),
        (
            {"target": "y", "validation": {"outer": {"fols": 5}}},
            "validation.outer.fols: unknown key; did you mean folds?",
        ),
        (
            {"target": "y", "preprocess": {"numeric": {"scael": "standard"}}},
            "preprocess.numeric.scael: unknown key; did you mean scale?",
        ),
        (
            {"target": "y", "models": {"xgbost": {}}},
            "models.xgbost: unknown model; did you mean xgboost?",
        ),
        (
            {"target": "y", "models": {"random_forst": {}}},
            "models.random_forst: unknown model; did you mean random_forest?",
        ),
        ({"target": "y", "task": "binay"}, "task: 'binay' is not one of"),
        (
            {"target": "y", "validation": {"outer": {"folds": "5"}}},
            "validation.outer.folds: expected an integer, got '5' (str); remove the quotes",
        ),
        ({"target": "y", "seed": 1.5}, "seed: expected an integer, got 1.5"),
        ({"target": "y", "seed": True}, "seed: expected an integer, got True"),
        ({"target": "y", "validation": {"outer": {"folds": 1}}}, "validation.outer.folds:"),
        ({"target": "y", "n_jobs": 0}, "n_jobs: n_jobs must be a positive number"),
        (
            {"target": "y", "features": {"selct": "anova"}},
            "features.selct: unknown key; did you mean select?",
        ),
        ({}, "target: required key is missing"),
        (
            {"target": "y", "metrics": ["roc_auc", "rocauc"]},
            "metrics[1]: unknown metric 'rocauc'; did you mean roc_auc?",
        ),
        (
            {"target": "y", "columns": {"drop": ["a"], "categorical": ["a"]}},
            "columns.categorical: 'a' is also listed in columns.drop",
        ),
        ({"target": "y", "columns": {"drop": ["y"]}}, "'y' is the target"),
        (
            {"target": "y", "models": {"random_forest": {"max_depth": {"int": [8, 2]}}}},
            "models.random_forest.max_depth: int range needs low < high",
        ),
        (
            {"target": "y", "models": {"random_forest": {"max_depth": {"integer": [2, 8]}}}},
            "models.random_forest.max_depth: expected a value, a list of choices",
        ),
        ({"target": "y", "models": {}}, "models: lists no model"),
        ({"target": "y", "seed": float("inf")}, "seed:"),
    ],
)
def test_errors_name_the_key_path(data, expected):
    error = error_of(data)
    assert expected in str(error)


def test_several_problems_are_all_reported():
    error = error_of({"target": "y", "sed": 1, "validation": {"outer": {"folds": "x"}}})
    lines = [str(error), *error.details]
    assert any("sed: unknown key; did you mean seed?" in line for line in lines)
    assert any("validation.outer.folds" in line for line in lines)


def test_search_space_syntax_is_typed():
    recipe = recipe_from_mapping(
        {
            "target": "y",
            "models": {"random_forest": {"n_estimators": 100, "max_features": "sqrt"}},
        }
    )
    assert recipe.models == {"random_forest": {"n_estimators": 100, "max_features": "sqrt"}}
    assert IntRange.model_validate({"int": [2, 8], "step": 2}).bounds == (2.0, 8.0)
    assert FloatRange.model_validate({"float": [0.1, 0.9]}).is_finite is False
    assert LogUniformRange.model_validate({"log_uniform": [1e-3, 1e3], "points": 7}).is_finite


def test_overrides_set_nested_keys_with_yaml_values():
    data = {"target": "y", "validation": {"outer": {"folds": 5}}}
    result = apply_overrides(
        data,
        [
            "validation.outer.folds=10",
            "metrics=[roc_auc, f1]",
            "models.random_forest.max_depth=3",
            "positive=no",
            "search.timeout=",
        ],
    )
    assert result["validation"]["outer"]["folds"] == 10
    assert result["metrics"] == ["roc_auc", "f1"]
    assert result["models"] == {"random_forest": {"max_depth": 3}}
    assert result["positive"] == "no"  # YAML 1.2: 'no' stays a string
    assert result["search"]["timeout"] is None
    assert data["validation"]["outer"]["folds"] == 5  # the original is untouched


@pytest.mark.parametrize("bad", ["seed", "=3", "seed.x=1", "a..b=1", "metrics=[1,"])
def test_bad_overrides_are_usage_errors(bad):
    with pytest.raises(UsageError) as caught:
        apply_overrides({"target": "y", "seed": 0}, [bad])
    assert bad in str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE


def test_override_with_wrong_type_names_the_key(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("target: y\n")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, ["validation.outer.folds=many"])
    assert "validation.outer.folds: expected an integer, got 'many'" in str(caught.value)


def test_yaml_12_scalars():
    data = load_yaml("a: no\nb: off\nc: 1e-3\nd: 12:30\ne: true\nf: 007\ng: 2024-01-01\nh: ~\n")
    assert data == {
        "a": "no",
        "b": "off",
        "c": 0.001,
        "d": "12:30",
        "e": True,
        "f": "007",
        "g": "2024-01-01",
        "h": None,
    }


def test_duplicate_keys_are_refused_with_their_line():
    with pytest.raises(YamlProblem) as caught:
        load_yaml("target: a\nseed: 1\ntarget: b\n")
    assert caught.value.line == 3
    assert "duplicate key 'target' (first on line 1)" in str(caught.value)


def test_alias_bombs_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    with pytest.raises(YamlProblem, match="expands to more than"):
        load_yaml("\n".join(lines))


def test_merge_keys_still_work():
    assert load_yaml("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n")["m"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "recipe is empty"),
        ("- target: y\n", "a recipe is a mapping of keys"),
        ("target: [y\n", "invalid YAML"),
        ("target: y\ntarget: z\n", ":2: duplicate key 'target'"),
    ],
)
def test_unreadable_recipe_files(tmp_path, content, expected):
    path = tmp_path / "r.yaml"
    path.write_text(content)
    with pytest.raises(RecipeError, match=expected.replace("[", r"\[")):
        read_recipe_file(path)


def test_missing_recipe_file(tmp_path):
    with pytest.raises(UsageError, match="recipe file not found"):
        read_recipe_file(tmp_path / "nope.yaml")


def test_name_defaults_to_file_stem(tmp_path):
    path = tmp_path / "credit-risk.yaml"
    path.write_text("target: y\n")
    assert load_recipe(path).name == "credit-risk"


@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_recipes_round_trip(path):
    recipe = load_recipe(path)
    again = recipe_from_mapping(yaml.safe_load(resolved_yaml(recipe)))
    assert again == recipe


labels = st.one_of(st.text(min_size=1, max_size=12), st.integers(-5, 5), st.booleans())


@settings(max_examples=60, deadline=None)
@given(
    target=st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s and s),
    positive=st.one_of(st.none(), labels),
    folds=st.integers(2, 20),
    seed=st.integers(0, 2**31),
    drop=st.lists(st.text(min_size=1, max_size=8), max_size=3, unique=True),
    fill=st.floats(allow_nan=False, allow_infinity=False, width=32),
)
def test_resolved_yaml_round_trips(target, positive, folds, seed, drop, fill):
    drop = [d for d in drop if d != target]
    data = {
        "target": target,
        "positive": positive,
        "seed": seed,
        "columns": {"drop": drop},
        "validation": {"outer": {"folds": folds}},
        "preprocess": {"numeric": {"fill_value": fill}},
    }
    recipe = recipe_from_mapping(data)
    text = resolved_yaml(recipe)
    # The resolved file is read back with mlwb's own (YAML 1.2) loader.
    assert recipe_from_mapping(load_yaml(text)) == recipe


def test_a_search_space_without_a_strategy_is_refused():
    error = error_of({"target": "y", "models": {"random_forest": {"max_depth": [2, 4]}}})
    assert "models.random_forest.max_depth: a list or range is a search space" in str(error)
    assert "search.strategy" in str(error)


# --- nesting limits -------------------------------------------------------------------------


def test_yaml_nesting_up_to_the_limit_is_read_and_beyond_it_refused_with_the_line():
    from mlwb.recipe.yaml_loader import MAX_DEPTH, nesting_depth

    inside = MAX_DEPTH - 1  # lists around one scalar: MAX_DEPTH levels in all
    assert nesting_depth(load_yaml("[" * inside + "1" + "]" * inside)) == MAX_DEPTH
    with pytest.raises(YamlProblem, match="nested more than 50 levels deep") as info:
        load_yaml("a: 1\nb: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH)
    assert info.value.line == 2


def test_deep_python_mapping_is_a_recipe_error():
    value: dict = {}
    for _ in range(5000):
        value = {"a": value}
    with pytest.raises(RecipeError, match="nested more than 50 levels deep") as info:
        recipe_from_mapping({"target": "y", "models": value})
    assert info.value.exit_code == ExitCode.USAGE


def test_self_referencing_python_mapping_is_a_recipe_error():
    data: dict = {"target": "y"}
    data["models"] = data
    with pytest.raises(RecipeError, match="nested more than 50 levels deep"):
        recipe_from_mapping(data)
