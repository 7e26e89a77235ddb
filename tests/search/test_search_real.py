"""Search over the real corpus, checked against an independent scan of the catalogue.

The module loads USPTO weekly grant slices, the CNIPA documents, the Lens jet-engine export and
the EPO publication-server documents into one catalogue, builds the index once, and runs a table
of queries. The expected result set of every query is computed here by a plain Python scan of the
catalogue's Publications with its own tokenizer and matching rules, written from the query
language reference (docs/query-language.md), not from the engine's code.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import snowballstemmer

from patentdesk.config import Settings
from patentdesk.index import fulltext
from patentdesk.ingest.pipeline import ingest
from patentdesk.model import Publication
from patentdesk.search.api import SearchRequest
from patentdesk.search.engine import matching_numbers, run_search
from patentdesk.store.catalogue import Catalogue

# ------------------------------------------------------------------------------------ the scan
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SENTENCE_END = re.compile(r"\n|[.!?](?=\s)|[。！？]")
WORD = re.compile(rf"[^\W_{HAN}]+|[{HAN}]+")
STEMMERS = {"en": snowballstemmer.stemmer("english"), "pt": snowballstemmer.stemmer("portuguese")}


def casefold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


@functools.cache
def fold(word: str) -> str:
    """Case and accents do not matter."""
    decomposed = unicodedata.normalize("NFD", casefold(word))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


@functools.cache
def stem(variant: str, word: str) -> str:
    return fold(STEMMERS[variant].stemWord(casefold(word)))


def variant_of(lang: str | None) -> str | None:
    """English and undetermined texts match by English stem, Portuguese by Portuguese stem."""
    if lang in (None, "", "und", "en"):
        return "en"
    return "pt" if lang == "pt" else None


@dataclass
class ScanText:
    text: str
    variant: str | None
    sentences: list[list[str]] = field(default_factory=list)  # words as written
    words: set[str] = field(default_factory=set)  # folded
    stems: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, text: str, lang: str | None) -> ScanText:
        t = cls(text, variant_of(lang))
        for piece in SENTENCE_END.split(text):
            ws = WORD.findall(piece)
            if ws:
                t.sentences.append(ws)
                t.words.update(map(fold, ws))
        if t.variant:
            t.stems = {stem(t.variant, w) for w in t.words}
        return t

    def word_at(self, w: str, q: str) -> bool:
        return fold(w) == fold(q) or (self.variant is not None and stem(self.variant, w) == stem(self.variant, q))

    def has(self, q: str) -> bool:
        return fold(q) in self.words or (self.variant is not None and stem(self.variant, q) in self.stems)


@dataclass
class ScanDoc:
    pub: Publication
    zones: dict[str, list[ScanText]]


def scan_doc(pub: Publication) -> ScanDoc:
    kinds = {"ti": "title", "ab": "abstract", "cl": "claims", "desc": "description"}
    zones = {z: [ScanText.of(t.text, t.lang) for t in pub.texts if t.kind == k] for z, k in kinds.items()}
    zones["pa"] = [ScanText.of(n, "xx") for n in pub.applicants]
    zones["in"] = [ScanText.of(n, "xx") for n in pub.inventors]
    return ScanDoc(pub, zones)


Pred = Callable[[ScanDoc], bool]
TI, AB, CL, DESC = ("ti",), ("ab",), ("cl",), ("desc",)
TA = ("ti", "ab")
TXT = ("ti", "ab", "cl", "desc")
NAMES = ("pa", "in")


def texts(d: ScanDoc, zones: tuple[str, ...]) -> Iterator[ScanText]:
    for z in zones:
        yield from d.zones[z]


def W(zones: tuple[str, ...], word: str) -> Pred:
    return lambda d: any(t.has(word) for t in texts(d, zones))


def PH(zones: tuple[str, ...], phrase: str) -> Pred:
    q = phrase.split()

    def pred(d: ScanDoc) -> bool:
        for t in texts(d, zones):
            if not all(t.has(w) for w in q):
                continue
            for s in t.sentences:
                for i in range(len(s) - len(q) + 1):
                    if all(t.word_at(s[i + j], q[j]) for j in range(len(q))):
                        return True
        return False

    return pred


def TR(zones: tuple[str, ...], pattern: str) -> Pred:
    """Truncation: * any characters, ? zero or one, # exactly one; on unstemmed words."""
    rx = re.compile("".join({"*": ".*", "?": ".?", "#": "."}.get(c, re.escape(fold(c))) for c in pattern))
    return lambda d: any(rx.fullmatch(w) for t in texts(d, zones) for w in t.words)


