"""The search report: one HTML document in the request's language, printed to PDF by Chromium.

The HTML is self-contained (styles inline, no scripts, no outside resources) so that Chromium
prints it without touching the network; it is also what the portal offers as the HTML version.
Debian's Chromium is driven through Playwright; nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..model import Publication

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
TEMPLATE = "desk/report.html"

# The language a report is written in picks the language of the document texts quoted in it.
_TEXT_LANG = {"en": "en", "zh-Hans": "zh", "zh-Hant": "zh", "pt": "pt"}
CATEGORY_ORDER = {"X": 0, "Y": 1, "A": 2}


@cache
def _environment(code: str) -> Environment:
    from ..web.i18n import translations

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True)
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    return env


def _title(pub: Publication | None, lang: str) -> str | None:
    if pub is None:
        return None
    texts = pub.texts_of("title")
    for wanted in (lang, "en"):
        for t in texts:
            if t.lang == wanted:
                return t.text
    return texts[0].text if texts else None


def documents(marks: list[Mapping[str, Any]], pubs: Mapping[str, Publication], language: str) -> list[dict[str, Any]]:
    """The cited documents, X first, then Y, then A, each with what the catalogue knows of it."""
    lang = _TEXT_LANG.get(language, "en")
    out = []
    for m in sorted(marks, key=lambda m: (CATEGORY_ORDER.get(m["category"], 9), m["number"])):
        pub = pubs.get(m["number"])
        out.append({**m, "title": _title(pub, lang),
                    "applicants": list(pub.applicants) if pub else [],
                    "publication_date": pub.publication_date.isoformat() if pub and pub.publication_date else None})
    return out


def render_html(case: Mapping[str, Any], pubs: Mapping[str, Publication], *, analyst: str,
                delivered: dt.datetime) -> str:
    language = case["language"]
    return _environment(language).get_template(TEMPLATE).render(
        lang=language, case=case, documents=documents(case["marks"], pubs, language), analyst=analyst,
        delivered=delivered.date().isoformat(), searches=case["searches"])


def print_pdf(html: str) -> bytes:
    """The HTML printed to A4 PDF by headless Chromium."""
    from ..printing import with_page

    def work(page: Any) -> bytes:
        page.set_content(html, wait_until="load")
        return bytes(page.pdf(format="A4", print_background=True,
                              margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}))

    return with_page(work, javascript=False)
