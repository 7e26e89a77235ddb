"""Errors as clients see them: `{"error": {"code", "message", "position"?, "hint"?}}` under /api/
and on the service addresses, a friendly translated page on the portal. Nothing from a stack
trace ever reaches a client; unexpected errors are logged here and answered with a plain 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import PatentdeskError, QuerySyntaxError, UserError
from .middleware import apply_headers
from .render import N_, render

log = logging.getLogger("patentdesk.web")

JSON_PATHS = ("/api/", "/healthz", "/openapi.json")

_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
               413: "payload_too_large", 429: "rate_limited"}

TITLES = {
    400: N_("We could not understand that request"),
    404: N_("Page not found"),
    405: N_("That action is not available here"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
    503: N_("This part of the service is not ready"),
}


class QueryTooLong(UserError):
    code = "query_too_long"


class BadParameter(UserError):
    code = "invalid_parameter"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PATHS)


def error_body(code: str, message: str, position: int | None = None, hint: str | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if position is not None:
        err["position"] = position
    if hint:
        err["hint"] = hint
    return {"error": err}


def _respond(request: Request, status: int, code: str, message: str, *, position: int | None = None,
             hint: str | None = None) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(code, message, position, hint), status_code=status)
    title = TITLES.get(status) or TITLES[500 if status >= 500 else 400]
    return render(request, "error.html", status=status, title=title, message=message, code=code,
                  position=position, hint=hint)


async def patentdesk_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PatentdeskError)
    if exc.status == 503:  # a part of the service not ready (vectors not built): say which, no trace
        log.warning("%s on %s: %s", exc.code, request.url.path, exc)
        return _respond(request, 503, exc.code, str(exc))
    if exc.status >= 500:
        log.exception("internal error on %s", request.url.path, exc_info=exc)
        return _respond(request, 500, "internal", "internal server error")
    if isinstance(exc, QuerySyntaxError):
        return _respond(request, exc.status, exc.code, exc.message, position=exc.position, hint=exc.hint)
    return _respond(request, exc.status, exc.code, str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else "error"
    response = _respond(request, exc.status_code, code, message)
    for k, v in (exc.headers or {}).items():
        response.headers[k] = v
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for e in exc.errors()[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
    return _respond(request, 422, BadParameter.code, "; ".join(parts) or "invalid parameter")


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    if wants_json(request):
        response: Response = JSONResponse(error_body("internal", "internal server error"), status_code=500)
    else:
        try:
            response = render(request, "error.html", status=500, title=TITLES[500], message="", code="internal",
                              position=None, hint=None)
        except Exception:  # noqa: BLE001 - the page itself may be what failed: fall back to plain text
            response = Response("internal server error", status_code=500, media_type="text/plain")
    apply_headers(response.headers)  # this answer is sent outside the header middleware
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(PatentdeskError, patentdesk_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)
