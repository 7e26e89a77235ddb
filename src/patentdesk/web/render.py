"""Rendering portal pages: one Jinja environment per language, autoescaping everything.

Record text reaches the templates as plain strings and is escaped there; the only markup taken
as is are the search engine's snippets (escaped text with <mark>) and the claim links that
`claims.py` builds over escaped text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .i18n import COOKIE, LANGUAGES, choose, format_count, normalize_code, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"
COOKIE_MAX_AGE = 365 * 24 * 3600


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


@cache
def environment(code: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    env.filters["count"] = lambda n: format_count(int(n), code)
    return env


def language(request: Request) -> str:
    return choose(request.query_params.get("lang"), request.cookies.get(COOKIE),
                  request.headers.get("accept-language"))


def gettext_for(request: Request) -> Callable[[str], str]:
    return translations(language(request)).gettext


def url_with(request: Request, **changes: Any) -> str:
    """The current page's address with some query parameters replaced (None removes one)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v is not None]
    return request.url.path + ("?" + urlencode(params) if params else "")


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    code = language(request)
    html = environment(code).get_template(template).render(
        lang=code,
        languages=list(LANGUAGES.values()),
        lang_url=lambda c: url_with(request, lang=c),
        url_with=lambda **kw: url_with(request, **kw),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Vary"] = "Accept-Language, Cookie"
    asked = normalize_code(request.query_params.get("lang"))
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=True)
    return response
