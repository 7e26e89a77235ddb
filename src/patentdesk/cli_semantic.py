"""CLI commands of semantic search: `embed` (build or update the vectors), `similar` ("more like
this" from a publication) and `eval` (retrieval quality on known-item sets or TREC qrels).

The `search` command's `--mode semantic|hybrid` goes through `patentdesk.search.semantic.run`.
"""

from __future__ import annotations

from typing import Any

import click

from .cli import Context, common, main


def _progress(ctx: Context) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console,
                    disable=ctx.as_json or not console.is_terminal, transient=True)


def _date(value: str | None) -> str | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


# ----------------------------------------------------------------------------- embed
@main.command()
@click.option("--rebuild", is_flag=True, help="Re-embed everything (otherwise only new and changed records).")
@click.option("--status", "show_status", is_flag=True, help="Only report what the vector store holds.")
@common
def embed(ctx: Context, rebuild: bool, show_status: bool) -> None:
    """Build or update the passage vectors used by semantic and hybrid search.

    Resumable: an interrupted run keeps what it finished and the next run carries on. A store built
    with another embedding model is re-embedded from scratch, never mixed.
    """
    import time

    from .index.vectors import VectorStore

    store = VectorStore.of(ctx.settings)
    if show_status:
        st = store.status()
        if ctx.as_json:
            ctx.emit(st)
        elif not st["exists"]:
            click.echo(f"no vectors in {st['path']} (run `patentdesk embed`)")
        else:
            click.echo(f"{st['documents']} documents, {st['passages']} passages, model {st['model']}, "
                       f"{'HNSW' if st['hnsw'] else 'exact'} search, updated {st['updated']}")
        return
    cat = ctx.catalogue
    started = time.perf_counter()
    with _progress(ctx) as bar:
        docs = bar.add_task("documents", total=None, rate="")
        done = {"passages": 0}

        def progress(event: str, data: dict[str, Any]) -> None:
            if event == "start":
                bar.update(docs, total=data["documents"])
            elif event == "documents":
                bar.advance(docs, data["n"])
            elif event == "passages":
                done["passages"] += data["n"]
                rate = done["passages"] / max(time.perf_counter() - started, 1e-9)
                bar.update(docs, rate=f"{done['passages']} passages, {rate:.0f}/s")
            elif event == "hnsw":
                bar.update(docs, description=f"HNSW index over {data['passages']} passages")

        summary = store.update(cat, rebuild=rebuild, progress=progress)
    if ctx.as_json:
        ctx.emit(summary.to_dict())
        return
    if summary.reason and summary.reason != "new store":
        click.echo(f"re-embedded everything: {summary.reason}")
    rate = summary.embedded_passages / summary.seconds if summary.seconds else 0.0
    click.echo(f"embedded {summary.embedded_docs} documents ({summary.embedded_passages} passages, {rate:.0f}/s), "
               f"removed {summary.removed_docs}, unchanged {summary.unchanged_docs}; "
               f"store: {summary.total_docs} documents, {summary.total_passages} passages"
               f"{', HNSW' if summary.hnsw else ''}")


# ----------------------------------------------------------------------------- similar
@main.command()
@click.argument("number")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0, 1000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0, 1000))
@click.option("--published-before", help="Only documents published before this date (YYYY-MM-DD, exclusive).")
@click.option("--priority-before", help="Only documents with an earliest priority before this date (exclusive).")
@click.option("--include-family", is_flag=True, help="Also list members of the publication's own family.")
@common
def similar(ctx: Context, number: str, limit: int, offset: int, published_before: str | None,
            priority_before: str | None, include_family: bool) -> None:
    """Publications most like NUMBER (any common spelling), in any language."""
    from .search.semantic import similar as run_similar

    result = run_similar(ctx.settings, ctx.catalogue, number, limit=limit, offset=offset,
                         published_before=_date(published_before), priority_before=_date(priority_before),
                         include_family=include_family)
    if ctx.as_json:
        ctx.emit(result.to_dict())
        return
    click.echo(f"{result.total} candidates like {result.query}")
    for i, h in enumerate(result.hits, offset + 1):
        click.echo(f"{i:3}. {h.publication_number:18} {h.score:.3f}  {h.publication_date or '?':10}  {h.title or ''}")
        if h.why:
            click.echo(f"      {h.why}")


# ----------------------------------------------------------------------------- eval
@main.group(name="eval")
def eval_group() -> None:
    """Measure retrieval quality: recall@1/10/100 and MRR@10 per language and mode."""


_MODES = click.Choice(["keyword", "semantic", "hybrid"])


def _run_eval(ctx: Context, topics: list[Any], modes: tuple[str, ...]) -> None:
    from .eval import default_searcher, evaluate

    if not topics:
        raise click.ClickException("no queries to evaluate")
    modes = modes or ("keyword", "semantic", "hybrid")
    searcher = default_searcher(ctx.settings, ctx.catalogue)
    with _progress(ctx) as bar:
        task = bar.add_task("queries", total=len(topics) * len(modes), rate="")
        report = evaluate(topics, modes, searcher, progress=lambda n: bar.advance(task, n))
    if ctx.as_json:
        ctx.emit(report.to_dict())
    else:
        click.echo(report.table())
        click.echo("seconds: " + ", ".join(f"{m} {s:.1f}" for m, s in report.seconds.items()))


@eval_group.command(name="known-item")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", "modes", multiple=True, type=_MODES, help="Mode(s) to evaluate (default: all three).")
@click.option("--lang", "langs", multiple=True, help="Only queries in these languages (e.g. zh-Hans, pt).")
@common
def eval_known_item(ctx: Context, file: str, modes: tuple[str, ...], langs: tuple[str, ...]) -> None:
    """Known-item queries, JSON lines {"id", "lang", "query", "target"}."""
    from .eval import read_known_items

    topics = read_known_items(file)
    if langs:
        topics = [t for t in topics if t.lang in langs]
    _run_eval(ctx, topics, modes)


@eval_group.command(name="trec")
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False))
@click.argument("topics", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", "modes", multiple=True, type=_MODES, help="Mode(s) to evaluate (default: all three).")
@common
def eval_trec(ctx: Context, qrels: str, topics: str, modes: tuple[str, ...]) -> None:
    """TREC relevance judgements (qid 0 docno rel) with a topics file (JSON lines or qid<TAB>query)."""
    from .eval import read_trec

    _run_eval(ctx, read_trec(qrels, topics), modes)


