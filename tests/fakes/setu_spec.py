"""Setu's ONDC OpenAPI spec ([S] in setu-ondc.md): operation lookup and request validation."""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft7Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

# The same e-mail and URL rules the local gateway applies (setu-ondc.md §6, §7), so "valid" means
# one thing across the project.
from bot.gateways.local import _email, _uri

# The spec lives in the shared docs beside the repo (CI checks out ../shared too), and a
# byte-identical copy sits here so these tests never depend on ../shared.
SHARED_SPEC_PATH = Path(__file__).resolve().parents[3] / "shared/api/setu-ondc-openapi.json"
SPEC_PATH = Path(__file__).with_name("setu-ondc-openapi.json")
SPEC_SHA256 = "76c9ffbe0d217c0d48ae57d2daac437ca2ffbcf31e5bd1dbb0d19734f8648d12"

_SPEC_URI = "urn:setu-ondc-openapi"
# §7.2: code generation left "<class '...Config'>" in five enums; no real server means it.
_JUNK_ENUM_PREFIX = "<class '"

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class SpecError:
    """One FastAPI-style validation error: where (`loc`), why (`msg`) and pydantic v1's `type`."""

    loc: Loc
    msg: str
    type: str

    def as_detail(self) -> dict[str, Any]:
        """The item of FastAPI's 422 `detail` list (setu-ondc.md §4)."""
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}

    def __str__(self) -> str:
        return f"{'.'.join(str(part) for part in self.loc)}: {self.msg} ({self.type})"


@dataclass(frozen=True)
class Operation:
    """An operation of the spec matched against a concrete path."""

    method: str  # upper case
    template: str  # e.g. "/api/sellers/{setu_seller_id}"
    params: dict[str, str]  # path parameters, as strings
    spec: dict[str, Any]  # the OpenAPI operation object

    @property
    def request_schema(self) -> dict[str, Any] | None:
        """The JSON request-body schema, or None if the operation takes no body."""
        content = self.spec.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return schema if isinstance(schema, dict) else None


