"""The one generator of large corpora for every benchmark, seeded with real patent records.

No office's full bulk files are available here, so benchmark corpora are *generated from the real
records* in the shared data folder (``$PATENTDESK_SHARED_DATA``, default ``../shared/data``):

* the USPTO weekly slices (``uspto-xml/weekly-slices``, 225 grants of 2005-2013), parsed with the
  product's own USPTO reader: titles, abstract sentences, claims, description paragraphs,
  applicant and inventor names with their countries, IPC/CPC class profiles, cited numbers;
* the PatentsView neural-network export (3,522 US patents): titles and abstract sentences;
* the Lens jet-engine export (3,779 rows) and the Lens construction export (CN/KR, English
  abstracts): applicant names, IPC/CPC class profiles (the classes of one real record travel
  together, so co-occurrence stays realistic), the distribution of publication years, titles and
  abstract sentences.

`generate(n, seed)` recombines that material: a record takes a real title, 2-5 abstract sentences
drawn from the whole pool, an independent claim of one real patent followed by dependent claims
of others (their references rewritten to claim 1), 3-8 description paragraphs, 1-3 real applicant
names and 1-5 real inventor names, the class profile of one real record, citations to real cited
numbers and to earlier generated records, and 1-2 priority claims. Countries follow approximate
shares of worldwide patent publications (WIPO IP statistics, rounded: CN, US, JP, KR, WO, EP,
DE, ...); kind codes and document types follow each office's practice. Publication years run
1990-2024 weighted by the Lens year histogram (the years after the export, 2021-2024, take the
mean of its last three years). Numbers are synthetic and unique (one serial per record), three
consecutive records make one family. Texts are English, as the seed texts are (the record's `lang`
is its office's language, as for the English translations Lens and DOCDB carry).

The same (n, seed) gives the same records, byte for byte; record i does not depend on n.

`write_uspto_weekly(path, n_docs, seed)` writes a synthetic weekly grant file in the USPTO
v4.x concatenated format: real grant documents of the slices, drawn with the seed, each with a new
unique doc-number, for benchmarks of file-size scale (the memory benchmark).

The parse of the seed material takes seconds and every benchmark needs it, so it is cached: in
the process, and on disk under the user cache folder (``$PATENTDESK_BENCH_CACHE`` overrides),
keyed by the sizes and times of the seed files and of the reader that parsed them.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import gzip
import hashlib
import itertools
import json
import os
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

from patentdesk.model import (
    SOURCE_RANK,
    Citation,
    Classification,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
)
from patentdesk.normalize import canonical_number, clean_doc_number, ipc_symbol

CACHE_VERSION = 1
REPO = Path(__file__).resolve().parents[1]
YEARS = range(1990, 2025)

# Approximate shares of worldwide patent publications by office (WIPO IP statistics, rounded).
COUNTRY_SHARES: dict[str, float] = {
    "CN": 0.40, "US": 0.17, "JP": 0.09, "KR": 0.06, "WO": 0.07, "EP": 0.05, "DE": 0.025, "IN": 0.02,
    "GB": 0.01, "FR": 0.01, "CA": 0.01, "AU": 0.01, "RU": 0.01, "TW": 0.015, "BR": 0.01,
}
# (kind, doc_type, weight) per office; "*" for offices not listed.
KINDS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "CN": (("A", "application", 0.45), ("B", "grant", 0.20), ("U", "utility_model", 0.30), ("S", "design", 0.05)),
    "US": (("A1", "application", 0.50), ("B2", "grant", 0.32), ("B1", "grant", 0.12), ("S1", "design", 0.05),
           ("E", "reissue", 0.01)),
    "JP": (("A", "application", 0.60), ("B2", "grant", 0.35), ("U", "utility_model", 0.05)),
    "KR": (("A", "application", 0.50), ("B1", "grant", 0.40), ("U", "utility_model", 0.10)),
    "WO": (("A1", "application", 0.85), ("A2", "application", 0.10), ("A3", "search_report", 0.05)),
    "EP": (("A1", "application", 0.45), ("B1", "grant", 0.40), ("A2", "application", 0.15)),
    "DE": (("A1", "application", 0.50), ("B4", "grant", 0.25), ("U1", "utility_model", 0.25)),
    "RU": (("C1", "grant", 0.45), ("C2", "grant", 0.35), ("U1", "utility_model", 0.20)),
    "*": (("A", "application", 0.55), ("B", "grant", 0.45)),
}
COUNTRY_LANG = {"CN": "zh", "JP": "ja", "KR": "ko", "DE": "de", "FR": "fr", "RU": "ru", "TW": "zh", "BR": "pt"}


def data_dir() -> Path:
    return Path(os.environ.get("PATENTDESK_SHARED_DATA", REPO.parent / "shared" / "data"))


# ------------------------------------------------------------------------------------- seed material

@dataclass
class Seed:
    titles: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    independent_claims: list[str] = field(default_factory=list)
    dependent_claims: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    applicants: list[tuple[str, str | None]] = field(default_factory=list)
    inventors: list[tuple[str, str | None]] = field(default_factory=list)
    class_profiles: list[tuple[list[str], list[str]]] = field(default_factory=list)
    cited_numbers: list[str] = field(default_factory=list)
    year_weights: list[tuple[int, float]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in asdict(self).items()}


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])")
_CLAIM_NO = re.compile(r"^\s*\d+\s*[.)]\s*")
_CLAIM_REF = re.compile(r"\bclaims? \d+(?:\s*(?:-|to|or|and)\s*\d+)?", re.I)


def _sentences(text: str | None) -> list[str]:
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if 25 <= len(s.strip()) <= 600]


def _pv_clean(value: str) -> str:
    """PatentsView's export wraps values in extra quotes: '" A ""Barometer"" Neuron ..."' ."""
    v = value.strip()
    while len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        v = v[1:-1].strip()
    return v.replace('""', '"').strip()


