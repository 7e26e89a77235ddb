"""`patentdesk search` and `patentdesk index rebuild|status`: thin commands over search.engine and
index.fulltext."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from .cli import Context, common, main
from .errors import QuerySyntaxError


def _facet_list(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip()) if value else ()


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="Hits per page.")
@click.option("--offset", default=0, show_default=True, help="Hits to skip (paging).")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True,
              help="relevance, date (oldest first) or -date (newest first).")
@click.option("--facets", help="Comma-separated: year,country,kind,applicant,ipc_subclass,tech_field.")
@click.option("--facet-size", default=20, show_default=True, help="Values per facet.")
@click.option("--mode", type=click.Choice(["keyword", "semantic", "hybrid"]),
              help="keyword: the query language, exact; semantic/hybrid: by meaning (needs `patentdesk embed`). "
                   "Default: hybrid for plain text, keyword for a query that uses fields, operators, phrases "
                   "or truncation.")
@click.option("--published-before", metavar="YYYY-MM-DD", help="Novelty cut-off: only documents published before.")
@click.option("--priority-before", metavar="YYYY-MM-DD", help="Only documents whose earliest priority is before.")
@click.option("--explain", is_flag=True, help="Print how the query is read, fully parenthesized, and stop.")
@common
def search(ctx: Context, query: str, limit: int, offset: int, sort: str, facets: str | None, facet_size: int,
           mode: str | None, published_before: str | None, priority_before: str | None, explain: bool) -> None:
    """Search the catalogue with Espacenet-style queries (docs/query-language.md)."""
    from .search.api import SearchRequest
    from .search.query import describe, parse
    from .search.semantic import run as run_search

    try:
        if explain:
            read = describe(parse(query))
            if ctx.as_json:
                ctx.emit({"query": query, "reads_as": read})
            else:
                click.echo(read)
            return
        result = run_search(ctx.settings, ctx.catalogue,
                            SearchRequest(query=query, limit=limit, offset=offset, sort=sort,
                                          facets=_facet_list(facets), facet_size=facet_size,
                                          mode=mode,
                                          published_before=published_before, priority_before=priority_before))
    except QuerySyntaxError as e:
        _syntax_error(ctx, e)
        return
    if ctx.as_json:
        ctx.emit(result.to_dict())
        return
    end = offset + len(result.hits)
    click.echo(f"{result.total} result{'s' if result.total != 1 else ''}"
               + (f", {offset + 1}-{end} shown" if result.hits else ""))
    for h in result.hits:
        click.echo("")
        click.echo(f"{h.publication_number}  {h.publication_date or '?'}  {h.title or '(no title)'}")
        if h.applicants:
            click.echo(f"    {'; '.join(h.applicants[:3])}{' ...' if len(h.applicants) > 3 else ''}")
        if h.snippet:
            click.echo("    " + _terminal(h.snippet))
        if h.why:
            click.echo("    why: " + h.why)
    for name, values in result.facets.items():
        click.echo(f"\n{name}: " + (", ".join(f"{v.value} ({v.count})" for v in values) or "(none)"))


def _terminal(snippet: str) -> str:
    import html

    text = re.sub(r"</?mark>", lambda m: "\x1b[1m" if m.group() == "<mark>" else "\x1b[0m", snippet)
    if not sys.stdout.isatty():
        text = text.replace("\x1b[1m", "[").replace("\x1b[0m", "]")
    return html.unescape(text)


def _syntax_error(ctx: Context, e: QuerySyntaxError) -> None:
    if ctx.as_json:
        click.echo(json.dumps({"error": {"code": e.code, "message": e.message, "position": e.position,
                                         "hint": e.hint}}, ensure_ascii=False))
        sys.exit(2)
    lines = [f"Error: {e.message}" + (f" at position {e.position}" if e.position else "")]
    if e.query and e.position:
        lines += ["  " + e.query, "  " + " " * (e.position - 1) + "^"]
    if e.hint:
        lines.append(f"Hint: {e.hint}")
    click.echo("\n".join(lines), err=True)
    sys.exit(2)


@main.group()
def index() -> None:
    """The full-text search index (derived from the catalogue)."""


@index.command()
@common
def rebuild(ctx: Context) -> None:
    """Recreate the search index from every publication in the catalogue."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from .index import fulltext

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]index"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=ctx.as_json or not console.is_terminal, transient=True) as bar:
        task = bar.add_task("index", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        meta = fulltext.rebuild(ctx.settings, ctx.catalogue, progress)
    if ctx.as_json:
        ctx.emit(meta)
    else:
        click.echo(f"indexed {meta['documents']} publications in {meta['build_seconds']} s "
                   f"(schema version {meta['schema_version']})")


@index.command()
@common
def status(ctx: Context) -> None:
    """Where the index is, its schema version, size, and whether it matches the catalogue."""
    from .index import fulltext

    st: dict[str, Any] = fulltext.status(ctx.settings, ctx.catalogue)
    if ctx.as_json:
        ctx.emit(st)
        return
    click.echo(f"index: {st['path']}")
    click.echo(f"state: {st['state']}")
    if st["state"] == "missing":
        click.echo("run `patentdesk index rebuild` to build it")
        return
    if st["state"] == "outdated schema":
        click.echo(f"schema version {st['index_schema_version']}, this patentdesk needs {st['schema_version']}: "
                   "run `patentdesk index rebuild`")
        return
    click.echo(f"documents: {st['documents']}  size: {st['size_bytes'] / 1e6:.1f} MB  "
               f"schema version: {st['schema_version']}")
    click.echo(f"built: {st['built_at']}  updated: {st['updated_at']}")
    if st["state"] == "stale":
        click.echo("the catalogue changed since (ingest --no-index?): run `patentdesk index rebuild`")