def _strip_junk_enums(node: Any) -> None:
    """Removes the §7.2 junk enum values in place, so they are rejected like any other string."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if isinstance(enum, list):
            node["enum"] = [
                v for v in enum if not (isinstance(v, str) and v.startswith(_JUNK_ENUM_PREFIX))
            ]
        for value in node.values():
            _strip_junk_enums(value)
    elif isinstance(node, list):
        for value in node:
            _strip_junk_enums(value)


@cache
def _raw_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_bytes())
    _strip_junk_enums(spec)
    return spec


def load_spec() -> dict[str, Any]:
    """A fresh copy of the spec (junk enum values removed); callers may change it freely."""
    return copy.deepcopy(_raw_spec())


# ---------------------------------------------------------------------------------------------
# Formats. jsonschema only checks the formats it is given; these follow pydantic v1, which Setu's
# server runs (setu-ondc.md, "OpenAPI spec"): UUID accepts any form uuid.UUID parses, e-mail is
# email-validator, and uri is HttpUrl (http/https, a host with a TLD or an IP, ≤ 2083 chars).

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    if isinstance(value, str):
        uuid.UUID(value)
    return True


@_FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or not _email("", value)


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or not _uri("", value)


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(_raw_spec(), default_specification=DRAFT7)
    return Registry().with_resource(_SPEC_URI, resource)


def _pattern_from_start(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    # pydantic v1 checks `pattern` with re.match, anchored at the start only (setu-ondc.md,
    # "OpenAPI spec"); JSON Schema would search anywhere, letting "xxAAPFU0939F" pass as a PAN.
    if isinstance(instance, str) and not re.match(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_SetuValidator = validators.extend(Draft7Validator, {"pattern": _pattern_from_start})


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator(pointer: str) -> Any:
    # A $ref into the whole spec, so the schema's own "#/components/..." refs resolve in it.
    # OpenAPI 3.0 schemas are close to Draft 7 (a $ref's siblings are ignored in both).
    schema = {"$ref": f"{_SPEC_URI}#/{pointer}"}
    return _SetuValidator(schema, registry=_registry(), format_checker=_FORMATS)


# pydantic v1's wording, which FastAPI puts in its 422s (setu-ondc.md §4).
_TYPE_ERRORS = {
    "string": ("str type expected", "type_error.str"),
    "integer": ("value is not a valid integer", "type_error.integer"),
    "number": ("value is not a valid float", "type_error.float"),
    "boolean": ("value could not be parsed to a boolean", "type_error.bool"),
    "array": ("value is not a valid list", "type_error.list"),
    "object": ("value is not a valid dict", "type_error.dict"),
}
_FORMAT_ERRORS = {
    "uuid": ("value is not a valid uuid", "type_error.uuid"),
    "email": ("value is not a valid email address", "value_error.email"),
    "uri": ("invalid or missing URL scheme", "value_error.url"),
}


def _spec_errors(error: ValidationError, prefix: Loc) -> list[SpecError]:
    loc: Loc = (*prefix, *error.absolute_path)
    keyword = error.validator
    if keyword == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        return [
            SpecError((*loc, name), "field required", "value_error.missing")
            for name in error.validator_value
            if name not in instance
        ]
    if keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return [
            SpecError((*loc, name), "extra fields not permitted", "value_error.extra")
            for name in error.instance
            if name not in known
        ]
    if keyword == "type":
        if error.instance is None:
            return [SpecError(loc, "none is not an allowed value", "type_error.none.not_allowed")]
        msg, kind = _TYPE_ERRORS.get(str(error.validator_value), (error.message, "type_error"))
        return [SpecError(loc, msg, kind)]
    if keyword == "enum":
        permitted = ", ".join(repr(value) for value in error.validator_value)
        return [
            SpecError(
                loc,
                f"value is not a valid enumeration member; permitted: {permitted}",
                "type_error.enum",
            )
        ]
    if keyword == "pattern":
        return [
            SpecError(
                loc,
                f'string does not match regex "{error.validator_value}"',
                "value_error.str.regex",
            )
        ]
    if keyword == "format":
        msg, kind = _FORMAT_ERRORS.get(str(error.validator_value), (error.message, "value_error"))
        return [SpecError(loc, msg, kind)]
    if keyword in ("maxLength", "minLength"):
        which = "max" if keyword == "maxLength" else "min"
        return [SpecError(loc, error.message, f"value_error.any_str.{which}_length")]
    return [SpecError(loc, error.message, f"value_error.{keyword}")]


def _dedupe(errors: list[SpecError]) -> list[SpecError]:
    seen: set[SpecError] = set()
    unique = []
    for error in errors:
        if error not in seen:
            seen.add(error)
            unique.append(error)
    return unique


def schema_errors(pointer: str, instance: Any, prefix: Loc = ()) -> list[SpecError]:
    """Errors of `instance` against the schema at a JSON pointer into the spec.

    `pointer` is e.g. "components/schemas/SellerDTO" (also used to check the fake's responses).
    """
    validator = _validator(pointer)
    errors: list[SpecError] = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        errors += _spec_errors(error, prefix)
    return _dedupe(errors)


def validate_schema(name: str, instance: Any) -> list[str]:
    """Errors of `instance` against components/schemas/`name`, as strings; [] if valid."""
    return [str(error) for error in schema_errors(f"components/schemas/{name}", instance)]


# ---------------------------------------------------------------------------------------------
# Operations


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(f"^{regex}$")


@cache
def _templates() -> list[tuple[str, re.Pattern[str]]]:
    return [(template, _template_regex(template)) for template in _raw_spec()["paths"]]


def path_params(template: str, path: str) -> dict[str, str] | None:
    """The parameters of `path` (no query) under `template`, or None if it does not match.

    path_params("/api/sellers/{setu_seller_id}", "/api/sellers/7") == {"setu_seller_id": "7"}
    """
    match = _template_regex(template).match(path)
    return dict(match.groupdict()) if match else None


def find_template(path: str) -> tuple[str, dict[str, str]] | None:
    """The spec path template that `path` (no query) matches, with its parameters; or None."""
    for template, regex in _templates():
        match = regex.match(path)
        if match:
            return template, dict(match.groupdict())
    return None


def find_operation(method: str, path: str) -> Operation | None:
    """The operation for `method` and `path` (a query string is ignored); None if none matches."""
    found = find_template(urlsplit(path).path)
    if found is None:
        return None
    template, params = found
    operation = _raw_spec()["paths"][template].get(method.lower())
    if operation is None:
        return None
    return Operation(method=method.upper(), template=template, params=params, spec=operation)


_INT_RE = re.compile(r"[+-]?\d+")


def _parameter_errors(operation: Operation, query: dict[str, list[str]]) -> list[SpecError]:
    errors: list[SpecError] = []
    for parameter in operation.spec.get("parameters", []):
        where, name, schema = parameter["in"], parameter["name"], parameter.get("schema", {})
        values = [operation.params[name]] if where == "path" else query.get(name, [])
        if not values:
            if parameter.get("required", where == "path"):
                errors.append(SpecError((where, name), "field required", "value_error.missing"))
            continue
        value = values[-1]  # FastAPI takes the last of repeated query values
        if schema.get("type") == "integer" and not _INT_RE.fullmatch(value.strip()):
            errors.append(SpecError((where, name), *_TYPE_ERRORS["integer"]))
        elif schema.get("format") == "uuid":
            try:
                uuid.UUID(value)
            except ValueError:
                errors.append(SpecError((where, name), *_FORMAT_ERRORS["uuid"]))
    return errors


def request_errors(method: str, path: str, body: Any) -> list[SpecError]:
    """Everything FastAPI would reject in this request, with FastAPI's `loc`s.

    `path` may carry a query string; `body` is the decoded JSON body, None for no body. An
    unknown method + path is reported as one error with loc ("path",).
    """
    operation = find_operation(method, path)
    if operation is None:
        return [SpecError(("path",), f"no operation {method.upper()} {path}", "not_found")]
    query = parse_qs(urlsplit(path).query, keep_blank_values=True)
    errors = _parameter_errors(operation, query)
    schema = operation.request_schema
    if schema is None:
        return errors
    if body is None:
        if operation.spec["requestBody"].get("required", False):
            errors.append(SpecError(("body",), "field required", "value_error.missing"))
        return errors
    pointer = _pointer(
        "paths", operation.template, method.lower(), "requestBody", "content", "application/json"
    )
    return errors + schema_errors(f"{pointer}/schema", body, ("body",))


def validate_request(method: str, path: str, body: Any) -> list[str]:
    """The request's spec violations as "loc: msg (type)" strings; [] if it is valid.

    Stricter than Setu's pydantic v1 on purpose (setu-ondc.md, "OpenAPI spec"): no coercion of
    numbers and strings and no null for optional fields, so a request that passes here passes
    Setu too. Patterns are matched at the start, as pydantic v1 does.
    """
    return [str(error) for error in request_errors(method, path, body)]
