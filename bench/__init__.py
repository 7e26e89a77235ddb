"""Benchmarks of patentdesk (`make bench` runs them all: ``python -m bench.run --out bench/results``).

A benchmark is a module ``bench/<name>_bench.py`` with

    def run(out_dir: pathlib.Path, *, quick: bool = False) -> dict

that measures, writes ``out_dir/<name>.json`` and returns what it wrote. Every result records the
exact command, the machine and the date; `bench.run.envelope()` builds that part. A module
without `run` is run as ``python -m bench.<name>_bench --out DIR [--quick]`` instead.

Large corpora come from one generator, `bench.generator`, seeded with the real records in the
shared data folder: no benchmark invents its own data.
"""
