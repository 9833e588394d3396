"""The OpenAPI 3.1 document of the linking protocol (docs/linking.md), served at /openapi.json.

Written by hand as a plain dict rather than generated from the code: the protocol is the contract
any platform can implement, so it should read as one, not as this implementation's internals.
"""

from __future__ import annotations

from typing import Any

from okxlink.core.diagnose import CHECK_IDS
from okxlink.core.sites import SITES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_LINK_ID = {"name": "id", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": "^lnk_[A-Za-z0-9]+$"}}
_UNAUTHORIZED = _error("No or wrong bearer token (`unauthorized`).")
_NOT_FOUND = _error("No link with that id for this token (`not_found`).")

_SCHEMAS: dict[str, Any] = {
    "LinkRequest": {
        "type": "object",
        "required": ["exchange", "site", "demo", "api_key", "secret_key", "passphrase"],
        "properties": {
            "exchange": {"const": "okx"},
            "site": {"enum": list(SITES)},
            "demo": {"type": "boolean"},
            "label": {"type": ["string", "null"], "maxLength": 50},
            "api_key": {"type": "string", "minLength": 1, "writeOnly": True},
            "secret_key": {"type": "string", "minLength": 1, "writeOnly": True},
            "passphrase": {"type": "string", "minLength": 1, "writeOnly": True},
        },
    },
    "Reason": {
        "type": "object", "required": ["check", "status", "message"],
        "properties": {"check": {"enum": list(CHECK_IDS)}, "status": {"enum": ["fail", "warn"]},
                       "message": {"type": "string"}},
    },
    "Spot": {
        "type": "object", "required": ["state", "reasons"],
        "properties": {"state": {"enum": ["ready", "attention"]},
                       "reasons": {"type": "array", "items": _ref("Reason")}},
    },
    "Link": {
        "type": "object",
        "required": ["id", "exchange", "site", "demo", "label", "api_key", "created",
                     "verified_at", "spot"],
        "properties": {
            "id": {"type": "string", "pattern": "^lnk_[A-Za-z0-9]+$"},
            "exchange": {"const": "okx"},
            "site": {"enum": list(SITES)},
            "demo": {"type": "boolean"},
            "label": {"type": ["string", "null"]},
            "api_key": {"type": "string", "description": "Masked: first 4 and last 4 characters."},
            "created": {"type": "string", "format": "date-time"},
            "verified_at": {"type": "string", "format": "date-time"},
            "spot": _ref("Spot"),
        },
    },
    "LinkList": {"type": "object", "required": ["links"],
                 "properties": {"links": {"type": "array", "items": _ref("Link")}}},
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"enum": ["unauthorized", "not_found", "already_linked",
                                  "idempotency_conflict", "invalid", "internal"]},
                "message": {"type": "string"},
                "id": {"type": "string", "description": "`already_linked`: the existing link."},
                "fields": {"type": "array", "items": {"type": "string"},
                           "description": "`invalid`: the fields that are missing or malformed."},
            },
        }},
    },
}


def document(server_url: str | None = None) -> dict[str, Any]:
    """The whole document; `server_url` (the service's own base URL) goes into `servers`."""
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "okxlink linking protocol", "version": "1.0.0",
                 "description": "Link a verified OKX API key to a copy-trading platform. "
                                "See docs/linking.md."},
        "security": [{"bearer": []}],
        "paths": {
            "/v1/links": {
                "post": {
                    "operationId": "createLink", "summary": "Link a key (verified from the service)",
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                    "schema": {"type": "string", "minLength": 1, "maxLength": 255}}],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref("LinkRequest")}}},
                    "responses": {
                        "201": _json(_ref("Link"), "Linked (or the replay of an earlier answer)."),
                        "401": _UNAUTHORIZED,
                        "409": _error("`already_linked` (with `error.id`) or `idempotency_conflict`."),
                        "422": _error("`invalid`, with `error.fields`."),
                    },
                },
                "get": {
                    "operationId": "listLinks", "summary": "This token's links",
                    "responses": {"200": _json(_ref("LinkList"), "The links."),
                                  "401": _UNAUTHORIZED},
                },
            },
            "/v1/links/{id}": {
                "parameters": [_LINK_ID],
                "get": {
                    "operationId": "getLink", "summary": "One link; `refresh=true` verifies again first",
                    "parameters": [{"name": "refresh", "in": "query", "required": False,
                                    "schema": {"type": "boolean", "default": False}}],
                    "responses": {"200": _json(_ref("Link"), "The link."),
                                  "401": _UNAUTHORIZED, "404": _NOT_FOUND},
                },
                "delete": {
                    "operationId": "deleteLink", "summary": "Forget the key and its secrets",
                    "responses": {"204": {"description": "Deleted."},
                                  "401": _UNAUTHORIZED, "404": _NOT_FOUND},
                },
            },
            "/openapi.json": {
                "get": {"operationId": "openapi", "summary": "This document", "security": [],
                        "responses": {"200": {"description": "The OpenAPI document.",
                                              "content": {"application/json": {}}}}},
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _SCHEMAS,
        },
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
