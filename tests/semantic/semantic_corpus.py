"""Helpers of the semantic tests: a small real corpus, a few hundred PatentsView neural-network
abstracts and Lens construction records (excerpts of the real files, written with their original
headers so the real readers load them), the dev-set targets the tests query, and one USPTO weekly
slice with full texts (claims and descriptions)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from patentdesk.config import Settings, resolve
from patentdesk.index.embed import Encoder, default_encoder
from patentdesk.store.catalogue import Catalogue

DEVSET = Path(__file__).resolve().parents[1] / "data" / "devset" / "known-items.jsonl"
NN_CSV = "patentsview-abstracts/neural-network-patents.csv"
LENS_CSV = "lens/api-flat-construction-patents.csv"
USPTO_SLICE = "uspto-xml/weekly-slices/ipg120103.small.xml"

# dev-set targets queried in all four languages by the tests (each is in the excerpt below), and
# other targets the tests use
FOUR_LANGUAGE_TARGETS = ("US7363185", "US8346711", "US6154140", "US5594597", "CN114960994A", "CN111792903A")
OTHER_TARGETS = ("US9406017", "US9401148", "CN113603444B", "KR101977585B1", "EP3467045A1")
TARGETS = FOUR_LANGUAGE_TARGETS + OTHER_TARGETS


def _excerpt(src: Path, dst: Path, keep: set[str], key: str, first: int, need_abstract: str | None = None) -> int:
    """Copy the header, the first `first` rows and every row whose `key` is in `keep`."""
    text = src.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames is not None
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    n = 0
    for i, row in enumerate(reader):
        if need_abstract and not row[need_abstract].strip():
            continue
        if i < first or row[key] in keep:
            writer.writerow(row)
            n += 1
    dst.write_text(out.getvalue(), encoding="utf-8")
    return n


def devset_targets() -> dict[str, list[dict[str, str]]]:
    by_target: dict[str, list[dict[str, str]]] = {}
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_target.setdefault(row["target"], []).append(row)
    return by_target


@dataclass
class Corpus:
    settings: Settings
    catalogue: Catalogue
    encoder: Encoder
    rows: int


def build_corpus(data_dir: Path, root: Path, nn_first: int, lens_first: int, uspto: bool) -> Corpus:
    from patentdesk.index import fulltext
    from patentdesk.index.vectors import VectorStore
    from patentdesk.ingest.pipeline import ingest

    src = root / "src"
    (src / "patentsview").mkdir(parents=True)
    (src / "lens").mkdir(parents=True)
    nn_keep = {t[2:] for t in TARGETS if t.startswith("US") and t[2:].isdigit()}
    lens_keep = {"CN_113603444_B_20220603", "KR_101977585_B1_20190515", "EP_3467045_A1_20190410",
                 "CN_114960994_A_20220830", "CN_111792903_A_20201020"}
    rows = _excerpt(data_dir / NN_CSV, src / "patentsview" / "neural-network-patents.csv", nn_keep,
                    "patent_number", nn_first)
    rows += _excerpt(data_dir / LENS_CSV, src / "lens" / "api-flat-construction-patents.csv", lens_keep,
                     "doc_key", lens_first, need_abstract="abstract")
    inputs = [str(src / "patentsview"), str(src / "lens")]
    if uspto:
        inputs.append(str(data_dir / USPTO_SLICE))
    settings = resolve(root / "home")
    settings.ensure()
    cat = Catalogue(settings.database_url)
    summary = ingest(cat, inputs)
    assert summary.quarantined == 0, summary.errors[:3]
    fulltext.rebuild(settings, cat)
    encoder = default_encoder()
    VectorStore.of(settings).update(cat, encoder)
    return Corpus(settings, cat, encoder, rows)