def PX(zones: tuple[str, ...], a: str, b: str, n: int | None, ordered: bool = False) -> Pred:
    """a and b at most n words apart (n None: in one sentence); b after a when ordered."""
    def pred(d: ScanDoc) -> bool:
        for t in texts(d, zones):
            if not (t.has(a) and t.has(b)):
                continue
            for s in t.sentences:
                ia = [i for i, w in enumerate(s) if t.word_at(w, a)]
                ib = [i for i, w in enumerate(s) if t.word_at(w, b)]
                for i in ia:
                    for j in ib:
                        gap = j - i if ordered else abs(j - i)
                        if gap >= 1 and (n is None or gap <= n):
                            return True
        return False

    return pred


def PXP(zones: tuple[str, ...], phrase: str, word: str, n: int) -> Pred:
    """A phrase and a word at most n words apart, counted from the phrase's facing end."""
    q = phrase.split()

    def pred(d: ScanDoc) -> bool:
        for t in texts(d, zones):
            for s in t.sentences:
                starts = [i for i in range(len(s) - len(q) + 1)
                          if all(t.word_at(s[i + j], q[j]) for j in range(len(q)))]
                hits = [i for i, w in enumerate(s) if t.word_at(w, word)]
                for i in starts:
                    for j in hits:
                        if 1 <= j - (i + len(q) - 1) <= n or 1 <= i - j <= n:
                            return True
        return False

    return pred


@functools.cache
def t2s(text: str) -> str:
    import opencc

    return opencc.OpenCC("t2s").convert(text)  # type: ignore[no-any-return]


def ZH(zones: tuple[str, ...], word: str) -> Pred:
    """Chinese: the simplified form of the word inside the simplified text."""
    return lambda d: any(t2s(word) in t2s(t.text) for t in texts(d, zones))


def AND(*ps: Pred) -> Pred:
    return lambda d: all(p(d) for p in ps)


def OR(*ps: Pred) -> Pred:
    return lambda d: any(p(d) for p in ps)


def NOT(p: Pred) -> Pred:
    return lambda d: not p(d)


def P(fn: Callable[[Publication], bool]) -> Pred:
    return lambda d: fn(d.pub)


def alnum(s: str) -> str:
    return re.sub(r"[\W_]+", "", s).lower()


def ipc_under(scheme: str, prefix: str) -> Pred:
    """Section, class, subclass or main group: every symbol under it."""
    def ok(s: str) -> bool:
        if re.fullmatch(r"[A-HY]\d{2}[A-Z]\d+", prefix):  # main group: F02K7 is not F02K70
            return s.split("/")[0] == prefix
        return s.startswith(prefix)
    return P(lambda p: any(ok(s) for s in p.classes(scheme)))


def ipc_low(scheme: str, symbol: str) -> Pred:
    head, sub = symbol.split("/")
    return P(lambda p: any(s.split("/")[0] == head and "/" in s and s.split("/")[1].startswith(sub)
                           for s in p.classes(scheme)))


def date_in(attr: str, lo: dt.date | None, hi: dt.date | None) -> Pred:
    def ok(p: Publication) -> bool:
        v = getattr(p, attr)
        return v is not None and (lo is None or v >= lo) and (hi is None or v <= hi)
    return P(ok)


D = dt.date
ANY_TEXT_OR_NAME = TXT + NAMES


def default_word(word: str) -> Pred:
    return W(ANY_TEXT_OR_NAME, word)


