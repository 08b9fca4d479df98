"""``mlwb schema``: a valid JSON Schema that accepts every shipped recipe."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import RECIPES, run_cli

from mlwb.recipe.yaml_loader import load_yaml


@pytest.fixture(scope="module")
def schema() -> dict:
    result = run_cli("schema")
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_schema_is_valid_json_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["properties"]["target"]["description"]


@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_every_shipped_recipe(schema, path):
    document = load_yaml(path.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize(
    "document",
    [
        {"target": "y", "modles": {}},  # a misspelt key
        {"target": "y", "validation": {"outer": {"folds": 1}}},  # below the minimum
        {"target": "y", "seed": "zero"},  # a wrong type
        {"target": "y", "validation": {"holdout": 0}},  # exclusive bound (gt)
    ],
)
def test_schema_rejects_what_the_recipe_rejects(schema, document):
    from mlwb.recipe import recipe_from_mapping

    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    with pytest.raises(Exception):  # noqa: B017 - the recipe loader refuses it as well
        recipe_from_mapping(document)


def test_schema_out_writes_a_file(tmp_path):
    out = tmp_path / "mlwb.schema.json"
    result = run_cli("schema", "--out", out)
    assert result.exit_code == 0
    assert json.loads(out.read_text())["title"] == "mlwb recipe"
