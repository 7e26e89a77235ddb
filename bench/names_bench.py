"""Applicant name harmonization benchmark: quality on gold-labelled assignee sets, and speed.

``python -m bench.names_bench --out bench/results [--quick]`` writes ``names.json``.

1. Quality. The assignee benchmarks of PatentsView's `pv-evaluation` package (install it with
   ``pip install --no-deps pv-evaluation``: only its CSV files are read):
   * ``air-umass``: 185,250 mentions, 2,269 distinct names, 105 gold entities;
   * ``nber-subset``: 206,416 mentions (after 10,431 repeated rows), 12,364 distinct names,
     6,176 gold entities (skipped with ``--quick``).
   Three methods, each given every mention's raw name (so frequencies are known):
   ``baseline`` (names equal once case, punctuation and spacing are ignored), ``normalized``
   (equal `normalize_name` keys) and ``harmonizer`` (`patentdesk.analysis.names.harmonize`).
   Pairwise and B-cubed precision/recall/F1, per mention and per distinct name (every spelling
   counts once: the harder view). Targets on AIR-UMass per distinct name: B-cubed F1 far above
   the baseline, B-cubed precision >= 0.95.
2. Speed. Seconds for each method above, and for the harmonizer on every distinct name of both
   benchmarks together (one list, about 14,600 names), once from a cold cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import envelope, write_result

NAME = "names"
PRECISION_TARGET = 0.95


def _targets(results: list[dict[str, Any]]) -> dict[str, Any]:
    air = next((r for r in results if r["benchmark"] == "air-umass"), None)
    if air is None:
        return {}
    base = air["methods"]["baseline"]["name"]["bcubed"]
    ours = air["methods"]["harmonizer"]["name"]["bcubed"]
    return {"air_umass_name_bcubed_f1": {"baseline": base["f1"], "harmonizer": ours["f1"]},
            "air_umass_name_bcubed_precision": ours["precision"],
            "precision_target": PRECISION_TARGET,
            "met": ours["precision"] >= PRECISION_TARGET and ours["f1"] > base["f1"]}


def _scale(benchmarks: list[str]) -> dict[str, Any]:
    from patentdesk.analysis import names as N
    from patentdesk.analysis import names_eval as E

    distinct: set[str] = set()
    for b in benchmarks:
        distinct.update(E.load_benchmark(b).names())
    names = sorted(distinct)
    N.analyze.cache_clear()
    N.token_similarity.cache_clear()
    start = time.perf_counter()
    groups = N.harmonize(names)
    seconds = time.perf_counter() - start
    return {"distinct_names": len(names), "groups": len(set(groups.values())), "seconds": round(seconds, 2),
            "names_per_second": round(len(names) / seconds) if seconds else None}


def run(out_dir: Path, *, quick: bool = False) -> dict[str, Any]:
    from patentdesk.analysis import names_eval as E

    benchmarks = ["air-umass"] if quick else list(E.BENCHMARKS)
    results = E.evaluate_all(benchmarks)
    result = {**envelope(NAME), "quick": quick, "targets": _targets(results), "results": results,
              "scale": _scale(benchmarks), "table": E.format_table(results).splitlines()}
    write_result(out_dir, NAME, result)
    print(E.format_table(results), file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.names_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--quick", action="store_true", help="AIR-UMass only")
    args = parser.parse_args(argv)
    result = run(args.out, quick=args.quick)
    return 0 if result["targets"].get("met") else 1


if __name__ == "__main__":
    sys.exit(main())