# (query, expected predicate). Values below were read from the loaded records themselves.
CASES: list[tuple[str, Pred]] = [
    # words, stemming, accents, languages
    ("ti=engine", W(TI, "engine")),
    ("ti=engines", W(TI, "engines")),
    ("ti=Engines", W(TI, "engine")),
    ("ab=combustion", W(AB, "combustion")),
    ("cl=nozzle", W(CL, "nozzle")),
    ("desc=thermoplastic", W(DESC, "thermoplastic")),
    ("ta=rotor", W(TA, "rotor")),
    ("txt=turbofan", W(TXT, "turbofan")),
    ("ftxt=turbofan", W(TXT, "turbofan")),
    ("ti=motores", W(TI, "motores")),  # Portuguese stem: motor, motores
    ("ti=propulsão", W(TI, "propulsao")),
    ("ti=combustao", W(TI, "combustão")),
    ("ti=verfahren", W(TI, "verfahren")),
    # phrases, lists
    ('ti="jet engine"', PH(TI, "jet engine")),
    ('ti="gas turbine engine"', PH(TI, "gas turbine engine")),
    ('ta all "gas turbine"', AND(W(TA, "gas"), W(TA, "turbine"))),
    ('ta any "rotor propeller"', OR(W(TA, "rotor"), W(TA, "propeller"))),
    # truncation
    ("ti=nozzl*", TR(TI, "nozzl*")),
    ("ti=turbo*", TR(TI, "turbo*")),
    ("ti=jet?", TR(TI, "jet?")),
    ("ti=f#n", TR(TI, "f#n")),
    ("desc=colo?r", TR(DESC, "colo?r")),
    ("ab=*jection", TR(AB, "*jection")),
    ('ti="jet engin*"', lambda d: any(
        re.fullmatch("engin.*", fold(s[i + 1])) and fold(s[i]) == "jet"
        for t in texts(d, TI) for s in t.sentences for i in range(len(s) - 1))),
    # proximity
    ("ta=(fuel prox/distance<=3 injection)", PX(TA, "fuel", "injection", 3)),
    ("ta=(fuel w/1 injection)", PX(TA, "fuel", "injection", 1)),
    ("ta=(injection pre/3 fuel)", PX(TA, "injection", "fuel", 3, ordered=True)),
    ("ta=(fuel prox/ordered/distance<=2 injection)", PX(TA, "fuel", "injection", 2, ordered=True)),
    ("ta=(engine prox/distance<4 nozzle)", PX(TA, "engine", "nozzle", 3)),
    ("desc=(rotor w/s blade)", PX(DESC, "rotor", "blade", None)),
    ("desc=(rotor prox/unit=sentence blade)", PX(DESC, "rotor", "blade", None)),
    ("cl=(rotor prox/distance<=3 blade)", PX(CL, "rotor", "blade", 3)),
    ("desc=(rotor near/5 blades)", PX(DESC, "rotor", "blades", 5)),
    ('ta=("jet engine" w/4 nozzle)', PXP(TA, "jet engine", "nozzle", 4)),
    ("ta=((jet or gas) w/2 turbine)", OR(PX(TA, "jet", "turbine", 2), PX(TA, "gas", "turbine", 2))),
    ("ta=(nozzl* w/3 engine)", lambda d: any(
        abs(i - j) <= 3 and i != j and re.fullmatch("nozzl.*", fold(s[i])) and fold(s[j]) == "engine"
        for t in texts(d, TA) for s in t.sentences for i in range(len(s)) for j in range(len(s)))),
    # names
    ("pa=electric", W(("pa",), "electric")),
    ('pa="gen electric"', PH(("pa",), "gen electric")),
    ("in=smith", W(("in",), "smith")),
    ("ia=toyota", OR(W(("pa",), "toyota"), W(("in",), "toyota"))),
    # numbers
    ("pn=US7473443B2", P(lambda p: p.number == "US7473443B2")),
    ('pn="US 7,473,443 B2"', P(lambda p: p.number == "US7473443B2")),
    ("pn=US7473443", P(lambda p: p.country + p.doc_number == "US7473443")),
    ("pn=7473443", P(lambda p: p.doc_number == "7473443")),
    ("pn=US7473443B", P(lambda p: p.country + p.doc_number == "US7473443" and (p.kind or "").startswith("B"))),
    ("pn=EP3882*", P(lambda p: p.number.startswith("EP3882"))),
    ("ap=US10515728", P(lambda p: alnum(p.application_number or "") == "10515728" and
                        (p.application_country or p.country) == "US")),
    ("ap=10515728", P(lambda p: alnum(p.application_number or "") == "10515728")),
    ("pr=JP2002243004", P(lambda p: any(x.country == "JP" and alnum(x.number) == "2002243004"
                                        for x in p.priorities))),
    ("num=10515728", P(lambda p: p.doc_number == "10515728" or alnum(p.application_number or "") == "10515728"
                       or any(alnum(x.number) == "10515728" for x in p.priorities))),
    ("ct=US6707928B2", P(lambda p: any(c.cited_number == "US6707928B2" for c in p.citations))),
    ("ct=US6707928", P(lambda p: any((c.cited_number or "").startswith("US6707928") and
                                     not (c.cited_number or "")[9:10].isdigit() for c in p.citations))),
    ("fam=P:a598321598055465", P(lambda p: p.family_id == "P:a598321598055465")),
    ("US7473443B2", P(lambda p: p.number == "US7473443B2")),
    # dates and numbers
    ("pd=2009", date_in("publication_date", D(2009, 1, 1), D(2009, 12, 31))),
    ("pd=200901", date_in("publication_date", D(2009, 1, 1), D(2009, 1, 31))),
    ("pd=2009-01-06", date_in("publication_date", D(2009, 1, 6), D(2009, 1, 6))),
    ("pd>=2015", date_in("publication_date", D(2015, 1, 1), None)),
    ("pd>2015", date_in("publication_date", D(2016, 1, 1), None)),
    ("pd<1980", date_in("publication_date", None, D(1979, 12, 31))),
    ("pd<=19800115", date_in("publication_date", None, D(1980, 1, 15))),
    ('pd within "2005,2013"', date_in("publication_date", D(2005, 1, 1), D(2013, 12, 31))),
    ('ad within "200301,200306"', date_in("application_date", D(2003, 1, 1), D(2003, 6, 30))),
    ("prd<1970", date_in("earliest_priority_date", None, D(1969, 12, 31))),
    ("py>=2018", P(lambda p: p.publication_date is not None and p.publication_date.year >= 2018)),
    ("nct>=100", P(lambda p: len(p.citations) >= 100)),
    ('nct within "20,30"', P(lambda p: 20 <= len(p.citations) <= 30)),
    # classification
    ("ipc=F", ipc_under("ipc", "F")),
    ("ipc=F02", ipc_under("ipc", "F02")),
    ("ipc=F02K", ipc_under("ipc", "F02K")),
    ("ipc=F02K7", ipc_under("ipc", "F02K7")),
    ("ipc=F02K7/10", P(lambda p: "F02K7/10" in p.classes("ipc"))),
    ('ipc="F02K 7/10"', P(lambda p: "F02K7/10" in p.classes("ipc"))),
    ("ipc=F02K7/10/low", ipc_low("ipc", "F02K7/10")),
    ("ipc=F02K7/00/low", ipc_under("ipc", "F02K7")),
    ("ipc=F02K7/1*", P(lambda p: any(s.startswith("F02K7/1") for s in p.classes("ipc")))),
    ("cpc=Y02T", ipc_under("cpc", "Y02T")),
    ("cpc=F02B2075/025", P(lambda p: "F02B2075/025" in p.classes("cpc"))),
    # codes
    ("cc=GB", P(lambda p: p.country == "GB")),
    ("country=ru", P(lambda p: p.country == "RU")),
    ("kind=B", P(lambda p: (p.kind or "").startswith("B"))),
    ("kind=B2", P(lambda p: p.kind == "B2")),
    ("lang=de", P(lambda p: p.lang == "de" if p.lang and p.lang != "und" else
                  any(t.lang == "de" for t in p.texts))),
    ("lang=zh", P(lambda p: p.lang == "zh" if p.lang and p.lang != "und" else
                  any(t.lang == "zh" for t in p.texts))),
    # Chinese: traditional folded to simplified, words found inside longer words
    ("ti=醫用", ZH(TI, "医用")),
    ("ti=发动机", ZH(TI, "发动机")),
    ("ti=發動機", ZH(TI, "发动机")),
    ("txt=烟", ZH(TXT, "烟")),
    ("ab=顯示", ZH(AB, "显示")),
    ("pa=株式会社", ZH(("pa",), "株式会社")),
    # Boolean logic, left to right
    ("ti=engine or ti=turbine and cc=CN", AND(OR(W(TI, "engine"), W(TI, "turbine")), P(lambda p: p.country == "CN"))),
    ("ti=engine not cc=US", AND(W(TI, "engine"), NOT(P(lambda p: p.country == "US")))),
    ("ti=(jet and (engine or nozzle))", AND(W(TI, "jet"), OR(W(TI, "engine"), W(TI, "nozzle")))),
    ("ti=(jet engine)", AND(W(TI, "jet"), W(TI, "engine"))),
    ("ti=jet engine", AND(W(TI, "jet"), default_word("engine"))),
    ("not cc=US", NOT(P(lambda p: p.country == "US"))),
    ("ti=jet and not ti=engine", AND(W(TI, "jet"), NOT(W(TI, "engine")))),
    ('ta all "jet engine" not pa=gen', AND(W(TA, "jet"), W(TA, "engine"), NOT(W(("pa",), "gen")))),
    ('ti=(nozzle and engine) and pd within "2005,2013" and ipc=F02K',
     AND(W(TI, "nozzle"), W(TI, "engine"), date_in("publication_date", D(2005, 1, 1), D(2013, 12, 31)),
         ipc_under("ipc", "F02K"))),
    # plain text
    ('"jet engine" bird', AND(OR(*(PH((z,), "jet engine") for z in ANY_TEXT_OR_NAME)), default_word("bird"))),
    ("rotor", default_word("rotor")),
    ("Yamaha", default_word("yamaha")),
]


