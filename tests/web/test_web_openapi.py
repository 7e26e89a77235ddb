"""The checked-in openapi.json is the app's schema, and the schema documents our error shape."""

from __future__ import annotations

import json
from pathlib import Path

from patentdesk.web.openapi import dumps, schema

CHECKED_IN = Path(__file__).resolve().parents[2] / "openapi.json"
REGENERATE = "python -m patentdesk.web.openapi openapi.json"
DESK_PATHS = tuple(f"/api/v1/{p}" for p in ("auth/", "requests", "cases", "collections", "saved-searches", "watches",
                                            "admin/", "learning/"))


def test_checked_in_schema_is_up_to_date():
    assert CHECKED_IN.read_text(encoding="utf-8") == dumps(schema()), f"openapi.json is stale; run: {REGENERATE}"


def test_served_schema_is_the_checked_in_one(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    assert r.json() == json.loads(CHECKED_IN.read_text(encoding="utf-8"))


def test_schema_covers_the_api_and_only_the_api():
    s = schema()
    catalogue = [p for p in s["paths"] if not p.startswith(DESK_PATHS)]
    assert sorted(catalogue) == ["/api/v1/analyze", "/api/v1/classification/{symbol}", "/api/v1/export",
                                 "/api/v1/publications/{number}", "/api/v1/publications/{number}/similar",
                                 "/api/v1/search", "/healthz"]
    # the service desk's routes (tests/desk/test_desk_authz.py checks each one) are all under /api/v1
    assert len(s["paths"]) > len(catalogue)
    comps = s["components"]["schemas"]
    assert "HTTPValidationError" not in comps
    assert set(comps["ErrorDetail"]["properties"]) == {"code", "message", "position", "hint"}
    search = s["paths"]["/api/v1/search"]["get"]
    limit = next(p for p in search["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100
    for status in ("400", "422", "429", "503"):
        ref = search["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/ErrorResponse"
    assert set(comps["Publication"]["properties"]) >= {"number", "texts", "parties", "classifications",
                                                        "citations", "provenance"}
