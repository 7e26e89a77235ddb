"""Commands for running patentdesk at scale and in production: `bulk ingest|embed`, `load`,
`backup`, `restore`, `doctor`. Thin layers over `patentdesk.bulk` and `patentdesk.ops`."""

from __future__ import annotations

import sys
from typing import Any

import click

from .cli import EXIT_QUARANTINED, Context, common, main

ENGINES = ("embedded", "spark")


def _engine_options(fn: Any) -> Any:
    fn = click.option("--executor-memory", envvar="PATENTDESK_BULK_EXECUTOR_MEMORY",
                      help="Spark executor memory on a cluster, e.g. 4g.")(fn)
    fn = click.option("--driver-memory", default="1g", show_default=True, envvar="PATENTDESK_BULK_DRIVER_MEMORY",
                      help="Spark driver memory (the JVM of this process).")(fn)
    fn = click.option("--master", default="local[2]", show_default=True, envvar="PATENTDESK_BULK_MASTER",
                      help="Spark master URL: local[N], spark://host:7077, yarn, k8s://...")(fn)
    fn = click.option("--engine", type=click.Choice(ENGINES), default="embedded", show_default=True,
                      envvar="PATENTDESK_BULK_ENGINE",
                      help="embedded: this process; spark: an Apache Spark cluster (or local mode).")(fn)
    return fn


def _spark(master: str, driver_memory: str, executor_memory: str | None) -> Any:
    from .bulk import spark

    return spark.session(master, driver_memory=driver_memory, executor_memory=executor_memory)


# ----------------------------------------------------------------------------- bulk
@main.group()
def bulk() -> None:
    """Batch work for large collections: parse and embed into a Parquet lake (then `load` it)."""


@bulk.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="The lake folder (created; new runs are added to an existing lake).")
@click.option("--format", "fmt", help="Force a format (see `patentdesk formats`).")
@_engine_options
@common
def bulk_ingest(ctx: Context, paths: tuple[str, ...], out: str, fmt: str | None, engine: str, master: str,
                driver_memory: str, executor_memory: str | None) -> None:
    """Parse files with the readers of `ingest` and write them to a Parquet lake, in parallel.

    Publications go to LAKE/publications (partitioned by source and year), quarantined and
    skipped records to LAKE/rejections. Nothing is written to the catalogue: `patentdesk load`
    does that.
    """
    from .bulk import lake

    if engine == "spark":
        from .bulk import spark

        summary = spark.spark_ingest(_spark(master, driver_memory, executor_memory), list(paths), out, fmt=fmt)
    else:
        summary = lake.embedded_ingest(list(paths), out, fmt=fmt)
    if ctx.as_json:
        ctx.emit(summary.to_dict())
    else:
        click.echo(f"run {summary.run} ({summary.engine}): files {summary.files} read {summary.read} "
                   f"publications {summary.publications} skipped {summary.skipped} "
                   f"quarantined {summary.quarantined} in {summary.seconds:.1f} s -> {summary.lake}")


@bulk.command("embed")
@click.argument("lake_path", metavar="LAKE")
@_engine_options
@common
def bulk_embed(ctx: Context, lake_path: str, engine: str, master: str, driver_memory: str,
               executor_memory: str | None) -> None:
    """Compute passage vectors of the lake's publications (the passages and model of `embed`).

    Only ingest runs not yet embedded with the current model are embedded. Vectors go to
    LAKE/embeddings; `patentdesk load` puts them into the vector store.
    """
    from .bulk import lake

    if engine == "spark":
        from .bulk import spark

        result = spark.spark_embed(_spark(master, driver_memory, executor_memory), lake_path)
    else:
        result = lake.embedded_embed(lake_path)
    if ctx.as_json:
        ctx.emit(result)
    else:
        click.echo(f"embed run {result['run']} ({result['engine']}, {result['model']}): "
                   f"{result['documents']} documents, {result['passages']} passages "
                   f"from {len(result['runs'])} ingest run(s) in {result['seconds']:.1f} s")