def _split(value: str) -> list[str]:
    return [x.strip() for x in value.split(";;") if x.strip()]


def _uspto_files() -> list[Path]:
    return sorted((data_dir() / "uspto-xml" / "weekly-slices").glob("*.xml"))


def _seed_files() -> list[Path]:
    d = data_dir()
    return [*_uspto_files(), d / "patentsview-abstracts" / "neural-network-patents.csv",
            d / "lens" / "lens-export-jet-engines.csv", d / "lens" / "api-flat-construction-patents.csv",
            d / "lens" / "api-flat-construction-applicants.csv"]


def _uspto_publications() -> Iterator[Publication]:
    from patentdesk.ingest.readers.uspto import UsptoGrantReader
    from patentdesk.ingest.sources import FileSource

    reader = UsptoGrantReader()
    for path in _uspto_files():
        for out in reader.read(FileSource(path)):
            if isinstance(out, Publication):
                yield out


def _parse_seed() -> Seed:
    seed = Seed()
    years: dict[int, float] = {}
    for pub in _uspto_publications():
        if pub.title:
            seed.titles.append(pub.title)
        seed.sentences += _sentences(pub.abstract)
        claims = [_CLAIM_NO.sub("", c).strip() for c in (pub.text("claims") or "").split("\n") if c.strip()]
        for c in claims:
            if 40 <= len(c) <= 3000:
                (seed.dependent_claims if _CLAIM_REF.search(c) else seed.independent_claims).append(c)
        paras = [p for p in (pub.text("description") or "").split("\n") if 80 <= len(p) <= 2000]
        seed.paragraphs += paras[:40]
        for p in pub.parties:
            if p.role in ("applicant", "assignee") and p.kind != "person":
                seed.applicants.append((p.name, p.country))
            elif p.role == "inventor":
                seed.inventors.append((p.name, p.country))
        ipc, cpc = pub.classes("ipc"), pub.classes("cpc")
        if ipc or cpc:
            seed.class_profiles.append((ipc, cpc))
        seed.cited_numbers += [c.cited_number for c in pub.citations if c.cited_number]
    d = data_dir()
    with (d / "patentsview-abstracts" / "neural-network-patents.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            title = _pv_clean(row["patent_title"])
            if title:
                seed.titles.append(title)
            seed.sentences += _sentences(_pv_clean(row["patent_abstract"]))
    with (d / "lens" / "lens-export-jet-engines.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["Title"].strip():
                seed.titles.append(" ".join(row["Title"].split()))
            country = row["Jurisdiction"] or None
            seed.applicants += [(name, None) for name in _split(row["Applicants"])]
            seed.inventors += [(name, country) for name in _split(row["Inventors"])]
            ipc = [s for s in (ipc_symbol(x) for x in _split(row["IPCR Classifications"])) if s]
            cpc = [s for s in (ipc_symbol(x) for x in _split(row["CPC Classifications"])) if s]
            if ipc or cpc:
                seed.class_profiles.append((ipc, cpc))
            if row["Publication Year"].isdigit():
                years[int(row["Publication Year"])] = years.get(int(row["Publication Year"]), 0) + 1
    with (d / "lens" / "api-flat-construction-patents.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["invention_title"].strip() and row.get("title_lang", "en") in ("en", ""):
                seed.titles.append(" ".join(row["invention_title"].split()))
            if row.get("abstract_lang", "en") in ("en", ""):
                seed.sentences += _sentences(row["abstract"])
    with (d / "lens" / "api-flat-construction-applicants.csv").open(encoding="utf-8", newline="") as f:
        seed.applicants += [(row["extracted_name"].strip(), None) for row in csv.DictReader(f)
                            if row["extracted_name"].strip()]
    recent = [years.get(y, 0) for y in (2018, 2019, 2020)]
    fill = sum(recent) / len(recent)
    seed.year_weights = [(y, float(years.get(y, 0)) if y <= 2020 else fill) for y in YEARS]
    # the same name can come from several rows: keep the first of each, in order, for determinism
    seed.titles = list(dict.fromkeys(seed.titles))
    seed.sentences = list(dict.fromkeys(seed.sentences))
    seed.applicants = list(dict.fromkeys(seed.applicants))
    seed.inventors = list(dict.fromkeys(seed.inventors))
    seed.cited_numbers = list(dict.fromkeys(seed.cited_numbers))
    return seed


def _cache_key() -> str:
    from patentdesk.ingest.readers import uspto

    h = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    for p in [*_seed_files(), Path(uspto.__file__), Path(__file__)]:
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    env = os.environ.get("PATENTDESK_BENCH_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("patentdesk", appauthor=False)) / "bench"


@functools.lru_cache(maxsize=1)
def seed_material() -> Seed:
    """The parsed seed material, from the cache when the seed files have not changed."""
    path = cache_dir() / f"seed-{_cache_key()}.json.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            raw = json.load(f)
        return Seed(**{k: [tuple(x) if isinstance(x, list) else x for x in v] if k in (
            "applicants", "inventors", "class_profiles", "year_weights") else v for k, v in raw.items()})
    seed = _parse_seed()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        json.dump(asdict(seed), f, ensure_ascii=False)
    os.replace(tmp, path)
    return seed


# ------------------------------------------------------------------------------------- records

class _Weighted:
    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[_Weighted, dict[str, _Weighted], _Weighted]:
    seed = seed_material()
    countries = _Weighted(list(COUNTRY_SHARES), list(COUNTRY_SHARES.values()))
    kinds = {cc: _Weighted([(k, t) for k, t, _ in ks], [w for _, _, w in ks]) for cc, ks in KINDS.items()}
    years = _Weighted([y for y, _ in seed.year_weights], [w for _, w in seed.year_weights])
    return countries, kinds, years


def _doc_number(country: str, kind: str, doc_type: str, year: int, i: int) -> str:
    """Unique per record index: the serial is `i` itself, in the office's usual shape."""
    if country == "US" and doc_type == "application":
        return f"{year}{i:07d}"
    if country == "WO":
        return f"{year}{i:06d}"
    if country == "US" and doc_type == "design":
        return f"D{700000 + i}"
    if country == "US" and doc_type == "reissue":
        return f"RE{50000 + i}"
    return str(10_000_000 + i)


def _synthetic_number(seed: int, i: int) -> str:
    """The canonical number record `i` of corpus `seed` gets (used for citations between records)."""
    return _skeleton(seed, i)[0]


@functools.lru_cache(maxsize=65536)
def _skeleton(seed: int, i: int) -> tuple[str, str, str, str, str, int]:
    countries, kinds, years = _tables()
    rng = random.Random(f"skeleton:{seed}:{i}")
    country = countries.pick(rng)
    kind, doc_type = kinds.get(country, kinds["*"]).pick(rng)
    year = years.pick(rng)
    doc = clean_doc_number(country, _doc_number(country, kind, doc_type, year, i))
    return canonical_number(country, doc, kind), country, doc, kind, doc_type, year


def _claims(rng: random.Random, seed: Seed) -> str:
    first = rng.choice(seed.independent_claims)
    deps = [_CLAIM_REF.sub("claim 1", rng.choice(seed.dependent_claims))
            for _ in range(rng.randint(2, 14))] if seed.dependent_claims else []
    return "\n".join(f"{n}. {c}" for n, c in enumerate([first, *deps], 1))


def make_publication(i: int, seed: int = 0) -> Publication:
    """Record `i` of the corpus generated with `seed`."""
    material = seed_material()
    number, country, doc, kind, doc_type, year = _skeleton(seed, i)
    rng = random.Random(f"record:{seed}:{i}")
    pub_date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    app_date = pub_date - dt.timedelta(days=rng.randint(300, 1500))
    prio_dates = sorted(app_date - dt.timedelta(days=rng.randint(0, 365)) for _ in range(rng.choice((1, 1, 1, 2))))
    prio_country = country if country not in ("WO", "EP") else rng.choice(("US", "JP", "DE", "CN", "KR", "FR"))
    priorities = tuple(Priority(prio_country, f"{d.year}-{i % 1_000_000:06d}{n}", d, n, "national")
                       for n, d in enumerate(prio_dates, 1))
    abstract = " ".join(rng.choice(material.sentences) for _ in range(rng.randint(2, 5)))
    texts = [Text("title", "en", rng.choice(material.titles)), Text("abstract", "en", abstract)]
    if doc_type != "design":
        texts.append(Text("claims", "en", _claims(rng, material)))
        texts.append(Text("description", "en",
                          "\n".join(rng.choice(material.paragraphs) for _ in range(rng.randint(3, 8)))))
    parties: list[Party] = []
    for n in range(1, rng.randint(1, 3) + 1):
        name, cc = rng.choice(material.applicants)
        parties.append(Party(name, "applicant", n, cc))
    for n in range(1, rng.randint(1, 5) + 1):
        name, cc = rng.choice(material.inventors)
        parties.append(Party(name, "inventor", n, cc, kind="person"))
    ipc, cpc = rng.choice(material.class_profiles)
    classes = [Classification("ipc", s, 0) for s in ipc] + [Classification("cpc", s, 0) for s in cpc]
    if doc_type == "design":
        classes = [Classification("locarno", f"{rng.randint(1, 32):02d}{rng.randint(1, 20):02d}", 0)]
    citations: list[Citation] = []
    for _ in range(rng.randint(0, 8)):
        citations.append(Citation(0, "patent", rng.choice(material.cited_numbers), cited_by="examiner"))
    for _ in range(rng.randint(0, 4) if i > 10 else 0):
        citations.append(Citation(0, "patent", _synthetic_number(seed, rng.randrange(i)), cited_by="applicant"))
    return Publication(
        number=number, country=country, doc_number=doc, kind=kind, doc_type=doc_type, publication_date=pub_date,
        application_number=f"{country}{year - 1}{i:07d}", application_date=app_date, application_country=country,
        priorities=priorities, earliest_priority_date=prio_dates[0], texts=tuple(texts), parties=tuple(parties),
        classifications=tuple(Classification(c.scheme, c.symbol, n) for n, c in enumerate(classes, 1)),
        citations=tuple(Citation(n, c.kind, c.cited_number, cited_by=c.cited_by)
                        for n, c in enumerate(citations, 1)),
        family_id=f"SYN{seed}-{i // 3}", family_source="source", lang=COUNTRY_LANG.get(country, "en"),
        source_rank=SOURCE_RANK["official-fulltext"],
        provenance=Provenance("bench-generator", f"generated:seed={seed}", i + 1),
    )


def generate(n: int, seed: int = 0) -> Iterator[Publication]:
    """`n` synthetic publications recombined from real records; deterministic for a seed."""
    for i in range(n):
        yield make_publication(i, seed)


# ------------------------------------------------------------------------------------- weekly files

_PUBREF_NUMBER = re.compile(rb"(<publication-reference>\s*<document-id>\s*<country>\w+</country>\s*<doc-number>)"
                            rb"([A-Z]*)(\d+)(</doc-number>)")
_FILE_ATTR = re.compile(rb'file="[^"]*"')


@functools.lru_cache(maxsize=1)
def seed_grant_documents() -> tuple[bytes, ...]:
    """The raw grant documents of the weekly slices, exactly as USPTO ships them."""
    from patentdesk.ingest.xmlsafe import split_concatenated

    docs = []
    for path in _uspto_files():
        with path.open("rb") as f:
            docs += [data for _, _, data in split_concatenated(f) if b"<us-patent-grant" in data[:2000]]
    return tuple(docs)


def renumber_document(doc: bytes, serial: int) -> bytes:
    """A grant document with a new doc-number in its publication reference (letters kept: D, RE, PP)."""
    def repl(m: re.Match[bytes]) -> bytes:
        width = len(m.group(3))
        digits = str(2 * 10 ** (width - 1) + serial).encode()
        return m.group(1) + m.group(2) + digits + m.group(4)

    out, count = _PUBREF_NUMBER.subn(repl, doc, count=1)
    if count != 1:
        raise ValueError("grant document without a publication reference")
    m = _PUBREF_NUMBER.search(out)
    assert m is not None
    return _FILE_ATTR.sub(b'file="US' + m.group(2) + m.group(3) + b'.XML"', out, count=1)


def weekly_documents(n_docs: int, seed: int = 0) -> Iterator[bytes]:
    docs = seed_grant_documents()
    rng = random.Random(f"weekly:{seed}")
    for k in range(n_docs):
        yield renumber_document(rng.choice(docs), k)


def average_grant_bytes() -> float:
    docs = seed_grant_documents()
    return sum(len(d) for d in docs) / len(docs)


def docs_for_bytes(target_bytes: int) -> int:
    """About how many documents a weekly file of `target_bytes` holds."""
    return max(1, round(target_bytes / average_grant_bytes()))


def write_uspto_weekly(path: str | os.PathLike[str] | IO[bytes], n_docs: int, seed: int = 0) -> int:
    """Write a synthetic USPTO v4.x weekly grant file of `n_docs` documents; returns its size in bytes."""
    if hasattr(path, "write"):
        return _write_docs(path, n_docs, seed)  # type: ignore[arg-type]
    target = Path(path)  # type: ignore[arg-type]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        return _write_docs(f, n_docs, seed)


def _write_docs(f: IO[bytes], n_docs: int, seed: int) -> int:
    size = 0
    for doc in weekly_documents(n_docs, seed):
        if not doc.endswith(b"\n"):
            doc += b"\n"
        f.write(doc)
        size += len(doc)
    return size


__all__ = ["Seed", "average_grant_bytes", "docs_for_bytes", "generate", "make_publication", "seed_grant_documents",
           "seed_material", "write_uspto_weekly"]
