"""`patentdesk analyze` and `patentdesk report landscape`: thin commands over patentdesk.analysis
and patentdesk.reports."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .cli import Context, common, main
from .errors import QuerySyntaxError, UserError


def _result_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose the result set and shape the statistics (shared by both commands)."""
    options = [
        click.option("--numbers", "numbers_file", type=click.Path(dir_okay=False, allow_dash=True),
                     help="Analyse the publications listed in this file (a saved collection: one number a line, "
                          "any spelling, '#' comments)."),
        click.option("--year-basis", type=click.Choice(["publication", "application", "priority"]),
                     default="priority", show_default=True, help="Which year every per-year statistic uses."),
        click.option("--from-year", type=int, help="Keep documents from this year on (on the year basis)."),
        click.option("--to-year", type=int, help="Keep documents up to this year (on the year basis)."),
        click.option("--country", "countries", multiple=True, help="Keep this jurisdiction (repeatable)."),
        click.option("--doc-type", "doc_types", multiple=True,
                     help="Keep this document type: grant, application, utility_model, design, ... (repeatable)."),
        click.option("--top", default=20, show_default=True, help="Entries in each ranked list."),
        click.option("--network-nodes", default=40, show_default=True,
                     help="Applicants drawn in the collaboration network."),
        click.option("--topic-docs", default=2000, show_default=True,
                     help="Documents placed on the topic map (an even sample above it)."),
        click.option("--topics", type=int, help="Number of topics on the map (default: from the set's size)."),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _analysis(ctx: Context, query: str | None, numbers_file: str | None, kw: dict[str, Any],
              with_topics: bool = True) -> dict[str, Any]:
    from .analysis import Options, ResultSet
    from .analysis import analyze as run_analysis

    if (query is None) == (numbers_file is None):
        raise UserError("give either a QUERY (or `all` for the whole catalogue) or --numbers FILE")
    cat = ctx.catalogue
    if numbers_file is not None:
        rs = ResultSet(numbers=tuple(_read_numbers(numbers_file)), collection=numbers_file)
    elif query is not None and query.strip().lower() == "all":
        rs = ResultSet(numbers=tuple(_all_numbers(cat)), query="all")
    else:
        from .analysis import result_set_for_query

        try:
            rs = result_set_for_query(ctx.settings, cat, query or "")
        except QuerySyntaxError as e:
            from .cli_search import _syntax_error

            _syntax_error(ctx, e)
            raise  # _syntax_error exits; this keeps type checkers informed
    options = Options(year_basis=kw["year_basis"], from_year=kw["from_year"], to_year=kw["to_year"],
                      countries=tuple(kw["countries"]), doc_types=tuple(kw["doc_types"]), top=kw["top"],
                      network_nodes=kw["network_nodes"], topic_docs=kw["topic_docs"], topics=kw["topics"])
    return run_analysis(ctx.settings, cat, rs, options, with_topics=with_topics)


def _read_numbers(path: str) -> list[str]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    return [s for s in (line.split("#", 1)[0].strip() for line in text.splitlines()) if s]


def _all_numbers(catalogue: Any) -> list[str]:
    from sqlalchemy import select

    from .store import schema as S

    with catalogue.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(S.publications.c.number))]


@main.command()
@click.argument("query", required=False)
@_result_options
@click.option("--no-topics", is_flag=True, help="Leave out the topic map (the slowest part on large sets).")
@common
def analyze(ctx: Context, query: str | None, numbers_file: str | None, no_topics: bool, **kw: Any) -> None:
    """Landscape statistics of the publications QUERY matches (`all`: the whole catalogue)."""
    result = _analysis(ctx, query, numbers_file, kw, with_topics=not no_topics)
    if ctx.as_json:
        ctx.emit(result)
        return
    _print_summary(result)


def _print_summary(a: dict[str, Any]) -> None:
    s = a["summary"]
    click.echo(f"{s['documents']} documents, {s['families']} families, {s['applicants']} applicants, "
               f"{s['inventors']} inventors, {s['jurisdictions']} jurisdictions, "
               f"{s['first_year']}-{s['last_year']} ({a['methodology']['year_basis']} year)")
    click.echo("\nTop applicants:")
    for r in a["top_applicants"]["top"][:10]:
        click.echo(f"  {r['rank']:>2}. {r['name'][:60]:60} {r['documents']:>6}  {r['share']:5.1f} %  {r['trend']}")
    click.echo("\nJurisdictions: " + ", ".join(f"{r['country']} {r['documents']}" for r in a["jurisdictions"][:10]))
    fields = [f for f in a["tech_fields"]["fields"] if f["documents"]][:5]
    click.echo("Technology fields: " + "; ".join(f"{f['name']} {f['documents']}" for f in fields))
    tm = a.get("topic_map") or {}
    if tm.get("clusters"):
        click.echo(f"\nTopics ({tm['vectors']}):")
        for c in tm["clusters"]:
            click.echo(f"  {c['id']:>2}. {c['label']} ({c['size']})")
    click.echo(f"\nre-run: {a['methodology']['rerun']}")


@main.group()
def report() -> None:
    """Reports built from the analytics (HTML, PDF, XLSX)."""


@report.command()
@click.argument("query", required=False)
@_result_options
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="File to write: .pdf, .html or .xlsx.")
@click.option("--title", help="Report title (default: 'Patent landscape report' in the report's language).")
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant", "pt"]), default="en", show_default=True,
              help="Report language.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "xlsx"]), help="Default: from --out.")
@click.option("--inline-js", is_flag=True, help="HTML: put the chart script inside the page (one file).")
@common
def landscape(ctx: Context, query: str | None, numbers_file: str | None, out: str, title: str | None, lang: str,
              fmt: str | None, inline_js: bool, **kw: Any) -> None:
    """A landscape report of the publications QUERY matches (`all`: the whole catalogue)."""
    from .reports import write_report

    analysis = _analysis(ctx, query, numbers_file, kw)
    info = write_report(analysis, Path(out), title=title, lang=lang, fmt=fmt, inline_script=inline_js,
                        cache_dir=ctx.settings.home / "cache")
    info["documents"] = analysis["summary"]["documents"]
    info["analysis_seconds"] = analysis["timings"]["total"]
    if ctx.as_json:
        ctx.emit(info)
        return
    pages = f", {info['pages']} pages" if info.get("pages") else ""
    click.echo(f"wrote {out} ({info['format']}, {info['documents']} documents{pages}, {info['seconds']} s)")
    for extra in info["files"][1:]:
        click.echo(f"  with {extra}")
