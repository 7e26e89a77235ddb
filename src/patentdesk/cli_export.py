"""`patentdesk export`: write the publications a query matches to CSV, XLSX, RIS, BibTeX or JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

import click

from .cli import Context, common, main
from .errors import InvalidNumber, UserError

BATCH = 200


def numbers_from_file(catalogue: Any, path: str) -> tuple[list[str], list[str]]:
    """Canonical numbers for a file of numbers in any spelling (one a line; blank lines and `#` comments
    ignored). A number given without its kind brings every kind the catalogue holds. Returns
    (found, not found), each in the order of the file, without repeats."""
    found: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    for line in text.splitlines():
        spelling = line.split("#", 1)[0].strip()
        if not spelling:
            continue
        try:
            matches = catalogue.lookup(spelling)
        except InvalidNumber:
            matches = []
        if not matches:
            missing.append(spelling)
        for number in matches:
            if number not in seen:
                seen.add(number)
                found.append(number)
    return found, missing


def query_numbers(ctx: Context, query: str) -> list[str]:
    """The numbers a query in the patentdesk query language matches, in the search engine's order."""
    try:
        from .search.engine import matching_numbers
    except ImportError as e:  # the search layer is an optional part of an installation
        raise UserError(f"search is not available in this installation ({e}); use `all` or --numbers FILE") from e
    return list(matching_numbers(ctx.settings, ctx.catalogue, query))


def publications(catalogue: Any, numbers: Iterable[str]) -> Iterator[Any]:
    """Publications in the order given, loaded a batch at a time so memory stays flat."""
    batch: list[str] = []

    def flush() -> Iterator[Any]:
        found = catalogue.get_many(batch)
        yield from (found[n] for n in batch if n in found)
        batch.clear()

    for number in numbers:
        batch.append(number)
        if len(batch) >= BATCH:
            yield from flush()
    if batch:
        yield from flush()


@main.command(name="export")
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "ris", "bibtex", "jsonl"]),
              help="File format (default: from the --out file name).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write; '-' writes text formats to standard output.")
@click.option("--numbers", "numbers_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Export the publications listed in this file (one number a line, any spelling).")
@click.option("--limit", type=click.IntRange(min=1), help="Export at most this many publications.")
@common
def export_command(ctx: Context, query: str | None, fmt: str | None, out: str, numbers_file: str | None,
                   limit: int | None) -> None:
    """Export the publications QUERY matches (`all` for the whole catalogue, or --numbers FILE)."""
    from . import export as ex

    if fmt is None:
        fmt = ex.format_for(out) if out != "-" else None
        if fmt is None:
            raise UserError("say which format to write with --format (csv, xlsx, ris, bibtex, jsonl)")
    if fmt == "xlsx" and out == "-":
        raise UserError("xlsx is a binary format: give a file name with --out")
    if (query is None) == (numbers_file is None):
        raise UserError("give either a QUERY (or `all`) or --numbers FILE")
    cat = ctx.catalogue
    missing: list[str] = []
    pubs: Iterable[Any]
    if numbers_file is not None:
        numbers, missing = numbers_from_file(cat, numbers_file)
        pubs = publications(cat, numbers[:limit] if limit else numbers)
    elif query is not None and query.strip().lower() == "all":
        pubs = cat.iter_publications()
    else:
        numbers = query_numbers(ctx, query or "")
        pubs = publications(cat, numbers[:limit] if limit else numbers)
    if limit:
        pubs = _first(pubs, limit)
    if out == "-":
        count = ex.write(fmt, pubs, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        count = ex.export_file(fmt, pubs, out)
    report = {"format": fmt, "out": out, "count": count, "not_found": missing}
    if ctx.as_json and out != "-":
        ctx.emit(report)
    else:
        click.echo(f"exported {count} publications to {out} ({fmt})", err=out == "-")
        for spelling in missing:
            click.echo(f"  not in the catalogue: {spelling}", err=True)


def _first(pubs: Iterable[Any], limit: int) -> Iterator[Any]:
    for i, pub in enumerate(pubs):
        if i >= limit:
            return
        yield pub
