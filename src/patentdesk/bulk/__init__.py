"""Batch work for collections that outgrow one process: parse and embed on a distributed engine,
write a Parquet lake, and load the lake into the catalogue and its indexes.

* `units`: the work itself, engine-free: which files make one unit of work, and what one unit
  gives (the very same readers and ingest loop as `patentdesk ingest`, passage vectors from the
  very same encoder as `patentdesk embed`);
* `lake`: the Parquet layout (schemas, manifests), the in-process ("embedded") engine, and
  `load_lake`, which brings a lake into a catalogue incrementally;
* `spark`: the same units run on Apache Spark (`pyspark`, imported only when asked for).
"""
