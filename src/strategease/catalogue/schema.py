"""The JSON Schema of catalogue files, from the Pydantic models (scopes: :mod:`strategease.selection.scope`)."""

from __future__ import annotations

import json

from strategease.catalogue.models import CatalogueFile


def catalogue_schema() -> dict[str, object]:
    schema = CatalogueFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "strategease catalogue file"
    return schema


def catalogue_schema_text() -> str:
    return json.dumps(catalogue_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
