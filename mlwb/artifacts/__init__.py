"""What a run leaves on disk: the run folder (written atomically, replaced only when mlwb
wrote it) and the saved model (checked before it is loaded)."""

from mlwb.artifacts.environment import package_versions
from mlwb.artifacts.model_file import (
    MODEL_FILE,
    MODEL_META,
    SavedModel,
    load_model,
    save_model,
    sha256_of,
)
from mlwb.artifacts.run_folder import (
    RunFolder,
    check_output_dir,
    default_run_dir,
    is_run_folder,
    sweep_stale,
    utc_stamp,
)

__all__ = [
    "MODEL_FILE",
    "MODEL_META",
    "RunFolder",
    "SavedModel",
    "check_output_dir",
    "default_run_dir",
    "is_run_folder",
    "load_model",
    "package_versions",
    "save_model",
    "sha256_of",
    "sweep_stale",
    "utc_stamp",
]
