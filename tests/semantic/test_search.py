"""Semantic, hybrid and similar search on a small real corpus."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from semantic_corpus import FOUR_LANGUAGE_TARGETS, Corpus, devset_targets

from patentdesk.errors import UserError
from patentdesk.index.vectors import VectorStore
from patentdesk.search import semantic as S
from patentdesk.search.api import SearchRequest
from patentdesk.search.query import parse

LANGS = ("en", "pt", "zh-Hans", "zh-Hant")


def _search(c: Corpus, query: str, mode: str, **kw: object) -> list[str]:
    res = S.run(c.settings, c.catalogue, SearchRequest(query, limit=kw.pop("limit", 10), mode=mode, **kw))  # type: ignore[arg-type]
    assert res.mode == mode
    return [h.publication_number for h in res.hits]


def _canonical(c: Corpus, target: str) -> str:
    return c.catalogue.resolve(target)


@pytest.mark.parametrize("target", FOUR_LANGUAGE_TARGETS)
@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_same_invention_in_four_languages_finds_the_same_target(corpus: Corpus, target: str, mode: str) -> None:
    rows = devset_targets()[target]
    assert sorted(r["lang"] for r in rows) == sorted(LANGS)
    number = _canonical(corpus, target)
    for row in rows:
        hits = _search(corpus, row["query"], mode)
        assert hits[0] == number, (row["lang"], row["query"], hits[:5])


def test_hybrid_result_shape(corpus: Corpus) -> None:
    row = devset_targets()["US9406017"][0]
    res = S.run(corpus.settings, corpus.catalogue, SearchRequest(row["query"], limit=5, mode="hybrid",
                                                                 facets=("year", "country")))
    assert res.mode == "hybrid"
    assert len(res.hits) == 5
    top = res.hits[0]
    assert top.publication_number == _canonical(corpus, "US9406017")
    assert top.title and top.publication_date
    assert top.why and top.why.startswith("title/abstract: ")
    # the keyword side marks the query's words that the document contains
    assert top.snippet and "<mark>" in top.snippet
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(len(f.value) == 2 and f.value.isupper() for f in res.facets["country"])
    assert sum(f.count for f in res.facets["year"]) >= 5
    d = res.to_dict()
    assert d["hits"][0]["why"] == top.why


def test_why_points_at_a_claim_when_the_claim_matches(corpus: Corpus) -> None:
    pub = next(p for p in corpus.catalogue.iter_publications()
               if p.provenance and p.provenance.file.endswith("ipg120103.small.xml") and p.text("claims"))
    claim1 = pub.text("claims").splitlines()[0].split(None, 1)[1]  # type: ignore[union-attr]
    res = S.run(corpus.settings, corpus.catalogue, SearchRequest(claim1[:600], limit=3, mode="semantic"))
    assert res.hits[0].publication_number == pub.number
    assert res.hits[0].why is not None and res.hits[0].why.startswith("claim 1: ")


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_published_before_is_an_exact_exclusive_cutoff(corpus: Corpus, mode: str) -> None:
    # EP3467045A1: published 2019-04-10 (api-flat-construction-patents.csv, date_published)
    query = devset_targets()["EP3467045A1"][0]["query"]
    number = _canonical(corpus, "EP3467045A1")
    pub = corpus.catalogue.get(number)
    assert pub is not None and pub.publication_date == dt.date(2019, 4, 10)
    assert number in _search(corpus, query, mode, published_before="2019-04-11")
    assert number not in _search(corpus, query, mode, published_before="2019-04-10")
    hits = S.run(corpus.settings, corpus.catalogue, SearchRequest(query, limit=50, mode=mode,
                                                                  published_before="2019-04-10")).hits
    assert hits and all(h.publication_date and h.publication_date < "2019-04-10" for h in hits)


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_priority_before_is_an_exact_exclusive_cutoff(corpus: Corpus, mode: str) -> None:
    # CN113603444B: earliest priority 2021-09-10, published 2022-06-03
    query = devset_targets()["CN113603444B"][0]["query"]
    number = _canonical(corpus, "CN113603444B")
    pub = corpus.catalogue.get(number)
    assert pub is not None and pub.earliest_priority_date == dt.date(2021, 9, 10)
    assert number in _search(corpus, query, mode, priority_before="2021-09-11")
    assert number not in _search(corpus, query, mode, priority_before="2021-09-10")
    # PatentsView grants carry no priority date: a priority cut-off never admits an unknown date
    hits = S.run(corpus.settings, corpus.catalogue, SearchRequest("neural network speaker verification", limit=30,
                                                                  mode=mode, priority_before="2030-01-01")).hits
    pubs = corpus.catalogue.get_many([h.publication_number for h in hits])
    assert hits and all(pubs[h.publication_number].earliest_priority_date is not None for h in hits)


def test_cutoffs_combine_and_bad_dates_are_refused(corpus: Corpus) -> None:
    query = devset_targets()["KR101977585B1"][0]["query"]
    number = _canonical(corpus, "KR101977585B1")
    # KR101977585B1: priority 2019-01-29, published 2019-05-15
    both = _search(corpus, query, "hybrid", published_before="2019-05-16", priority_before="2019-01-30")
    assert number in both
    assert number not in _search(corpus, query, "hybrid", published_before="2019-05-16",
                                 priority_before="2019-01-29")
    with pytest.raises(UserError):
        _search(corpus, query, "semantic", published_before="2019-13-01")


def test_similar_never_returns_the_publication_itself(corpus: Corpus) -> None:
    store = VectorStore.of(corpus.settings)
    idx = store.load()
    numbers = [d.number for d in idx.docs[::37]][:8]
    for number in numbers:
        res = S.similar(corpus.settings, corpus.catalogue, number, limit=20)
        got = [h.publication_number for h in res.hits]
        assert number not in got
        assert len(got) == 20
        assert res.query == number


def test_similar_accepts_any_spelling_and_cutoffs(corpus: Corpus) -> None:
    number = _canonical(corpus, "US9401148")
    res = S.similar(corpus.settings, corpus.catalogue, "US 9,401,148", limit=10, published_before="2016-07-26")
    got = [h.publication_number for h in res.hits]
    assert number not in got and got
    for h in res.hits:
        assert h.publication_date is not None and h.publication_date < "2016-07-26"
        assert h.why


def test_similar_excludes_the_family_unless_asked(small_corpus: Corpus) -> None:
    import dataclasses

    from patentdesk.normalize import canonical_number

    cat = small_corpus.catalogue
    pub = next(cat.iter_publications())
    # a second publication of the same family: same text, another number (as an A1 and its B2)
    sibling = dataclasses.replace(pub, doc_number="99999999", kind="B2",
                                  number=canonical_number(pub.country, "99999999", "B2"), family_id="FAM-1")
    cat.apply([dataclasses.replace(pub, family_id="FAM-1"), sibling])
    VectorStore.of(small_corpus.settings).update(cat, small_corpus.encoder)
    plain = [h.publication_number for h in S.similar(small_corpus.settings, cat, pub.number, limit=10).hits]
    assert pub.number not in plain and sibling.number not in plain
    with_family = [h.publication_number for h in
                   S.similar(small_corpus.settings, cat, pub.number, limit=10, include_family=True).hits]
    assert with_family[0] == sibling.number  # the same text: the closest possible
    assert pub.number not in with_family


def test_default_mode() -> None:
    assert S.default_mode("一种利用卷积神经网络识别手写字符的方法") == "hybrid"
    assert S.default_mode("betoneira com descarga lateral") == "hybrid"
    assert S.default_mode("a neural network that verifies speakers") == "hybrid"
    assert S.default_mode("ti=battery and pa=samsung") == "keyword"
    assert S.default_mode('"neural network"') == "keyword"
    assert S.default_mode("batter*") == "keyword"
    assert S.default_mode("lithium or sodium") == "keyword"
    assert S.default_mode("US7783348B2") == "keyword"
    assert S.default_mode("") == "keyword"
    assert S.default_mode("pd<2010 battery") == "keyword"
    assert S.default_mode('pa all "siemens ag"') == "keyword"
    # a colon in a description is not a field clause
    assert S.default_mode("A method comprising: heating the slag; adding lime") == "hybrid"
    # what looks like the query language is read by the keyword engine, which reports its errors
    assert S.default_mode("napkin AND (") == "keyword"
    assert S.default_mode("zz=foo") == "keyword"
    assert S.default_mode("heating (and cooling") == "keyword"
    assert S.default_mode("heating and cooling of a slag (molten)") == "hybrid"
    assert S.default_mode("battery NOT lithium") == "keyword"


@pytest.mark.parametrize("text", [
    "A method (and system) for \"recognizing\" handwriting = not easy, or is it?",
    "一种利用卷积神经网络识别手写字符的方法",
    "betoneira com descarga lateral; ti=ignored? in all any within",
])
def test_keyword_query_of_plain_text_is_a_valid_or_query(text: str) -> None:
    q = S.keyword_query(text)
    assert q is not None
    parse(q)  # raises on a syntax error
    assert " and " not in q
    if "卷积" in text:
        assert "卷积" in q and "神经网络" in q


def test_hybrid_with_an_unparseable_keyword_side_still_answers(corpus: Corpus) -> None:
    assert S.keyword_query("the of and, or ...") is None
    assert _search(corpus, "the of and, or ...", "hybrid")  # semantic ranking alone


def test_keyword_mode_goes_to_the_keyword_engine(corpus: Corpus) -> None:
    res = S.run(corpus.settings, corpus.catalogue, SearchRequest("speaker", limit=5, mode="keyword"))
    assert res.mode == "keyword" and res.hits
    assert all(h.why is None for h in res.hits)


def test_default_mode_without_vectors_falls_back_to_keywords(small_corpus: Corpus) -> None:
    import shutil

    from patentdesk.index.vectors import VectorsMissing

    shutil.rmtree(small_corpus.settings.vectors_dir)
    pub = next(p for p in small_corpus.catalogue.iter_publications()
               if p.title and len(p.title.split()) > 3 and p.title.replace(" ", "").replace("-", "").isalnum())
    assert S.default_mode(f"{pub.title}, (as described)") == "hybrid"
    res = S.run(small_corpus.settings, small_corpus.catalogue, SearchRequest(f"{pub.title}, (as described)"))
    assert res.mode == "keyword" and res.query == f"{pub.title}, (as described)"
    assert pub.number in [h.publication_number for h in res.hits[:3]]
    with pytest.raises(VectorsMissing, match="patentdesk embed"):
        S.run(small_corpus.settings, small_corpus.catalogue, SearchRequest(pub.title, mode="hybrid"))


def test_unknown_mode_and_window_are_refused(corpus: Corpus) -> None:
    with pytest.raises(UserError):
        S.run(corpus.settings, corpus.catalogue, SearchRequest("x", mode="fuzzy"))
    with pytest.raises(UserError):
        S.run(corpus.settings, corpus.catalogue, SearchRequest("neural", mode="semantic", offset=990, limit=20))
    with pytest.raises(UserError, match="relevance"):
        S.run(corpus.settings, corpus.catalogue, SearchRequest("neural net", mode="hybrid", sort="-date"))


def test_fusion_keeps_other_languages_in_place(corpus: Corpus) -> None:
    """Keyword evidence re-orders documents inside the query's language only."""
    idx = VectorStore.of(corpus.settings).load()
    row = next(r for r in devset_targets()["CN113603444B"] if r["lang"] == "zh-Hans")
    qvec = corpus.encoder.encode([row["query"]])
    sem = S.semantic_ranking(idx, qvec, 100, None)
    kw = S.keyword_ranking(corpus.settings, corpus.catalogue, row["query"], 100, None, None)
    assert kw, "the Chinese query has Chinese keyword hits in the corpus"
    fused = S.fuse(idx, qvec, sem, kw, "zh", replace(S.DEFAULT_FUSION, foreign=0.0))
    non_zh = [r.doc for r in fused if "zh" not in idx.docs[r.doc].langs.split(",")]
    by_cos = sorted(non_zh, key=lambda d: -next(r.cosine for r in fused if r.doc == d))
    assert non_zh == by_cos  # the non-Chinese documents keep their semantic order ...
    slots = sorted((r.cosine for r in fused), reverse=True)
    assert [r.score for r in fused] == slots  # ... and every document sits on a cosine slot


