"""What a run leaves on disk: the run folder (written atomically, replaced only when mlwb
wrote it) and the saved model (safe to load by default, checked before it is used)."""

from mlwb.artifacts.allowed_types import ALLOWED_TYPES
from mlwb.artifacts.environment import package_versions
from mlwb.artifacts.formats import (
    MODEL_FILES,
    MODEL_FORMATS,
    ModelFormat,
    decode_skops,
    encode_model,
)
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
from mlwb.artifacts.signing import MODEL_KEY_ENV, SIGNATURE_FILE, model_key

__all__ = [
    "ALLOWED_TYPES",
    "MODEL_FILE",
    "MODEL_FILES",
    "MODEL_FORMATS",
    "MODEL_KEY_ENV",
    "MODEL_META",
    "SIGNATURE_FILE",
    "ModelFormat",
    "RunFolder",
    "SavedModel",
    "check_output_dir",
    "decode_skops",
    "default_run_dir",
    "encode_model",
    "is_run_folder",
    "load_model",
    "model_key",
    "package_versions",
    "save_model",
    "sha256_of",
    "sweep_stale",
    "utc_stamp",
]
