"""The bulk units on Apache Spark: `patentdesk bulk ingest|embed --engine spark`.

The driver plans the units (file paths) and ships them to the executors. For `bulk ingest` each
task runs `lake.write_unit`: the ingest loop of `patentdesk ingest`, readers included, on one file,
its rows written to the lake's Parquet datasets by the task itself. For `bulk embed` Spark reads
the lake, the tasks run `units.embed_rows` (the passages and encoder of `patentdesk embed`) and
Spark writes the vectors. Nothing here parses or embeds differently from the embedded engine, so a
lake written by either loads into the same catalogue.

Executors read the inputs and write the lake by path: on a cluster both must be on storage every
executor mounts at the same path (NFS, CephFS, Lustre), and patentdesk must be installed in the
executors' Python (see docs/deployment.md). `--master local[N]` runs everything on this machine.

pyspark is imported only here and only when the Spark engine is asked for.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ConfigError
from .lake import (
    EMB_COLUMNS,
    EMB_PARTITIONS,
    EMBEDDINGS,
    PUB_COLUMNS,
    PUBLICATIONS,
    BulkSummary,
    Lake,
    _now,
    new_run_id,
    pending_embed_runs,
    run_manifest,
    summary_of,
    write_unit,
)
from .units import embed_rows, plan

DEFAULT_MASTER = "local[2]"


class SparkUnavailable(ConfigError):
    code = "spark_unavailable"


class SparkJobFailed(ConfigError):
    code = "spark_failed"


def session(master: str = DEFAULT_MASTER, *, driver_memory: str = "1g", executor_memory: str | None = None,
            conf: dict[str, str] | None = None) -> Any:
    """The active SparkSession, or a new one for `master` with patentdesk's settings.

    Local masters bind to 127.0.0.1 and need no network; the web UI is off; their workers run this
    Python (`sys.executable`), so they import the same patentdesk. On a cluster, the executors'
    Python is the deployment's `PYSPARK_PYTHON`.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'patentdesk[spark]' (and Java 17+)") \
            from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    local = master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # pyspark starts workers with $PYSPARK_PYTHON (default: the first python3 on PATH); in
        # local mode they must be this interpreter, which has patentdesk installed
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": driver_memory,
        # partition values ("2005", "unknown") stay text, as the lake's schema says
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.session.timeZone": "UTC",
    }
    if local:
        settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"})
    if executor_memory:
        settings["spark.executor.memory"] = executor_memory
    settings.update(conf or {})
    builder = SparkSession.builder.master(master).appName("patentdesk")
    for k, v in settings.items():
        builder = builder.config(k, v)
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # noqa: BLE001 - a JVM that does not start surfaces as many exception types
        raise SparkUnavailable(f"Spark did not start ({type(e).__name__}: {e}); is Java 17+ installed "
                               "(`java -version`)?") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_schema(columns: Sequence[tuple[str, str]]) -> Any:
    from pyspark.sql.types import (
        BinaryType,
        DateType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    types = {"str": StringType(), "int": IntegerType(), "date": DateType(), "bytes": BinaryType()}
    return StructType([StructField(name, types[t], True) for name, t in columns])


def _failure(e: Exception) -> SparkJobFailed:
    text = str(e)
    # the Python traceback of the executor ends in the line that matters
    lines = [ln for ln in text.splitlines() if ln.strip()]
    tail = next((ln for ln in reversed(lines) if "Error" in ln or "Exception" in ln), lines[-1] if lines else text)
    return SparkJobFailed(f"the Spark job failed: {tail.strip()}")


_SPARK_ERRORS = ("Py4JJavaError", "PythonException", "SparkException", "AnalysisException")


def spark_ingest(spark: Any, inputs: Sequence[str], out: str | os.PathLike[str], *,
                 fmt: str | None = None) -> BulkSummary:
    """`bulk ingest --engine spark`: one Spark task per input file.

    Each task parses its file and writes its rows to the lake with pyarrow (`lake.write_unit`):
    records travel as Arrow columns straight to Parquet instead of as pickled rows through the
    JVM, which costs more than the parsing. Only the counts come back to the driver.
    """
    if fmt:
        from ..ingest.base import get_reader

        get_reader(fmt)
    units = plan(inputs)
    lake = Lake.open(out, create=True)
    run = new_run_id()
    started, t0 = _now(), time.perf_counter()
    sc = spark.sparkContext
    try:
        stats = (sc.parallelize([u.to_tuple() for u in units], max(1, len(units)))
                 .map(functools.partial(write_unit, str(lake.root), run, fmt))
                 .collect())
    except Exception as e:
        if type(e).__name__ in _SPARK_ERRORS:
            raise _failure(e) from None
        raise
    manifest = run_manifest(run, "spark", inputs, fmt, units, stats, started, time.perf_counter() - t0,
                            extra={"master": sc.master, "spark": spark.version})
    lake.write_run(manifest)
    return summary_of(lake, manifest)


def _embed_partition(run: str, rows: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    records = ((r["number"], r["content_hash"], r["record"], r["source"], r["year"]) for r in rows)
    for row in embed_rows(records):
        yield (run, *row)


def spark_embed(spark: Any, lake_path: str | os.PathLike[str], *, partitions: int | None = None) -> dict[str, Any]:
    """`bulk embed --engine spark`: passage vectors of the lake's runs not yet embedded with this model."""
    from pyspark.sql import functions as F

    from ..index.embed import model_info

    lake = Lake.open(lake_path)
    key = model_info().key()
    runs = pending_embed_runs(lake, key)
    erun = new_run_id()
    started, t0 = _now(), time.perf_counter()
    docs = passages = 0
    if runs and lake.path(PUBLICATIONS).is_dir():
        try:
            pubs = (spark.read.schema(spark_schema(PUB_COLUMNS))
                    .option("basePath", str(lake.path(PUBLICATIONS)))
                    .parquet(str(lake.path(PUBLICATIONS)))
                    .where(F.col("lake_run").isin(runs))
                    .select("number", "content_hash", "record", "source", "year"))
            docs = pubs.count()
            n = partitions or max(1, spark.sparkContext.defaultParallelism * 2)
            rdd = pubs.repartition(n).rdd.mapPartitions(functools.partial(_embed_partition, erun))
            # the rows are built here with the schema's types: no per-row check needed
            df = spark.createDataFrame(rdd, spark_schema(EMB_COLUMNS), verifySchema=False)
            df.write.mode("append").partitionBy(*EMB_PARTITIONS).parquet(str(lake.path(EMBEDDINGS)))
            passages = (spark.read.schema(spark_schema(EMB_COLUMNS)).option("basePath", str(lake.path(EMBEDDINGS)))
                        .parquet(str(lake.path(EMBEDDINGS))).where(F.col("embed_run") == erun).count())
        except Exception as e:
            if type(e).__name__ in _SPARK_ERRORS:
                raise _failure(e) from None
            raise
    manifest = {"run": erun, "engine": "spark", "master": spark.sparkContext.master, "model": key, "runs": runs,
                "documents": docs, "passages": passages, "started": started, "finished": _now(),
                "seconds": round(time.perf_counter() - t0, 3)}
    lake.write_embed_run(manifest)
    return manifest