# ----------------------------------------------------------------------------- load
@main.command()
@click.argument("lake_path", metavar="LAKE")
@click.option("--batch-size", default=200, show_default=True, help="Records per transaction.")
@click.option("--no-index", is_flag=True, help="Do not update the search index and vectors after loading.")
@common
def load(ctx: Context, lake_path: str, batch_size: int, no_index: bool) -> None:
    """Bring a Parquet lake into the catalogue and its indexes; only runs not loaded yet."""
    from .bulk.lake import load_lake, update_vectors
    from .ops.progress import ProgressFile

    cat = ctx.catalogue
    with ProgressFile.for_settings(ctx.settings, "load") as tracker:
        summary = load_lake(cat, lake_path, batch_size=batch_size, progress=tracker.update)
        if not no_index and summary.changed_numbers:
            from .index import fulltext

            tracker.update("index", {"documents": len(summary.changed_numbers)})
            fulltext.update_after_ingest(ctx.settings, cat, summary.changed_numbers)
            summary.vectors = update_vectors(ctx.settings, cat, lake_path, summary.changed_numbers)
    if ctx.as_json:
        ctx.emit(summary.to_dict())
    else:
        if not summary.runs:
            click.echo("nothing new in the lake: every run is loaded already")
        else:
            click.echo(f"runs {len(summary.runs)}, " + ", ".join(f"{k} {v}" for k, v in summary.counts().items()))
        for err in summary.errors[:50]:
            click.echo(f"  quarantined: {err['file']} [{err['record']}]: {err['reason']}", err=True)
        if len(summary.errors) > 50:
            click.echo(f"  ... and {len(summary.errors) - 50} more (patentdesk rejections)", err=True)
    if summary.quarantined:
        sys.exit(EXIT_QUARANTINED)


# ----------------------------------------------------------------------------- backup / restore
@main.command()
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Folder for the backup (default: HOME/backups/<timestamp>).")
@common
def backup(ctx: Context, out: str | None) -> None:
    """Back up the catalogue database, the search index and the vectors, with a manifest of checksums."""
    from .ops.backup import backup as run_backup

    manifest = run_backup(ctx.settings, out)
    if ctx.as_json:
        ctx.emit(manifest)
    else:
        c = manifest["counts"]
        click.echo(f"backup {manifest['path']}: {c['publications']} publications, "
                   f"{len(manifest['files'])} files, {manifest['bytes'] / 1e6:.1f} MB")


@main.command()
@click.argument("backup_path", metavar="BACKUP", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace a catalogue that already holds publications.")
@common
def restore(ctx: Context, backup_path: str, force: bool) -> None:
    """Restore a backup into this home and database, after checking every checksum."""
    from .ops.backup import restore as run_restore

    report = run_restore(ctx.settings, backup_path, force=force)
    if ctx.as_json:
        ctx.emit(report)
    else:
        c = report["counts"]
        click.echo(f"restored {backup_path}: {c['publications']} publications; every count matches the manifest")


# ----------------------------------------------------------------------------- doctor
@main.command()
@click.option("--min-free-gb", type=float, envvar="PATENTDESK_DOCTOR_MIN_FREE_GB", default=2.0, show_default=True,
              help="Warn when the home's file system has less free space.")
@common
def doctor(ctx: Context, min_free_gb: float) -> None:
    """Check a deployment: configuration, database, migrations, index, vectors, model, disk."""
    from .ops.doctor import FAIL, WARN, run_checks

    checks = run_checks(ctx.settings, min_free_gb=min_free_gb)
    worst = FAIL if any(c.status == FAIL for c in checks) else WARN if any(c.status == WARN for c in checks) else "ok"
    if ctx.as_json:
        ctx.emit({"status": worst, "checks": [c.to_dict() for c in checks]})
    else:
        for c in checks:
            click.echo(f"{c.status.upper():5} {c.name:12} {c.detail}")
            if c.fix and c.status != "ok":
                click.echo(f"{'':18} fix: {c.fix}")
    if worst == FAIL:
        sys.exit(1)