# ------------------------------------------------------------------------------------ fixtures
FILES = ("uspto-xml/weekly-slices", "cnipa-xml", "lens/lens-export-jet-engines.csv", "epo/publication-server")


@dataclass
class Corpus:
    settings: Settings
    catalogue: Catalogue
    docs: list[ScanDoc]

    def expected(self, pred: Pred) -> set[str]:
        return {d.pub.number for d in self.docs if pred(d)}


@pytest.fixture(scope="module")
def corpus(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    home = tmp_path_factory.mktemp("search-real")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'catalogue.sqlite'}")
    cat = Catalogue(settings.database_url)
    summary = ingest(cat, [str(data_dir / f) for f in FILES])
    assert summary.quarantined == 0
    fulltext.rebuild(settings, cat)
    docs = [scan_doc(p) for p in cat.iter_publications()]
    yield Corpus(settings, cat, docs)
    cat.close()


def test_corpus_is_what_the_table_was_written_for(corpus: Corpus) -> None:
    sources = Counter(d.pub.provenance.source for d in corpus.docs if d.pub.provenance)
    assert sources == {"lens-csv": 3779, "uspto-grant-v4": 225, "epo-pubserver": 35, "cnipa-xml": 9}
    assert fulltext.status(corpus.settings, corpus.catalogue)["documents"] == len(corpus.docs)


