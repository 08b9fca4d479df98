"""Data: CSV reading, column roles, the target, and the data contract."""

from mlwb.data.contract import ColumnContract, DataContract
from mlwb.data.dataset import Dataset, dataset_from_table, load_dataset
from mlwb.data.reading import RawTable, read_table
from mlwb.data.roles import ColumnRole, ColumnRoles, infer_roles

__all__ = [
    "ColumnContract",
    "ColumnRole",
    "ColumnRoles",
    "DataContract",
    "Dataset",
    "RawTable",
    "dataset_from_table",
    "infer_roles",
    "load_dataset",
    "read_table",
]
