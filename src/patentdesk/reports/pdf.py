"""The PDF: the print layout printed by Chromium (through Playwright), with page numbers.

Charts are static SVG drawn by vl-convert from the same specifications the page uses. Chromium
prints the header (report title, date) and footer ("Page 3 of 21") on every page. Chromium cannot
put page numbers into a table of contents by itself, so the report is printed twice: the first
print is read back with `pdftotext` to find the page each section starts on, the second carries
those numbers (the contents keep their size, so nothing moves). Without `pdftotext` the contents
list the sections without page numbers.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import PatentdeskError
from ..printing import CHROMIUM, PrintError, with_page
from . import strings as T
from .charts import FONTS
from .document import Report
from .html import print_html

MARGIN = {"top": "20mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
PLACEHOLDER = "00"  # as wide as the page numbers that replace it


class PdfError(PatentdeskError):
    code = "pdf_failed"
    status = 500


def chart_svgs(report: Report) -> dict[str, str]:
    import vl_convert as vlc

    return {cid: str(vlc.vegalite_to_svg(chart.spec)) for cid, chart in report.charts.items()}


def _header(report: Report) -> str:
    style = (f"font-family: {FONTS[report.lang]}; font-size: 8px; color: #5b6b7c; width: 100%; "
             "margin: 0 16mm; display: flex; justify-content: space-between;")
    return (f'<div style="{style}"><span>{html.escape(report.title)}</span>'
            f"<span>{html.escape(report.generated)}</span></div>")


def _footer(report: Report) -> str:
    style = f"font-family: {FONTS[report.lang]}; font-size: 8px; color: #5b6b7c; width: 100%; text-align: center;"
    marked = T.text(report.lang, "page_of", page="\x00", total="\x01")
    body = html.escape(marked).replace("\x00", '<span class="pageNumber"></span>').replace(
        "\x01", '<span class="totalPages"></span>')
    return f'<div style="{style}">{body}</div>'


def render_pdf(report: Report, out: Path) -> dict[str, Any]:
    """Print the report to `out`; returns pages, section pages and timings."""
    if not CHROMIUM.exists():
        raise PdfError(f"Chromium not found at {CHROMIUM} (install Debian's chromium or set PATENTDESK_CHROMIUM)")
    start = time.perf_counter()
    svgs = chart_svgs(report)
    t_charts = time.perf_counter() - start
    can_number = shutil.which("pdftotext") is not None
    def work(page: Any) -> tuple[bytes, dict[str, int]]:
        placeholders = {s.id: PLACEHOLDER for s in report.sections} if can_number else {}
        pdf = _print(page, report, print_html(report, svgs, placeholders))  # type: ignore[arg-type]
        pages: dict[str, int] = {}
        if can_number:
            pages = section_pages(pdf, report)
            pdf = _print(page, report, print_html(report, svgs, pages))
        return pdf, pages

    try:
        pdf, pages = with_page(work)
    except PrintError as e:
        raise PdfError(str(e)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(pdf)
    tmp.replace(out)
    texts = page_texts(pdf) if can_number else []
    return {"pages": len(texts) or None, "section_pages": pages, "chart_seconds": round(t_charts, 3),
            "seconds": round(time.perf_counter() - start, 3)}


def _print(page: Any, report: Report, content: str) -> bytes:
    page.set_content(content, wait_until="load")
    return bytes(page.pdf(format="A4", print_background=True, display_header_footer=True,
                          header_template=_header(report), footer_template=_footer(report), margin=MARGIN,
                          outline=True, tagged=True))


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext; pages are separated by form feeds)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "report.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120,
                              check=False)
    if done.returncode != 0:
        return []
    pages = done.stdout.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def section_pages(pdf: bytes, report: Report) -> dict[str, int]:
    """Section id -> the 1-based page its heading is printed on (headings after the contents)."""
    texts = [_squash(t) for t in page_texts(pdf)]
    headings = [_squash(f"{i}. {s.title}") for i, s in enumerate(report.sections, 1)]
    # the contents list every heading too: start looking after the page that lists the last one
    start = 0
    contents = _squash(T.text(report.lang, "contents"))
    for i, t in enumerate(texts):
        if contents in t:
            start = i
            break
    for i in range(start, len(texts)):
        if headings[-1] in texts[i]:
            start = i + 1
            break
    out: dict[str, int] = {}
    cur = start
    for sec, head in zip(report.sections, headings):
        for i in range(cur, len(texts)):
            if head in texts[i]:
                out[sec.id] = i + 1
                cur = i
                break
    return out