@pytest.mark.parametrize("query, pred", CASES, ids=[q for q, _ in CASES])
def test_query_matches_scan(corpus: Corpus, query: str, pred: Pred) -> None:
    expected = corpus.expected(pred)
    assert expected, f"{query}: the scan finds nothing, so the case proves nothing"
    assert len(expected) < len(corpus.docs) or query.startswith("not"), f"{query}: matches everything"
    got = matching_numbers(corpus.settings, corpus.catalogue, query)
    assert len(got) == len(set(got))
    assert set(got) == expected, (f"missing {sorted(expected - set(got))[:5]}, "
                                  f"extra {sorted(set(got) - expected)[:5]}")
    result = run_search(corpus.settings, corpus.catalogue, SearchRequest(query=query, limit=5))
    assert result.total == len(expected)
    assert {h.publication_number for h in result.hits} <= expected


def test_the_table_covers_every_field(corpus: Corpus) -> None:
    from patentdesk.search.fields import FIELDS
    from patentdesk.search.query import parse

    used: set[str] = set()

    def walk(node: object) -> None:
        f = getattr(node, "field", None)
        if f is not None:
            used.add(f.name)
        for attr in ("children", "child", "left", "right"):
            sub = getattr(node, attr, None)
            for s in sub if isinstance(sub, tuple) else [sub] if sub is not None else []:
                walk(s)

    for q, _ in CASES:
        walk(parse(q))
    assert {f.name for f in FIELDS} <= used


