"""The command line: a thin layer over the library. Library errors become clean messages.

Every command takes `--home`, `--database-url` and `--json`. Exit status: 0 ok, 1 error,
2 usage error, 3 ingest finished but quarantined records.
"""

from __future__ import annotations

import functools
import logging
import json
import sys
from typing import Any, Callable

import click

from . import __version__
from .config import Settings, resolve
from .errors import PatentdeskError

EXIT_QUARANTINED = 3


class Context:
    def __init__(self, home: str | None, database_url: str | None, as_json: bool) -> None:
        self.settings: Settings = resolve(home, database_url)
        self.as_json = as_json
        self._catalogue: Any = None

    @property
    def catalogue(self) -> Any:
        if self._catalogue is None:
            from .store.catalogue import Catalogue

            self.settings.ensure()
            self._catalogue = Catalogue(self.settings.database_url)
        return self._catalogue

    def emit(self, obj: Any) -> None:
        click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def common(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command shares, and library errors turned into clean messages."""

    @click.option("--home", type=click.Path(file_okay=False), envvar="PATENTDESK_HOME",
                  help="Data folder (default: $PATENTDESK_HOME, else the platform's user data folder).")
    @click.option("--database-url", envvar="PATENTDESK_DATABASE_URL",
                  help="SQLAlchemy URL of the catalogue (default: SQLite inside the home).")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
    @functools.wraps(fn)
    def wrapper(home: str | None, database_url: str | None, as_json: bool, **kw: Any) -> Any:
        ctx = Context(home, database_url, as_json)
        try:
            return fn(ctx, **kw)
        except PatentdeskError as e:
            if as_json:
                click.echo(json.dumps({"error": {"code": e.code, "message": str(e)}}, ensure_ascii=False))
                sys.exit(1 if e.status >= 500 or e.status == 404 else 2)
            raise click.ClickException(str(e)) from None
        finally:
            if ctx._catalogue is not None:
                ctx._catalogue.close()

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="patentdesk")
@click.option("--config", type=click.Path(dir_okay=False), envvar="PATENTDESK_CONFIG",
              help="Settings file (TOML, docs/configuration.md); environment variables override it.")
def main(config: str | None) -> None:
    """patentdesk: patent catalogue, search, analytics and service desk."""
    from .ops import logconfig, settings

    try:
        settings.apply_to_environ(config)  # before the subcommand reads its options' variables
        if logconfig.requested():
            logconfig.configure()
    except (PatentdeskError, ValueError) as e:
        raise click.UsageError(str(e)) from None


# ----------------------------------------------------------------------------- ingest
@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", help="Force a format (see `patentdesk formats`).")
@click.option("--batch-size", default=200, show_default=True, help="Records per transaction.")
@click.option("--no-index", is_flag=True, help="Do not update the search index after loading.")
@common
def ingest(ctx: Context, paths: tuple[str, ...], fmt: str | None, batch_size: int, no_index: bool) -> None:
    """Load files, folders, globs or .zip/.tar.gz archives of them into the catalogue."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    from .ingest.pipeline import ingest as run_ingest

    cat = ctx.catalogue
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=console, disable=ctx.as_json or not console.is_terminal,
                  transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(event: str, data: dict[str, Any]) -> None:
            if event == "file":
                bar.update(task, description=f"{data['name'][-60:]}")
            elif event == "file_done":
                bar.advance(task, data.get("size") or 0)

        summary = run_ingest(cat, list(paths), fmt=fmt, batch_size=batch_size, progress=progress,
                             command="ingest " + " ".join(paths))
    if not no_index and (summary.added or summary.updated):
        _update_index(ctx, summary)
    if ctx.as_json:
        ctx.emit(summary.to_dict())
    else:
        c = summary.counts()
        click.echo(", ".join(f"{k} {v}" for k, v in c.items()))
        for err in summary.errors[:50]:
            click.echo(f"  quarantined: {err['file']} [{err['record']}]: {err['reason']}", err=True)
        if len(summary.errors) > 50:
            click.echo(f"  ... and {len(summary.errors) - 50} more (patentdesk rejections)", err=True)
    if summary.quarantined:
        sys.exit(EXIT_QUARANTINED)


def _update_index(ctx: Context, summary: Any) -> None:
    """Keep the derived index current after an ingest, then deliver the watches' alerts."""
    from .index import fulltext

    fulltext.update_after_ingest(ctx.settings, ctx.catalogue, summary.changed_numbers)
    # passage vectors follow once a library has embedded its catalogue (`patentdesk embed`)
    from .index import vectors

    vectors.update_after_ingest(ctx.settings, ctx.catalogue, summary.changed_numbers)
    # the analysis snapshot and name groups follow once a library analyses its catalogue
    if summary.changed_numbers:
        from .analysis.core import warm_after_ingest

        try:
            warm_after_ingest(ctx.settings, ctx.catalogue)
        except Exception:  # the ingest is done; the first analysis will build them instead
            logging.getLogger(__name__).warning("could not prepare the analysis snapshot", exc_info=True)
    # watches are evaluated once the index holds the new documents
    from .desk import run_watches

    run_watches(ctx.settings, ctx.catalogue, summary.changed_numbers)


@main.command()
@common
def formats(ctx: Context) -> None:
    """List the input formats the catalogue can read."""
    from .ingest.base import formats as all_formats

    regs = all_formats()
    if ctx.as_json:
        ctx.emit({name: cls.description for name, cls in regs.items()})
    else:
        for name, cls in regs.items():
            click.echo(f"{name:24} {cls.description}")


@main.command()
@click.option("--disposition", type=click.Choice(["quarantined", "skipped"]))
@common
def rejections(ctx: Context, disposition: str | None) -> None:
    """Records that were quarantined or skipped, with file, position and reason."""
    rows = ctx.catalogue.rejections(disposition)
    if ctx.as_json:
        ctx.emit(rows)
    else:
        for r in rows:
            click.echo(f"{r['disposition']:12} {r['file']} #{r['position']} {r['record'] or ''}: {r['reason']}")


# ----------------------------------------------------------------------------- show / stats
@main.command()
@click.argument("number")
@common
def show(ctx: Context, number: str) -> None:
    """Show one publication; any common spelling of the number works."""
    cat = ctx.catalogue
    canonical = cat.resolve(number)
    pub = cat.get(canonical)
    assert pub is not None
    if ctx.as_json:
        ctx.emit(pub.to_dict())
        return
    click.echo(f"{pub.number}  {pub.doc_type}  published {pub.publication_date or '?'}")
    if pub.title:
        click.echo(f"Title: {pub.title}")
    if pub.applicants:
        click.echo(f"Applicants: {'; '.join(pub.applicants)}")
    if pub.inventors:
        click.echo(f"Inventors: {'; '.join(pub.inventors)}")
    if pub.application_number:
        click.echo(f"Application: {pub.application_number} filed {pub.application_date or '?'}")
    if pub.earliest_priority_date:
        click.echo(f"Earliest priority: {pub.earliest_priority_date}")
    for scheme in ("ipc", "cpc", "locarno", "national"):
        cls = pub.classes(scheme)
        if cls:
            click.echo(f"{scheme.upper()}: {', '.join(cls[:12])}{' ...' if len(cls) > 12 else ''}")
    if pub.citations:
        click.echo(f"Citations: {len(pub.citations)}")
    if pub.abstract:
        click.echo("")
        click.echo(pub.abstract)
    prov = pub.provenance
    if prov:
        click.echo(f"\nSource: {prov.source} {prov.file} #{prov.position}")


@main.command()
@common
def stats(ctx: Context) -> None:
    """Counts by source, country, kind and year; the last ingests."""
    s = ctx.catalogue.stats()
    if ctx.as_json:
        ctx.emit(s)
        return
    click.echo(f"publications: {s['publications']}  quarantined: {s['quarantined']}  skipped: {s['skipped']}")
    for key in ("by_source", "by_country", "by_kind", "by_doc_type", "by_year"):
        click.echo(f"{key[3:]}: " + ", ".join(f"{k} {v}" for k, v in s[key].items()))
    for r in s["last_ingests"]:
        click.echo(f"run {r['id']} {r['status']} {r['started_at']}: files {r['files']} read {r['read']} "
                   f"added {r['added']} updated {r['updated']} unchanged {r['unchanged']} "
                   f"skipped {r['skipped']} quarantined {r['quarantined']}")


# Commands of the other layers live beside this module and register themselves on `main`.
from . import cli_analysis, cli_desk, cli_export, cli_names, cli_ops, cli_search, cli_semantic, cli_web  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    # `python -m patentdesk.cli` runs this file as `__main__`, but the other layers register their
    # commands on the `main` of the imported `patentdesk.cli` module: run that one.
    from patentdesk.cli import main as registered_main

    registered_main()
