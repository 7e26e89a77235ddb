"""The full-text index (tantivy): derived from the catalogue, rebuilt from it at any time.

Layout: ``<settings.index_dir>/fulltext/`` holds the tantivy files and ``patentdesk-index.json``,
the index's description of itself: schema version, document count, the catalogue snapshot it
was built from, build and update times. Words are analyzed in Python (`analysis`), so indexing and
querying cut words the same way, and handed to tantivy spelled out (`spelled_out`): the words of a
field joined by blanks, one ``\\x01`` mark per position left empty between sentences; the field's
tokenizer (`WORDS_TOKENIZER`: split at blanks, drop the marks) gives back exactly those words and
positions. Both forms give the same index, but tantivy copies a pre-tokenized field token by token
through its document store, so a spelled-out word costs about a fifth as much; a field goes
pre-tokenized when its words cannot be spelled out (Chinese sub-words share a position) or when
its sentences are so short that the gap marks would cost more (`MARKS_PER_WORD`).

Schema changes bump `SCHEMA_VERSION`. Searching an index of another version is refused with a
message to run ``patentdesk index rebuild``; `update_after_ingest` rebuilds such an index itself,
since it has the catalogue at hand.

Index fields (see `search.fields` for the query side):

* text zones ``ti ab cl desc``: unstemmed words, plus ``<zone>_en`` / ``<zone>_pt`` stemmed words
  of English (and undetermined) / Portuguese texts; name zones ``pa in``: unstemmed words;
* word pairs ``<zone>_en2`` / ``<zone>_pt2``: every two stems at neighbouring positions, as one
  term (`PAIR_MARK` between them), counted but without positions: a two-word phrase in a stemmed
  variant is one term lookup, and a longer one checks positions only where all its pairs occur;
* ``rz`` (raw zones): the text zones where an unstemmed word can match and no stemmed one does
  (`analysis.IndexZone.unstemmed_only`): a text in a language without a stemmed variant, or a word
  whose folded form differs from the form the stemmer reads (accents). Elsewhere stems are taken
  word by word at the same positions, so a query phrase without such marks matches unstemmed only
  where its stems match too: the planner checks unstemmed phrases only in marked zones;
* keywords (lower case, one term per value): ``pn ap pr ct fam cc kind lang ipc cpc``;
* integers: ``pd ad prd`` (YYYYMMDD), ``py`` (year), ``nct`` (cited documents), sort keys;
* facet columns ``f_country f_kind f_applicant f_ipc f_tech`` and the stored ``hit`` summary.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..config import Settings
from ..errors import ConfigError, PatentdeskError
from ..model import Publication
from . import analysis as A
from . import swap

if TYPE_CHECKING:
    from ..store.catalogue import Catalogue

SCHEMA_VERSION = 3  # 2: positional fields take WORDS_TOKENIZER (same terms and positions as 1)
# 3: word pair fields <zone>_<variant>2 and the raw zone marks rz
META_FILE = "patentdesk-index.json"
DIR_NAME = "fulltext"

TEXT_ZONES = ("ti", "ab", "cl", "desc")
NAME_ZONES = ("pa", "in")
STEM_VARIANTS = tuple(A.STEMMED_LANGS)  # ("en", "pt")
RAW_ZONES = "rz"
KEYWORD_FIELDS = ("number", "pn", "ap", "pr", "ct", "fam", "cc", "kind", "lang", "ipc", "cpc", RAW_ZONES)
PAIR_SUFFIX = "2"  # <zone>_<variant>2: word pairs of a stemmed variant
PAIR_MARK = "\x02"  # between the two words of a pair term; never part of a word (`analysis.plain_words`)
INT_FIELDS = ("pd", "ad", "prd", "py", "nct")
SORT_NEWEST = "sort_newest"  # YYYYMMDD, 0 when unknown: descending puts newest first, unknown last
SORT_OLDEST = "sort_oldest"  # -YYYYMMDD, -99999999 when unknown: descending puts oldest first
WORDS_TOKENIZER = "patentdesk_words"
GAP_MARK = "\x01"  # one per empty position; never part of a word (`analysis.plain_words`)
FACET_FIELDS = {"country": "f_country", "kind": "f_kind", "applicant": "f_applicant",
                "ipc_subclass": "f_ipc", "tech_field": "f_tech", "year": "py"}

ProgressFn = Callable[[int, int], None]


class IndexMissing(ConfigError):
    code = "index_missing"


class IndexVersionMismatch(ConfigError):
    code = "index_version"


class IndexLocked(PatentdeskError):
    status = 409
    code = "index_locked"


# ------------------------------------------------------------------------------ schema
def build_schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    for zone in TEXT_ZONES:
        sb.add_text_field(zone, tokenizer_name=WORDS_TOKENIZER, index_option="position")
        for variant in STEM_VARIANTS:
            sb.add_text_field(f"{zone}_{variant}", tokenizer_name=WORDS_TOKENIZER, index_option="position")
            sb.add_text_field(pair_field(zone, variant), tokenizer_name=WORDS_TOKENIZER, index_option="freq")
    for zone in NAME_ZONES:
        sb.add_text_field(zone, tokenizer_name=WORDS_TOKENIZER, index_option="position")
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", stored=name == "number")
    for name in INT_FIELDS:
        sb.add_integer_field(name, indexed=True, fast=True)
    sb.add_integer_field(SORT_NEWEST, fast=True)
    sb.add_integer_field(SORT_OLDEST, fast=True)
    for name in FACET_FIELDS.values():
        if name != "py":
            sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_bytes_field("hit", stored=True)
    return sb.build()


def pair_field(zone: str, variant: str) -> str:
    return f"{zone}_{variant}{PAIR_SUFFIX}"


def pair_term(first: str, second: str) -> str:
    return first + PAIR_MARK + second


# ------------------------------------------------------------------------------ documents
def ymd(d: dt.date | None) -> int | None:
    return d.year * 10000 + d.month * 100 + d.day if d else None


def alnum(value: str) -> str:
    return re.sub(r"[\W_]+", "", value).lower()


def number_terms(number: str, country: str | None, doc_number: str | None) -> list[str]:
    """Terms a publication number is found by: with kind, without kind, the bare number."""
    out = [number.lower()]
    if country and doc_number:
        out.append((country + doc_number).lower())
        out.append(doc_number.lower())
    return list(dict.fromkeys(out))


CLASS_PATH = re.compile(r"([A-HY])(\d{2})([A-Z])(\d+)?(?:/(\w+))?")
"""A compact IPC/CPC symbol from its subclass down: section, class, subclass, main group, subgroup."""


def class_levels(symbol: str) -> list[str] | None:
    """Every level of a compact symbol from its subclass down, upper case: H01M10/0525 -> H, H01,
    H01M, H01M10, H01M10/0525; None when it is not one."""
    m = CLASS_PATH.fullmatch(symbol.upper().replace(" ", ""))
    if not m:
        return None
    sec, cls, sub, group, subgroup = m.groups()
    out = [sec, sec + cls, sec + cls + sub]
    if group:
        out.append(out[-1] + str(int(group)))
        if subgroup:
            out.append(out[-1] + "/" + subgroup)
    return out


def class_terms(symbol: str) -> list[str]:
    """The index terms of a symbol: every level (`class_levels`), lower case."""
    levels = class_levels(symbol)
    return [x.lower() for x in levels] if levels else [symbol.upper().replace(" ", "").lower()]


def ipc_subclass(symbol: str) -> str | None:
    m = re.match(r"([A-HY]\d{2}[A-Z])", symbol.upper())
    return m.group(1) if m else None


@functools.lru_cache(maxsize=1)
def words_analyzer() -> Any:
    """`WORDS_TOKENIZER`: words are what lies between blanks; a gap mark takes a position and is dropped."""
    import tantivy

    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.custom_stopword([GAP_MARK])).build())


@functools.lru_cache(maxsize=64)
def _marks(n: int) -> str:
    return " ".join([GAP_MARK] * n)


# Cost of a field (CPU, measured): pre-tokenized about 0.8 µs a word (a Python Token, then tantivy's
# document store copies the tokens); spelled out about 0.15 µs a word and 10 ns a gap mark. A
# sentence gap takes SENTENCE_GAP marks, so spelling out pays from about 14 words a sentence on
# (titles, abstracts, descriptions), while names, a few words each, go pre-tokenized.
MARKS_PER_WORD = 64


def spelled_out(words: list[str], runs: list[tuple[int, int]]) -> str | None:
    """The text `WORDS_TOKENIZER` cuts back into `words` at their positions: `runs` gives each
    sentence's first position and length (`analysis.IndexZone`); the positions between take marks.
    None when that needs more than `MARKS_PER_WORD` marks a word (pre-tokenized is cheaper then)."""
    marks = runs[-1][0] + runs[-1][1] - len(words)  # positions up to the last word, less the words
    if marks > MARKS_PER_WORD * len(words):
        return None
    parts: list[str] = []
    i = end = 0
    for start, n in runs:
        if start > end:
            parts.append(_marks(start - end))
        parts.append(" ".join(words[i:i + n]))
        i += n
        end = start + n
    return " ".join(parts)


def word_pairs(words: list[str], positions: list[int]) -> list[str]:
    """Every two words at neighbouring positions, as pair terms: what a two-word phrase matches.
    Several words may share a position (Chinese sub-words); each pairs with each word next to it."""
    if len(set(positions)) == len(positions):  # one word a position (almost always)
        return [pair_term(a, b) for a, b, p, q in zip(words, words[1:], positions, positions[1:]) if q == p + 1]
    at: dict[int, list[str]] = {}
    for w, p in zip(words, positions):
        at.setdefault(p, []).append(w)
    return [pair_term(a, b) for p, firsts in at.items() for a in firsts for b in at.get(p + 1, ())]


def _pretok(words: list[str], positions: list[int]) -> Any:
    import itertools

    import tantivy

    # offsets are not used by the index (snippets re-read the stored text)
    zeros = itertools.repeat(0)
    return tantivy.PreTokenizedString("", list(map(tantivy.Token, words, positions, zeros, zeros)))


def zone_texts(pub: Publication) -> dict[str, list[tuple[str, str | None]]]:
    """The texts of each zone, with their language."""
    kinds = {"title": "ti", "abstract": "ab", "claims": "cl", "description": "desc"}
    out: dict[str, list[tuple[str, str | None]]] = {z: [] for z in TEXT_ZONES + NAME_ZONES}
    for t in pub.texts:
        zone = kinds.get(t.kind)
        if zone and t.text:
            out[zone].append((t.text, t.lang))
    out["pa"] = [(n, None) for n in pub.applicants]
    out["in"] = [(n, None) for n in pub.inventors]
    return out


def publication_languages(pub: Publication) -> list[str]:
    if pub.lang and pub.lang != "und":
        return [pub.lang]
    return list(dict.fromkeys(t.lang for t in pub.texts if t.lang and t.lang != "und"))


def hit_summary(pub: Publication) -> dict[str, Any]:
    return {"title": pub.title, "publication_date": pub.publication_date.isoformat() if pub.publication_date else None,
            "applicants": pub.applicants, "abstract": pub.abstract,
            "abstract_lang": next((t.lang for t in pub.texts_of("abstract") if t.text == pub.abstract), None),
            "title_lang": next((t.lang for t in pub.texts_of("title") if t.text == pub.title), None)}


def document(pub: Publication) -> Any:
    """The tantivy document of a publication."""
    import tantivy

    from ..search import techfields

    doc = tantivy.Document()
    for zone, texts in zone_texts(pub).items():
        if not texts:
            continue
        analyzed = A.index_zone(texts, stem=zone in TEXT_ZONES)
        fields = [(zone, analyzed.words, analyzed.positions, analyzed.runs)]
        for variant, (words, positions) in analyzed.stemmed.items():
            fields.append((f"{zone}_{variant}", words, positions,
                           None if analyzed.stemmed_runs is None else analyzed.stemmed_runs[variant]))
        for name, words, positions, runs in fields:
            if not words:
                continue
            text = None if runs is None else spelled_out(words, runs)
            if text is not None:
                doc.add_text(name, text)
            else:
                doc.add_pre_tokenized_text(name, _pretok(words, positions))
        for variant, (words, positions) in analyzed.stemmed.items():
            pairs = word_pairs(words, positions)
            if not pairs:
                continue
            if analyzed.stemmed_runs is not None:  # plain words: blanks cut the pairs back apart
                doc.add_text(pair_field(zone, variant), " ".join(pairs))
            else:
                doc.add_pre_tokenized_text(pair_field(zone, variant), _pretok(pairs, list(range(len(pairs)))))
        if zone in TEXT_ZONES and analyzed.unstemmed_only:
            doc.add_text(RAW_ZONES, zone)

    keywords: dict[str, list[str]] = {
        "number": [pub.number],
        "pn": number_terms(pub.number, pub.country, pub.doc_number),
        "ap": _app_terms(pub.application_number, pub.application_country or pub.country),
        "pr": [t for p in pub.priorities for t in _app_terms(p.number, p.country)],
        "ct": [t for c in pub.citations if c.cited_number for t in _cited_terms(c.cited_number)],
        "fam": [pub.family_id.lower()] if pub.family_id else [],
        "cc": [pub.country.lower()] if pub.country else [],
        "kind": [pub.kind.lower(), pub.kind[0].lower()] if pub.kind else [],
        "lang": publication_languages(pub),
        "ipc": [t for s in pub.classes("ipc") for t in class_terms(s)],
        "cpc": [t for s in pub.classes("cpc") for t in class_terms(s)],
    }
    for name, values in keywords.items():
        for v in dict.fromkeys(values):
            if v:
                doc.add_text(name, v)

    ints = {"pd": ymd(pub.publication_date), "ad": ymd(pub.application_date),
            "prd": ymd(pub.earliest_priority_date),
            "py": pub.publication_date.year if pub.publication_date else None, "nct": len(pub.citations)}
    for name, value in ints.items():
        if value is not None:
            doc.add_integer(name, value)
    pd = ymd(pub.publication_date)
    doc.add_integer(SORT_NEWEST, pd or 0)
    doc.add_integer(SORT_OLDEST, -pd if pd else -99999999)

    ipcs = pub.classes("ipc")
    facets = {
        "f_country": [pub.country] if pub.country else [],
        "f_kind": [pub.kind] if pub.kind else [],
        "f_applicant": pub.applicants,
        "f_ipc": [s for s in (ipc_subclass(x) for x in ipcs) if s],
        "f_tech": techfields.fields_of(ipcs),
    }
    for name, values in facets.items():
        for v in dict.fromkeys(values):
            doc.add_text(name, v)
    doc.add_bytes("hit", json.dumps(hit_summary(pub), ensure_ascii=False).encode("utf-8"))
    return doc


def _app_terms(number: str | None, country: str | None) -> list[str]:
    if not number:
        return []
    n = alnum(number)
    out = [n]
    if country and not n.startswith(country.lower()):
        out.append(country.lower() + n)
    return out


@functools.lru_cache(maxsize=100_000)
def _cited_terms(number: str) -> tuple[str, ...]:
    # the same prior art is cited again and again, and parsing a number is the dearest part here
    from ..normalize import parse_number

    try:
        pn = parse_number(number)
    except PatentdeskError:
        return (alnum(number),)
    return tuple(number_terms(number, pn.country, pn.number))


# ------------------------------------------------------------------------------ meta
def index_path(settings: Settings) -> Path:
    return settings.index_dir / DIR_NAME


def read_meta(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise IndexVersionMismatch(f"unreadable index description {path / META_FILE}: {e}; "
                                   "run `patentdesk index rebuild`") from None


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def catalogue_snapshot(catalogue: "Catalogue") -> dict[str, Any]:
    runs = catalogue.runs(1)
    return {"publications": catalogue.count(), "last_run": runs[0].id if runs else None}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def status(settings: Settings, catalogue: "Catalogue | None" = None) -> dict[str, Any]:
    """What `patentdesk index status` prints: where, which version, how many, and whether current."""
    path = swap.current(index_path(settings)) or index_path(settings)
    meta = read_meta(path)
    out: dict[str, Any] = {"path": str(path), "exists": meta is not None, "schema_version": SCHEMA_VERSION}
    if meta is None:
        out["state"] = "missing"
    elif meta.get("schema_version") != SCHEMA_VERSION:
        out.update(index_schema_version=meta.get("schema_version"), state="outdated schema")
    else:
        out.update({k: meta.get(k) for k in ("documents", "built_at", "updated_at", "catalogue")})
        out["size_bytes"] = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        out["state"] = "current"
        if catalogue is not None:
            snap = catalogue_snapshot(catalogue)
            out["catalogue_now"] = snap
            if snap != meta.get("catalogue"):
                out["state"] = "stale"
    return out


# ------------------------------------------------------------------------------ open
_OPEN: dict[Path, tuple[str, Any]] = {}


def open_index(settings: Settings) -> Any:
    """The tantivy Index of these settings; refuses a missing index or another schema version."""
    import tantivy

    link = index_path(settings)
    path = swap.current(link)  # resolved once: this searcher reads one generation, whatever flips
    meta = read_meta(path) if path is not None else None
    if path is None or meta is None:
        raise IndexMissing("there is no search index yet: run `patentdesk index rebuild`")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexVersionMismatch(
            f"the search index has schema version {meta.get('schema_version')}, this patentdesk needs "
            f"{SCHEMA_VERSION}: run `patentdesk index rebuild`")
    key = f"{path.name}:{meta.get('build_id')}"
    cached = _OPEN.get(link)
    if cached and cached[0] == key:
        return cached[1]
    idx = tantivy.Index(build_schema(), path=str(path), reuse=True)
    _OPEN[link] = (key, idx)
    return idx


def _writer(idx: Any, heap: int = 256_000_000, threads: int = 2) -> Any:
    # tokenizers are not stored with the index: each Index that writes needs it registered
    idx.register_tokenizer(WORDS_TOKENIZER, words_analyzer())
    try:
        return idx.writer(heap, threads)
    except ValueError as e:
        if "lock" in str(e).lower():
            raise IndexLocked("the search index is being written by another process; try again when it "
                              "finishes") from None
        raise


# ------------------------------------------------------------------------------ build
def rebuild(settings: Settings, catalogue: "Catalogue", progress: ProgressFn | None = None) -> dict[str, Any]:
    """Build the index from every publication of the catalogue in a new generation folder, then
    publish it atomically (`swap`): readers see the old index or the new one, never a partial one."""
    final = index_path(settings)
    with swap.writer_lock(final):
        meta = _build(settings, catalogue, final, progress)
    swap.collect(final)
    return meta


def _build(settings: Settings, catalogue: "Catalogue", final: Path, progress: ProgressFn | None) -> dict[str, Any]:
    import tantivy

    work = swap.new_generation(final)
    started = time.monotonic()
    snapshot = catalogue_snapshot(catalogue)
    total = snapshot["publications"]
    idx = tantivy.Index(build_schema(), path=str(work), reuse=False)
    writer = _writer(idx, 512_000_000)
    count = 0
    try:
        for pub in catalogue.iter_publications(batch_size=1000):
            writer.add_document(document(pub))
            count += 1
            if progress and count % 1000 == 0:
                progress(count, total)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if progress:
        progress(count, total)
    meta = {"schema_version": SCHEMA_VERSION, "documents": count, "catalogue": snapshot,
            "built_at": _now(), "updated_at": _now(), "build_seconds": round(time.monotonic() - started, 3),
            "build_id": f"{time.time_ns()}-{os.getpid()}",
            "analysis": {"sentence_gap": A.SENTENCE_GAP, "stemmers": A.STEMMED_LANGS}}
    _write_meta(work, meta)
    swap.publish(work, final)
    return meta


def update_after_ingest(settings: Settings, catalogue: "Catalogue", changed_numbers: list[str]) -> dict[str, Any]:
    """Add or replace these publications in the index; build the whole index when it is missing
    or of another schema version."""
    link = index_path(settings)
    meta = read_meta(link)
    if meta is None or meta.get("schema_version") != SCHEMA_VERSION:
        return rebuild(settings, catalogue)
    with swap.writer_lock(link):
        return _update(settings, catalogue, changed_numbers)


def _update(settings: Settings, catalogue: "Catalogue", changed_numbers: list[str]) -> dict[str, Any]:
    idx = open_index(settings)
    path = swap.current(index_path(settings))
    assert path is not None
    meta = read_meta(path) or {}
    writer = _writer(idx)
    numbers = list(dict.fromkeys(changed_numbers))
    for batch in _chunks(numbers, 500):
        pubs = catalogue.get_many(batch)
        for number in batch:
            writer.delete_documents_by_term("number", number)
            pub = pubs.get(number)
            if pub is not None:
                writer.add_document(document(pub))
    writer.commit()
    writer.wait_merging_threads()
    idx.reload()
    meta["documents"] = idx.searcher().num_docs
    meta["catalogue"] = catalogue_snapshot(catalogue)
    meta["updated_at"] = _now()
    _write_meta(path, meta)
    return meta


def _chunks(items: list[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def add_publications(settings: Settings, pubs: Iterable[Publication]) -> int:
    """Add publications straight to a fresh index (benchmarks and tests build from generators)."""
    import tantivy

    final = index_path(settings)
    work = swap.new_generation(final)
    idx = tantivy.Index(build_schema(), path=str(work), reuse=False)
    writer = _writer(idx, 512_000_000)
    count = 0
    for pub in pubs:
        writer.add_document(document(pub))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    _write_meta(work, {"schema_version": SCHEMA_VERSION, "documents": count, "catalogue": None,
                       "built_at": _now(), "updated_at": _now(), "build_id": f"{time.time_ns()}-{os.getpid()}",
                       "analysis": {"sentence_gap": A.SENTENCE_GAP, "stemmers": A.STEMMED_LANGS}})
    swap.publish(work, final)
    return count