# ------------------------------------------------------------------------------------ ranking, paging, facets
def test_ranking_puts_title_phrase_matches_first(corpus: Corpus) -> None:
    res = run_search(corpus.settings, corpus.catalogue, SearchRequest(query='"jet engine"', limit=10))
    assert res.total == len(corpus.expected(OR(*(PH((z,), "jet engine") for z in ANY_TEXT_OR_NAME))))
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert all("jet engine" in (h.title or "").lower() for h in res.hits[:3])


def test_paging_is_stable_and_complete(corpus: Corpus) -> None:
    query = "ti=engine"
    whole = run_search(corpus.settings, corpus.catalogue, SearchRequest(query=query, limit=200))
    assert whole.total > 200
    pages = []
    for offset in range(0, 200, 7):
        page = run_search(corpus.settings, corpus.catalogue,
                          SearchRequest(query=query, limit=min(7, 200 - offset), offset=offset))
        assert page.total == whole.total
        pages.extend(h.publication_number for h in page.hits)
    assert pages == [h.publication_number for h in whole.hits]
    assert len(set(pages)) == 200


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sort_by_date(corpus: Corpus, sort: str) -> None:
    query = "ti=nozzle"
    expected = corpus.expected(W(TI, "nozzle"))
    res = run_search(corpus.settings, corpus.catalogue, SearchRequest(query=query, limit=1000, sort=sort))
    assert res.total == len(expected) == len(res.hits)
    assert {h.publication_number for h in res.hits} == expected
    dates = [h.publication_date for h in res.hits if h.publication_date]
    assert dates == sorted(dates, reverse=sort == "-date")
    # paged the same way
    second = run_search(corpus.settings, corpus.catalogue, SearchRequest(query=query, limit=10, offset=10, sort=sort))
    assert [h.publication_number for h in second.hits] == [h.publication_number for h in res.hits[10:20]]
    # relevance is not asked for, but every hit still carries its score: the one relevance gives it
    assert all(h.score > 0 for h in res.hits)
    by_relevance = run_search(corpus.settings, corpus.catalogue, SearchRequest(query=query, limit=1000))
    relevance = {h.publication_number: h.score for h in by_relevance.hits}
    assert all(abs(h.score - relevance[h.publication_number]) < 1e-5 for h in res.hits)
    mixed = "ab=(nozzle or engine) and pd>=2000"
    dated = run_search(corpus.settings, corpus.catalogue, SearchRequest(query=mixed, limit=20, sort=sort))
    relevance = {h.publication_number: h.score
                 for h in run_search(corpus.settings, corpus.catalogue, SearchRequest(query=mixed, limit=1000)).hits}
    assert dated.hits and all(abs(h.score - relevance[h.publication_number]) < 1e-5 for h in dated.hits)


def _tech_fields(data_dir: Path) -> dict[str, str]:
    import csv

    with open(data_dir / "classification/wipo-ipc-technology-concordance.csv", encoding="utf-8-sig") as f:
        return {row["IPC_code"].replace(" ", "").rstrip("%").rstrip("/"): row["Field_en"] for row in csv.DictReader(f)}


def test_facets_count_the_whole_result_set(corpus: Corpus, data_dir: Path) -> None:
    query = "ti=engine or ti=nozzle"
    pred = OR(W(TI, "engine"), W(TI, "nozzle"))
    docs = [d.pub for d in corpus.docs if pred(d)]
    concordance = _tech_fields(data_dir)

    def tech(symbol: str) -> str | None:
        m = re.match(r"([A-HY]\d{2}[A-Z])(\d+)?", symbol)
        assert m
        if m.group(2) and m.group(1) + m.group(2) in concordance:
            return concordance[m.group(1) + m.group(2)]
        return concordance.get(m.group(1))

    counters: dict[str, Counter[str]] = {k: Counter() for k in
                                          ("year", "country", "kind", "applicant", "ipc_subclass", "tech_field")}
    for p in docs:
        if p.publication_date:
            counters["year"][str(p.publication_date.year)] += 1
        counters["country"][p.country] += 1
        if p.kind:
            counters["kind"][p.kind] += 1
        for a in set(p.applicants):
            counters["applicant"][a] += 1
        for s in {s[:4] for s in p.classes("ipc")}:
            counters["ipc_subclass"][s] += 1
        for f in {t for t in (tech(s) for s in p.classes("ipc")) if t}:
            counters["tech_field"][f] += 1
    res = run_search(corpus.settings, corpus.catalogue,
                     SearchRequest(query=query, limit=1, facets=tuple(counters), facet_size=15))
    assert res.total == len(docs)
    for name, counter in counters.items():
        got = [(v.value, v.count) for v in res.facets[name]]
        if name == "year":
            assert got == sorted(counter.items())
        else:
            assert got == sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:15], name
    assert len(res.facets["tech_field"]) >= 5


