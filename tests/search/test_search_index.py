"""The index lifecycle (rebuild, ingest updates, schema version) and behaviour shown on small
hand-made records: Chinese folding, per-language stemming, sentences, snippet escaping."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from patentdesk.cli import main
from patentdesk.config import Settings
from patentdesk.errors import UserError
from patentdesk.index import fulltext
from patentdesk.model import Classification, Party, Publication, Text
from patentdesk.search.api import SearchRequest
from patentdesk.search.engine import matching_numbers, run_search
from patentdesk.store.catalogue import Catalogue


def pub(number: str, title: str, lang: str = "en", *, abstract: str | None = None, claims: str | None = None,
        date: dt.date | None = None, applicants: tuple[str, ...] = (), ipc: tuple[str, ...] = ()) -> Publication:
    m = re.fullmatch(r"([A-Z]{2})(\d+)([A-Z]\d?)", number)
    assert m, number
    country, digits, kind = m.groups()
    texts = [Text("title", lang, title)]
    if abstract:
        texts.append(Text("abstract", lang, abstract))
    if claims:
        texts.append(Text("claims", lang, claims))
    return Publication(number=number, country=country, doc_number=digits, kind=kind, doc_type="grant",
                       publication_date=date, texts=tuple(texts), lang=lang,
                       parties=tuple(Party(a, "applicant", i) for i, a in enumerate(applicants, 1)),
                       classifications=tuple(Classification("ipc", s, i) for i, s in enumerate(ipc, 1)))


RECORDS = [
    pub("CN1A", "電池組", "zh", date=dt.date(2020, 1, 1)),
    pub("CN2A", "锂电池及其制造方法", "zh", date=dt.date(2021, 1, 1)),
    pub("CN3A", "太阳能发电装置", "zh", date=dt.date(2019, 1, 1)),
    pub("BR4A", "Baterias de lítio recarregáveis", "pt", date=dt.date(2018, 6, 1)),
    pub("US5B2", "Bat detector with ultrasonic microphones", date=dt.date(2017, 1, 1)),
    pub("US6B2", "Rotor <assembly> & blade", abstract="The rotor turns. A blade is fixed to the hub.",
        claims="1. A rotor comprising a blade.\n2. The rotor of claim 1.", date=dt.date(2016, 3, 1),
        applicants=("Acme <Corp> & Sons",), ipc=("F01D5/02",)),
    pub("US7B2", "Battery charger", abstract="Batteries are charged <quickly> & safely.",
        date=None, applicants=("Acme <Corp> & Sons",), ipc=("H01M10/44",)),
]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Settings, Catalogue]:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    cat = Catalogue(settings.database_url)
    cat.apply(RECORDS)
    fulltext.rebuild(settings, cat)
    yield settings, cat
    cat.close()


Search = Callable[..., set[str]]


@pytest.fixture
def numbers(setup: tuple[Settings, Catalogue]) -> Search:
    settings, cat = setup
    return lambda q: set(matching_numbers(settings, cat, q))


# ------------------------------------------------------------------------------------ analysis
@pytest.mark.parametrize("query, expected", [
    ("ti=电池", {"CN1A", "CN2A"}),  # 電池 folded; 锂电池 contains 电池
    ("ti=電池", {"CN1A", "CN2A"}),
    ("ti=锂电池", {"CN2A"}),
    ("ti=鋰電池", {"CN2A"}),
    ("ti=电池组", {"CN1A"}),
    ("ti=太阳能", {"CN3A"}),
    ("ti=太陽能", {"CN3A"}),
    ("ti=发电", {"CN3A"}),
])
def test_chinese_is_folded_and_segmented(numbers: Search, query: str, expected: set[str]) -> None:
    assert numbers(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("ti=bateria", {"BR4A"}),       # Portuguese stem of baterias
    ("ti=baterias", {"BR4A"}),
    ("ti=litio", {"BR4A"}),         # accents do not matter
    ("ti=lítio", {"BR4A"}),
    ("ti=recarregável", {"BR4A"}),  # recarregáveis and recarregável share the Portuguese stem recarreg
    ("ti=recarregavel", set()),     # stems are taken before accents are folded: recarregavel
    ("ti=bat", {"US5B2", "BR4A"}),  # bat in English; in Portuguese texts its stem bat is that of baterias
    ("ti=batteries", {"US7B2"}),
    ("ta=battery", {"US7B2"}),
    ("ti=microphone", {"US5B2"}),
])
def test_stemming_follows_the_language_of_each_text(numbers: Search, query: str, expected: set[str]) -> None:
    assert numbers(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("ab=(rotor w/s blade)", set()),            # two sentences
    ("ab=(blade w/s hub)", {"US6B2"}),
    ("ab=(turns w/1 blade)", set()),            # adjacent across a sentence end does not count
    ("cl=(rotor w/3 blade)", {"US6B2"}),   # rotor comprising a blade
    ("cl=(rotor w/2 blade)", set()),
    ("cl=(claim w/s comprising)", set()),       # each claim is its own line
    ('ab="turns a blade"', set()),
    ("ab=(blade pre/5 hub)", {"US6B2"}),   # blade is fixed to the hub
    ("ab=(blade pre/4 hub)", set()),
    ("ab=(hub pre/5 blade)", set()),
    ("ab=(hub w/5 blade)", {"US6B2"}),
])
def test_sentences_bound_phrases_and_proximity(numbers: Search, query: str, expected: set[str]) -> None:
    assert numbers(query) == expected


PHRASE_RECORDS = [
    pub("DE8A", "Verfahren zur Herstellung von Batterien", "de"),
    pub("US9B2", "Method and apparatus for charging batteries",
        abstract="Charged batteries are stored. Apparatus for charging is small."),
    pub("US10B2", "Apparatus and method for charging a battery"),
    pub("BR11A", "Motor eletrico de baixa potencia", "pt"),    # typed without accents
    pub("US12B2", "Résumé parser for naïve users"),
    pub("BR13A", "Propulsão a jato de baixo ruído", "pt"),
]


@pytest.mark.parametrize("query, expected", [
    ('ti="zur herstellung"', {"DE8A"}),              # unstemmed language: checked where marked (rz)
    ('ti="Herstellung von Batterien"', {"DE8A"}),
    ('ti="von herstellung"', set()),
    ('ti="method and"', {"US9B2"}),                  # one pair term
    ('ti="and method"', {"US10B2"}),
    ('ti="method and apparatus"', {"US9B2"}),        # pairs, then positions
    ('ti="apparatus and method"', {"US10B2"}),
    ('ti="and apparatus for"', {"US9B2"}),
    ('ti="charged battery"', {"US9B2"}),             # stems: charg batteri
    ('ti="charging a battery"', {"US10B2"}),
    ('ti="charging battery"', {"US9B2"}),            # 'charging a battery' has a word between
    ('ab="stored apparatus"', set()),                # neighbours across a sentence end are no pair
    ('ab="batteries are stored"', {"US9B2"}),
    ('ab=(stored w/1 apparatus)', set()),
    ('ta=("and method" w/2 charging)', {"US10B2"}),  # method [for] charging
    ('ta=("method and" w/2 charging)', set()),
    ('ta=("for charging" w/1 batteries)', {"US9B2"}),
    ('ta=("for charging" pre/2 battery)', {"US9B2", "US10B2"}),
    ('ti="meth* and"', {"US9B2"}),                   # truncation: unstemmed words, every document
    # accents: a folded word matches unstemmed whatever the stems say
    ('ti="motor elétrico"', {"BR11A"}),
    ('ti="motor eletrico"', {"BR11A"}),
    ('ti=elétrico', {"BR11A"}),
    ('ti="resume parser"', {"US12B2"}),
    ('ti="résumé parser"', {"US12B2"}),
    ("ti=resume", {"US12B2"}),
    ('ti="naive users"', {"US12B2"}),
    ("ti=(naive w/1 users)", {"US12B2"}),
    ('ti="propulsão a jato"', {"BR13A"}),
    ('ti="propulsao a jato"', {"BR13A"}),
    ('ti=(baixo w/1 ruido)', {"BR13A"}),
    ('ti="ruído baixo"', set()),
])
def test_phrases_in_stemmed_and_unstemmed_texts(setup: tuple[Settings, Catalogue], query: str,
                                                 expected: set[str]) -> None:
    settings, cat = setup
    cat.apply(PHRASE_RECORDS)
    fulltext.rebuild(settings, cat)
    assert set(matching_numbers(settings, cat, query)) - {r.number for r in RECORDS} == expected


def test_word_pairs_and_raw_zone_marks(setup: tuple[Settings, Catalogue]) -> None:
    assert fulltext.word_pairs(["a", "b", "c", "d"], [0, 1, 2, 5]) == ["a\x02b", "b\x02c"]
    # sub-words share a position: each pairs with the words next to it
    assert fulltext.word_pairs(["锂电池", "电池", "及其"], [0, 0, 1]) == ["锂电池\x02及其", "电池\x02及其"]
    import tantivy

    settings, _ = setup
    idx = fulltext.open_index(settings)
    searcher = idx.searcher()

    def marked(zone: str) -> int:
        return searcher.search(tantivy.Query.term_query(idx.schema, fulltext.RAW_ZONES, zone), 10).count

    # Chinese titles are marked, and the Portuguese one for its accents (lítio); the others are not
    assert marked("ti") == 4 and marked("ab") == 0


def test_snippets_escape_the_text_and_mark_matches(setup: tuple[Settings, Catalogue]) -> None:
    settings, cat = setup
    res = run_search(settings, cat, SearchRequest(query="ta=rotor", limit=5))
    [hit] = res.hits
    assert hit.snippet == "The <mark>rotor</mark> turns. A blade is fixed to the hub."
    assert hit.title == "Rotor <assembly> & blade"  # the title is data; the portal escapes it
    res = run_search(settings, cat, SearchRequest(query="ab=charged", limit=5))
    assert res.hits[0].snippet == "Batteries are <mark>charged</mark> &lt;quickly&gt; &amp; safely."
    res = run_search(settings, cat, SearchRequest(query="ti=assembly", limit=5))
    assert res.hits[0].snippet == "Rotor &lt;<mark>assembly</mark>&gt; &amp; blade"


def test_dates_sort_missing_last_both_ways(setup: tuple[Settings, Catalogue]) -> None:
    settings, cat = setup
    for sort, first in (("date", "US6B2"), ("-date", "US6B2")):
        res = run_search(settings, cat, SearchRequest(query="pa=acme", sort=sort))
        assert [h.publication_number for h in res.hits] == [first, "US7B2"]


def test_novelty_cut_off(setup: tuple[Settings, Catalogue]) -> None:
    settings, cat = setup
    res = run_search(settings, cat, SearchRequest(query="ti=电池", published_before="2021-01-01"))
    assert [h.publication_number for h in res.hits] == ["CN1A"]
    with pytest.raises(UserError, match="invalid cut-off date"):
        run_search(settings, cat, SearchRequest(query="ti=电池", published_before="soon"))


@pytest.mark.parametrize("request_, message", [
    (SearchRequest(query="x", sort="newest"), "unknown sort 'newest'"),
    (SearchRequest(query="x", facets=("colour",)), "unknown facet 'colour'"),
    (SearchRequest(query="x", limit=5000), "limit must be between 0 and 1000"),
    (SearchRequest(query="x", offset=-1), "offset cannot be negative"),
    (SearchRequest(query="x", offset=100_000), r"offset \+ limit must stay within 100000"),
    (SearchRequest(query="x", mode="semantic"), "not served by the keyword engine"),
])
def test_bad_requests(setup: tuple[Settings, Catalogue], request_: SearchRequest, message: str) -> None:
    settings, cat = setup
    with pytest.raises(UserError, match=message):
        run_search(settings, cat, request_)


def test_limit_zero_counts_only(setup: tuple[Settings, Catalogue]) -> None:
    settings, cat = setup
    res = run_search(settings, cat, SearchRequest(query="pa=acme", limit=0, facets=("applicant",)))
    assert (res.total, res.hits) == (2, [])
    assert [(v.value, v.count) for v in res.facets["applicant"]] == [("Acme <Corp> & Sons", 2)]


# ------------------------------------------------------------------------------------ lifecycle
def test_missing_index(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.sqlite'}")
    with Catalogue(settings.database_url) as cat:
        # nothing loaded, nothing to find
        assert run_search(settings, cat, SearchRequest(query="ti=rotor")).total == 0
        cat.apply(RECORDS[:1])
        with pytest.raises(fulltext.IndexMissing, match="patentdesk index rebuild"):
            run_search(settings, cat, SearchRequest(query="ti=rotor"))


def test_update_after_ingest_adds_and_replaces(setup: tuple[Settings, Catalogue], numbers: Search) -> None:
    settings, cat = setup
    assert numbers("ti=charger") == {"US7B2"}
    changed = pub("US7B2", "Battery charging station", date=dt.date(2015, 1, 1))
    new = pub("US8B2", "Charger for scooters", date=dt.date(2014, 1, 1))
    cat.apply([changed, new])
    fulltext.update_after_ingest(settings, cat, ["US7B2", "US8B2"])
    assert numbers("ti=charger") == {"US8B2"}
    assert numbers("ti=station") == {"US7B2"}
    assert numbers("pd=2015") == {"US7B2"}
    status = fulltext.status(settings, cat)
    assert (status["state"], status["documents"]) == ("current", len(RECORDS) + 1)


def test_schema_version_mismatch(setup: tuple[Settings, Catalogue], numbers: Search) -> None:
    settings, cat = setup
    meta_path = fulltext.index_path(settings) / fulltext.META_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "schema_version": fulltext.SCHEMA_VERSION - 1}))
    with pytest.raises(fulltext.IndexVersionMismatch) as info:
        run_search(settings, cat, SearchRequest(query="ti=rotor"))
    assert f"schema version {fulltext.SCHEMA_VERSION - 1}" in str(info.value)
    assert "run `patentdesk index rebuild`" in str(info.value)
    assert fulltext.status(settings, cat)["state"] == "outdated schema"
    # an ingest rebuilds an index of another version instead of misreading it
    fulltext.update_after_ingest(settings, cat, ["US6B2"])
    assert json.loads(meta_path.read_text())["schema_version"] == fulltext.SCHEMA_VERSION
    assert numbers("ti=rotor") == {"US6B2"}


def test_cli_ingest_keeps_the_index_current(tmp_path: Path, data_dir: Path) -> None:
    runner = CliRunner()
    args = ["--home", str(tmp_path)]
    out = runner.invoke(main, ["ingest", str(data_dir / "cnipa-xml" / "cn_new1.xml"), "--json", *args])
    assert out.exit_code == 0, out.output
    status = json.loads(runner.invoke(main, ["index", "status", "--json", *args]).output)
    assert (status["state"], status["documents"]) == ("current", 1)
    # cn_new1.xml is CN113781974A, 显示设备 ("display device"): found by its traditional spelling
    found = json.loads(runner.invoke(main, ["search", "ti=顯示設備", "--json", *args]).output)
    assert [h["publication_number"] for h in found["hits"]] == ["CN113781974A"]
    assert found["hits"][0]["title"] == "显示设备"

    out = runner.invoke(main, ["ingest", "--no-index", str(data_dir / "cnipa-xml" / "cn_new2.xml"), *args])
    assert out.exit_code == 0, out.output
    status = json.loads(runner.invoke(main, ["index", "status", "--json", *args]).output)
    assert status["state"] == "stale"
    rebuilt = json.loads(runner.invoke(main, ["index", "rebuild", "--json", *args]).output)
    assert rebuilt["documents"] == 2 and rebuilt["schema_version"] == fulltext.SCHEMA_VERSION
    human = runner.invoke(main, ["index", "status", *args]).output
    assert "state: current" in human and "documents: 2" in human


@pytest.mark.parametrize("query, positional", [
    ("ti=rotor", False),
    ('ti="rotor blade"', False),          # one pair term per stemmed variant; unstemmed only where marked
    ('ti="rotor blade hub"', True),       # three words: positions, where both pairs occur
    ("cl=(rotor w/3 blade)", True),
    ('ti="roto* blade"', True),           # truncation: unstemmed words, every document
    ("ti=电池", False),
])
def test_planner_says_when_positions_are_checked(setup: tuple[Settings, Catalogue], query: str,
                                                 positional: bool) -> None:
    from patentdesk.search.engine import build_ast
    from patentdesk.search.planner import Planner

    planner = Planner(fulltext.open_index(setup[0]).schema)
    planner.plan(build_ast(query))
    assert planner.positional is positional


def test_facets_counted_in_two_groups_equal_one_count(setup: tuple[Settings, Catalogue]) -> None:
    from patentdesk.search.engine import facet_groups

    names = ("year", "country", "kind", "applicant", "ipc_subclass", "tech_field")
    groups = facet_groups(names, split=True)
    assert len(groups) == 2 and sorted(n for g in groups for n in g) == sorted(names)
    assert facet_groups(names, split=False) == [names] and facet_groups((), split=True) == []
    settings, cat = setup
    split = run_search(settings, cat, SearchRequest("ta=rotor or ta=battery or ti=bat", facets=names))
    assert list(split.facets) == list(names)
    for name in names:  # the same counts as one facet at a time
        alone = run_search(settings, cat, SearchRequest("ta=rotor or ta=battery or ti=bat", facets=(name,)))
        assert split.facets[name] == alone.facets[name] and alone.total == split.total == 4


def test_concurrent_searches_count_the_same(setup: tuple[Settings, Catalogue]) -> None:
    # alone, a search splits its facets over two aggregations; beside others it counts them in one
    import concurrent.futures

    settings, cat = setup
    names = ("year", "country", "kind", "applicant", "ipc_subclass", "tech_field")
    queries = ["ta=rotor or ta=battery or ti=bat", 'ti="rotor assembly"', "ti=电池", "cc=us"]
    alone = {q: run_search(settings, cat, SearchRequest(q, facets=names)) for q in queries}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda q: (q, run_search(settings, cat, SearchRequest(q, facets=names))),
                                 queries * 10))
    for q, got in together:
        assert (got.total, got.facets, [h.publication_number for h in got.hits]) == \
            (alone[q].total, alone[q].facets, [h.publication_number for h in alone[q].hits])
