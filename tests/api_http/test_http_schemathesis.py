"""Property-based tests of the search API against its own OpenAPI schema (schemathesis), over
HTTP to the running server: generated requests, valid and invalid, must never get a server error,
and every answer must match the schema (status code, media type, body, headers).

The schema is the app's own (`patentdesk.web.openapi.schema()`, built without a catalogue), so the
tests are generated at collection time and each call goes to the live server (schemathesis's lazy
`from_fixture` loader does not work with pytest 9). The operations covered are those of
`patentdesk.web.api` (search, publications, export, health); the service desk's operations need
accounts and data of their own and are not generated here.
"""

from __future__ import annotations

import re

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from livesite import Server
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from patentdesk.web import api
from patentdesk.web.openapi import schema as app_schema

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]
# A bound per operation keeps the run well under a minute on a small machine.
EXAMPLES = 100
# Route paths as the schema writes them: "/api/v1/publications/{number:path}" -> ".../{number}".
API_PATHS = sorted({re.sub(r":\w+}", "}", route.path)  # type: ignore[attr-defined]
                    for route in (*api.router.routes, *api.health_router.routes)})

schema = schemathesis.openapi.from_dict(app_schema()).include(path=API_PATHS)


def test_served_schema_is_the_tested_one(live: Server) -> None:
    served = httpx.get(live.url + "/openapi.json").json()
    assert served == app_schema()
    assert {"/api/v1/search", "/api/v1/publications/{number}", "/api/v1/export", "/healthz"} <= set(API_PATHS)
    assert set(API_PATHS) <= set(served["paths"])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_schema(case: schemathesis.Case, live: Server) -> None:
    case.call_and_validate(base_url=live.url, checks=CHECKS, timeout=30)
