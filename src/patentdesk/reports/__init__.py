"""Landscape reports from an analysis: interactive HTML, printable PDF, and XLSX with the data of
every chart, in English, Simplified Chinese, Traditional Chinese or Portuguese.

    analysis = patentdesk.analysis.analyze(settings, catalogue, result_set, options)
    write_report(analysis, Path("jet.pdf"), title="Jet engines", lang="zh-Hans")
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import UserError
from .document import Report, build_report
from .strings import LANGUAGES

FORMATS = ("html", "pdf", "xlsx")

__all__ = ["FORMATS", "LANGUAGES", "Report", "build_report", "format_for", "write_report"]


def format_for(path: Path) -> str | None:
    ext = path.suffix.lower().lstrip(".")
    return {"htm": "html", "html": "html", "pdf": "pdf", "xlsx": "xlsx"}.get(ext)


def write_report(analysis: dict[str, Any], out: Path, *, title: str | None = None, lang: str = "en",
                 fmt: str | None = None, inline_script: bool = False, cache_dir: Path | None = None) -> dict[str, Any]:
    """Write the report to `out` in `fmt` (default: from the file name). An HTML page gets its
    chart script as a vendored file in `<name>_files/` beside it, or inside the page with
    `inline_script`. Returns what was written."""
    fmt = fmt or format_for(out)
    if fmt not in FORMATS:
        raise UserError(f"cannot tell the report format from {out.name!r}: use .html, .pdf or .xlsx (or --format)")
    start = time.perf_counter()
    report = build_report(analysis, title, lang)
    info: dict[str, Any] = {"format": fmt, "out": str(out), "lang": lang, "charts": list(report.charts)}
    if fmt == "html":
        info["files"] = _write_html(report, out, inline_script, cache_dir)
    elif fmt == "pdf":
        from .pdf import render_pdf

        info.update(render_pdf(report, out))
        info["files"] = [str(out)]
    else:
        from .xlsx import write_xlsx

        info.update(write_xlsx(report, out))
        info["files"] = [str(out)]
    info["seconds"] = round(time.perf_counter() - start, 3)
    return info


def _write_html(report: Report, out: Path, inline: bool, cache_dir: Path | None) -> list[str]:
    from .html import SCRIPT_NAME, chart_script, interactive_html

    script = chart_script(cache_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if inline:
        page = interactive_html(report, None, script)
    else:
        folder = out.with_name(out.stem + "_files")
        folder.mkdir(exist_ok=True)
        (folder / SCRIPT_NAME).write_text(script, encoding="utf-8")
        written.append(str(folder / SCRIPT_NAME))
        page = interactive_html(report, f"{quote(folder.name)}/{SCRIPT_NAME}")
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return [str(out), *written]
