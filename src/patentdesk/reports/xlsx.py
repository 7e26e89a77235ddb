"""The workbook: the data behind every chart, one sheet per chart dataset, plus the key figures and
the methodology, so every number in the report can be checked and re-used."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import strings as T
from .document import Report

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD.sub("-", name)[:31] or "sheet"
    out, i = base, 2
    while out.lower() in used:
        suffix = f"-{i}"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(out.lower())
    return out


def _label(lang: str, key: str) -> str:
    return T.text(lang, key) if key in T.STRINGS else key


def _value(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}={x}" for k, x in v.items())
    return v


def write_xlsx(report: Report, out: Path) -> dict[str, Any]:
    import xlsxwriter

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    lang = report.lang
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_urls": False, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#f2f5f8", "border": 1})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    used: set[str] = set()
    sheets: list[tuple[str, str]] = []

    contents = wb.add_worksheet(_sheet_name(T.text(lang, "sheet_contents"), used))
    summary_name = _sheet_name(T.text(lang, "sec_summary"), used)
    summary = wb.add_worksheet(summary_name)
    summary.write(0, 0, report.title, title_fmt)
    summary.write(1, 0, report.scope)
    summary.write(2, 0, report.generated)
    row = 4
    for sec in report.sections:
        if sec.id == "summary":
            for k, v in sec.facts:
                summary.write(row, 0, k)
                summary.write(row, 1, v)
                row += 1
            row += 1
            for p in sec.paragraphs:
                summary.write(row, 0, p)
                row += 1
    summary.set_column(0, 0, 40)
    summary.set_column(1, 1, 24)
    sheets.append((summary_name, T.text(lang, "sec_summary")))

    for chart in report.charts.values():
        for name, rows in chart.datasets().items():
            ws_name = _sheet_name(name, used)
            ws = wb.add_worksheet(ws_name)
            keys = list(dict.fromkeys(k for r in rows for k in r))
            ws.write(0, 0, chart.title, title_fmt)
            for j, k in enumerate(keys):
                ws.write(2, j, _label(lang, k), bold)
                ws.set_column(j, j, max(10, min(60, len(_label(lang, k)) + 4)))
            for i, r in enumerate(rows, 3):
                for j, k in enumerate(keys):
                    v = _value(r.get(k))
                    if v is not None:
                        ws.write(i, j, v)
            ws.freeze_panes(3, 0)
            if rows:
                ws.autofilter(2, 0, 2 + len(rows), max(0, len(keys) - 1))
            sheets.append((ws_name, chart.title))

    meth_name = _sheet_name(T.text(lang, "sec_methodology"), used)
    meth = wb.add_worksheet(meth_name)
    meth.write(0, 0, T.text(lang, "sec_methodology"), title_fmt)
    row = 2
    for sec in report.sections:
        if sec.id == "methodology":
            for p in sec.paragraphs:
                meth.write(row, 0, p)
                row += 2
            for k, v in sec.facts:
                meth.write(row, 0, k, wrap)
                meth.write(row, 1, v, wrap)
                row += 1
            if sec.code:
                meth.write(row, 0, T.text(lang, "m_rerun"), wrap)
                meth.write(row, 1, sec.code, wrap)
    meth.set_column(0, 0, 36)
    meth.set_column(1, 1, 100)
    sheets.append((meth_name, T.text(lang, "sec_methodology")))

    contents.write(0, 0, report.title, title_fmt)
    contents.write(2, 0, T.text(lang, "sheet"), bold)
    contents.write(2, 1, T.text(lang, "chart"), bold)
    for i, (name, title) in enumerate(sheets, 3):
        contents.write_url(i, 0, f"internal:'{name}'!A1", string=name)
        contents.write(i, 1, title)
    contents.set_column(0, 0, 32)
    contents.set_column(1, 1, 80)
    wb.close()
    tmp.replace(out)
    return {"sheets": [s for s, _ in sheets]}
