"""JSON Schemas for the YAML files, generated from the models that validate them.

Editors with a YAML language server validate and complete while typing when a
file starts with `# yaml-language-server: $schema=<path>`; the shipped files do.
The schemas are never edited by hand: `fiche schema` writes them again, and a
test fails when the shipped ones differ from what the models say.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from fiche.core.atomic import write_atomic
from fiche.core.errors import io_errors
from fiche.model.content import FicheDef, LanguageFile
from fiche.model.layout import Layout
from fiche.model.school import School

MODELS: dict[str, type[BaseModel]] = {
    "fiche": FicheDef,
    "content": LanguageFile,
    "layout": Layout,
    "school": School,
}


def schemas() -> dict[str, dict]:
    """File name -> schema; a layout base (`_name.yaml`) gets the layout schema without
    required keys, since it is completed by the layouts that extend it."""
    out = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"fiche {name} file",
            **schema,
        }
        out[f"{name}.schema.json"] = schema
    base = json.loads(json.dumps(out["layout.schema.json"]))
    base.pop("required", None)
    base["title"] = "fiche layout base (extended by other layouts)"
    out["layout-base.schema.json"] = base
    return out


def render_schemas() -> dict[str, bytes]:
    return {
        name: (json.dumps(s, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
        for name, s in schemas().items()
    }


def write_schemas(folder: Path) -> list[Path]:

    paths = []
    for name, data in render_schemas().items():
        with io_errors(folder / name):
            write_atomic(folder / name, data)
        paths.append(folder / name)
    return paths