def test_the_lexicon_reads_query_words_as_english_words_of_the_catalogue(corpus: Corpus) -> None:
    from patentdesk.index.embed import default_encoder
    from patentdesk.index.lexicon import MIN_DOCS, english_words

    enc = default_encoder()
    store = VectorStore.of(corpus.settings)
    lex = store.lexicon.load(enc.info.key())
    assert lex is not None and len(lex) > 100
    # its words are the English title/abstract words of at least MIN_DOCS documents, counted here anew
    counts: dict[str, int] = {}
    for pub in corpus.catalogue.iter_publications():
        words: set[str] = set()
        for kind in ("title", "abstract"):
            for t in pub.texts_of(kind):
                if t.lang == "en" and t.text:
                    words |= english_words(t.text)
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    assert set(lex.words) == {w for w, n in counts.items() if n >= MIN_DOCS}
    # translations: each pair whose English word the catalogue uses
    pairs = {"rede": "network", "neural": "neural", "imagem": "image", "sinal": "signal", "神经网络": "neural",
             "图像": "image", "圖像": "image", "转子": "rotor"}
    usable = {src: en for src, en in pairs.items() if en in lex.words}
    assert len(usable) >= 4
    got = dict(zip(usable, [lex.translate(enc, [src]) for src in usable], strict=True))
    right = sum(1 for src, en in usable.items() if got[src][:1] == [en])
    assert right >= len(usable) - 1, got
    # a word with nothing close enough is left out
    assert lex.translate(enc, ["qqzxv"], min_cosine=0.99) == []


def test_hybrid_uses_translated_evidence_only_for_other_languages(corpus: Corpus,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = S.translated_ranking

    def spy(settings, catalogue, text, *a, **kw):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(settings, catalogue, text, *a, **kw)

    monkeypatch.setattr(S, "translated_ranking", spy)
    rows = {r["lang"]: r["query"] for r in devset_targets()["US9406017"]}
    for lang in LANGS:
        assert _search(corpus, rows[lang], "hybrid")[0] == _canonical(corpus, "US9406017")
    assert sorted(calls) == sorted(rows[lang] for lang in ("pt", "zh-Hans", "zh-Hant"))
