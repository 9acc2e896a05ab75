"""JSON Schemas of catalogue and scope files, generated from the Pydantic models."""

from __future__ import annotations

import json

from strategease.models import CatalogueFile


def catalogue_schema() -> dict[str, object]:
    schema = CatalogueFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "strategease catalogue file"
    return schema


def catalogue_schema_text() -> str:
    return json.dumps(catalogue_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def scope_schema() -> dict[str, object]:
    """The schema of a scope file, for editors (yaml-language-server) and check-jsonschema. Ids are
    checked against the catalogue only by ``strategease check``: a schema cannot know a layer's ids."""
    from strategease.scope import Scope

    schema = Scope.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "strategease scope file"
    return schema


def scope_schema_text() -> str:
    return json.dumps(scope_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