def test_snippets_mark_the_matched_words(corpus: Corpus) -> None:
    res = run_search(corpus.settings, corpus.catalogue, SearchRequest(query="ab=combustion", limit=5))
    assert res.hits
    for h in res.hits:
        assert h.snippet and re.search(r"<mark>combust\w*</mark>", h.snippet, re.IGNORECASE), h.snippet
    # a claims-only match takes its snippet from the claims
    res = run_search(corpus.settings, corpus.catalogue, SearchRequest(query="cl=(rotor w/3 blade)", limit=5))
    assert res.hits and all("<mark>" in (h.snippet or "") for h in res.hits)


def test_cli_json_shape(corpus: Corpus) -> None:
    import json

    from click.testing import CliRunner

    from patentdesk.cli import main

    runner = CliRunner()
    args = ["--home", str(corpus.settings.home), "--database-url", corpus.settings.database_url]
    out = runner.invoke(main, ["search", "ti=(nozzle and engine)", "--json", "--limit", "3", "--sort", "-date",
                               "--facets", "year,country", *args])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"total", "mode", "hits", "facets"} and data["mode"] == "keyword"
    assert data["total"] == len(corpus.expected(AND(W(TI, "nozzle"), W(TI, "engine"))))
    assert len(data["hits"]) == 3
    assert set(data["hits"][0]) >= {"publication_number", "title", "publication_date", "applicants", "score",
                                    "snippet"}
    assert set(data["facets"]) == {"year", "country"}
    assert sum(v["count"] for v in data["facets"]["country"]) == data["total"]

    bad = runner.invoke(main, ["search", "ti=(nozzle", "--json", *args])
    assert bad.exit_code == 2
    err = json.loads(bad.output)["error"]
    assert err == {"code": "query_syntax", "message": "unclosed parenthesis", "position": 4,
                   "hint": "add ')' to close it"}
    human = runner.invoke(main, ["search", "pd=2013-13-01", *args])
    assert human.exit_code == 2 and "Traceback" not in human.output
    assert "invalid date '2013-13-01' at position 4" in human.output


@pytest.mark.parametrize("query", ["nozzle", "ta=(battery or engine)", "cl=(rotor prox/distance<=3 blade)",
                                   "turbin*", '"fuel cell"', "ti=电池", "neural network", "cooling and blade*",
                                   "wheels", "systems and methods"])
def test_snippet_spans_read_only_the_chunks_that_can_match(corpus: Corpus, query: str) -> None:
    # an ASCII line is cut into tokens only around the needles; the marks must be exactly those
    # of tokenizing the whole line
    from patentdesk.search import engine
    from patentdesk.search.planner import Planner
    from patentdesk.search.query import parse

    idx = fulltext.open_index(corpus.settings)
    planner = Planner(idx.schema)
    planner.plan(parse(query))
    hl = planner.highlight
    lines = [(line, t.lang) for d in corpus.docs[:400] for t in d.pub.texts if t.text
             for line in t.text.splitlines() if line.strip()]
    assert len(lines) > 1000
    compared = marked = 0
    for line, lang in lines:
        if not hl.may_match(line):
            continue
        whole = engine._spans_in(line, 0, lang, hl)
        assert engine._match_spans(line, lang, hl) == whole, line[:200]
        compared += 1
        marked += bool(whole)
    assert compared and (marked or query == "ti=电池")
