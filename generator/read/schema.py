"""JSON Schema validation of source files, with findings at file and line.

The schemas in ``generator/schemas/`` are draft 2020-12.  Editors use the
same files (see README: editor integration); the loader uses them through
``jsonschema``.  Validators are compiled once per process.

A clean file is accepted by the compiled validator (jsonschema-rs) alone;
``jsonschema`` (a tenth of a second to import) is imported only to explain a
file that the compiled validator rejects.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache

from ..common.findings import Finding, Location, close_hint, error, texts
from ..common.resources import SCHEMAS
from .yamlsrc import Positions

SCHEMA_DIR = SCHEMAS
BASE = "https://manual-as-code.invalid/schemas/"
KINDS = ("manual", "roles", "people", "document", "form", "distribution")


@lru_cache(maxsize=None)
def _registry():
    from referencing import Registry, Resource

    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE + path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def validator(kind: str):
    import jsonschema

    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.Draft202012Validator
    return cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)


@lru_cache(maxsize=None)
def _schema_files() -> tuple:
    """((file name, parsed schema), ...) of every schema, read once."""
    return tuple((path.name, json.loads(path.read_text(encoding="utf-8")))
                 for path in sorted(SCHEMA_DIR.glob("*.schema.json")))


@lru_cache(maxsize=None)
def fast_validator(kind: str):
    """A compiled (Rust) validator of the same schema, used as a fast path.

    Clean files, nearly all of them, are accepted by it at a fraction of the
    cost; only a file it rejects goes through ``jsonschema`` for the detailed,
    located explanation.  Returns None where jsonschema-rs is not installed.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    resources = [(BASE + name, contents) for name, contents in _schema_files()]
    schema = dict(_schema_files())[f"{kind}.schema.json"]
    return jsonschema_rs.validator_for(schema, registry=jsonschema_rs.Registry(resources), validate_formats=True)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value):
    """YAML data as JSON data: dates become ISO strings."""
    cls = value.__class__
    if cls is dict:
        return {k: v if v.__class__ in _PLAIN else jsonable(v) for k, v in value.items()}
    if cls is list:
        return [v if v.__class__ in _PLAIN else jsonable(v) for v in value]
    if cls in _PLAIN:
        return value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _where(path) -> str:
    return ".".join(str(p) for p in path) or "(top)"


def validate(kind: str, data, positions: Positions, path: str) -> list[Finding]:
    """Schema findings for one source file."""
    findings: list[Finding] = []
    instance = jsonable(data)
    fast = fast_validator(kind)
    if fast is not None and fast.is_valid(instance):
        return findings
    schema_validator = validator(kind)
    for err in sorted(schema_validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        findings.extend(_explain(err, data, positions, path))
    return findings


def _loc(positions: Positions, path_rel: str, keys) -> Location:
    line, col = positions.at(tuple(keys))
    return Location(path_rel, line, col)


def _explain(err, data, positions: Positions, path: str) -> list[Finding]:
    keys = list(err.absolute_path)
    where = _where(keys)
    v = err.validator
    at = _loc(positions, path, keys)
    if v == "additionalProperties":
        allowed = sorted((err.schema.get("properties") or {}).keys())
        out = []
        for extra in sorted(set(err.instance) - set(allowed), key=str):
            hint = close_hint(extra, allowed, cutoff=0.6) or texts("schema-allowed-keys", keys=", ".join(allowed))
            out.append(error("schema", _loc(positions, path, keys + [extra]), "schema-unknown-key", key=extra,
                             where=where, hint=hint))
        return out
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return [error("schema", at, "schema-required", key=missing, where=where)]
    if v == "type":
        got = type(_value_at(data, keys)).__name__
        quote = texts("schema-type-quote") if err.validator_value == "string" and got in ("float", "int") else ""
        return [error("schema", at, "schema-type", where=where, expected=err.validator_value, got=got, hint=quote)]
    if v == "format" and err.validator_value == "date":
        written = isinstance(err.instance, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", err.instance)
        return [error("schema", at, "schema-date-impossible" if written else "schema-date", where=where,
                      value=err.instance)]
    if v == "enum":
        return [error("schema", at, "schema-enum", where=where, value=err.instance,
                      allowed=", ".join(map(str, err.validator_value)))]
    if v == "pattern" and isinstance(err.schema, dict) and err.schema.get("x-words"):  # the pattern said in words
        return [error("schema", at, "schema-pattern-words", where=where, value=err.instance,
                      words=texts(f"schema-words-{err.schema['x-words']}"))]
    if v == "pattern":
        return [error("schema", at, "schema-pattern", where=where, value=err.instance, pattern=err.validator_value)]
    return [error("schema", at, "schema-other", where=where, message=err.message)]


def _value_at(data, keys):
    for k in keys:
        try:
            data = data[k]
        except (KeyError, IndexError, TypeError):
            return None
    return data
