"""`analyze` on the real Lens COVID collections (10 overlapping files, 3,309 distinct documents),
checked against statistics computed from the JSON lines; and the topic map on that set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import landscape_expect as E
import pytest

from patentdesk.analysis import Options, ResultSet, analyze
from patentdesk.analysis.topics import tokens
from patentdesk.config import Settings
from patentdesk.ingest.pipeline import ingest
from patentdesk.store.catalogue import Catalogue

COVID = "lens/covid-collections"


@pytest.fixture(scope="module")
def covid(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Any:
    home = tmp_path_factory.mktemp("covid")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'catalogue.sqlite'}")
    cat = Catalogue(settings.database_url)
    summary = ingest(cat, [str(data_dir / COVID)])
    assert summary.quarantined == 0
    recs = E.covid_records(data_dir / COVID)
    numbers = [p.number for p in cat.iter_publications()]
    assert len(numbers) == len(recs) == 3309
    yield settings, cat, recs, numbers
    cat.close()


@pytest.fixture(scope="module")
def result(covid: Any) -> dict[str, Any]:
    settings, cat, _, numbers = covid
    return analyze(settings, cat, ResultSet(tuple(numbers), collection="covid"),
                   Options(year_basis="publication", top=25, topic_docs=1200))


def test_counts_years_and_places(result: dict[str, Any], covid: Any) -> None:
    recs = covid[2]
    assert result["summary"]["documents"] == 3309
    assert {r["year"]: r["documents"] for r in result["filing_trends"]["years"] if r["documents"]} == \
        E.per_year(recs, "publication")
    assert [(j["country"], j["documents"]) for j in result["jurisdictions"]] == \
        E.ranked(dict(Counter(r.country for r in recs)))
    top_j = [j for j in result["filing_trends"]["by_jurisdiction"] if j["jurisdiction"] == "other"]
    assert sum(j["documents"] for j in top_j) == sum(
        n for c, n in E.ranked(dict(Counter(r.country for r in recs)))[6:])


def test_applicants_inventors(result: dict[str, Any], covid: Any) -> None:
    recs = covid[2]
    keys = ("name", "documents", "share", "first_year", "last_year", "recent", "previous")
    got = [{k: r[k] for k in keys} for r in result["top_applicants"]["top"]]
    assert got == E.top_parties(recs, "applicants", "publication", 25)
    got_inv = [{k: r[k] for k in keys} for r in result["top_inventors"]["top"]]
    assert got_inv == E.top_parties(recs, "inventors", "publication", 25)
    assert result["collaboration"]["totals"] == E.coapplicant_totals(recs)


def test_classes_fields_families_citations(result: dict[str, Any], covid: Any, concordance_path: Path) -> None:
    recs = covid[2]
    for scheme in ("ipc", "cpc"):
        for level in ("section", "subclass", "group"):
            got = result["classification"][scheme]["levels"][level]
            limit = None if level == "section" else 25
            assert [(e["code"], e["documents"]) for e in got["top"]] == \
                E.ranked(E.class_counts(recs, scheme, level), limit), (scheme, level)
    expected = E.field_counts(recs, E.concordance(concordance_path))
    assert {f["field"]: f["documents"] for f in result["tech_fields"]["fields"] if f["documents"]} == expected
    assert max(expected, key=lambda k: (expected[k], -k)) == result["tech_fields"]["fields"][0]["field"]
    dist = {d["size"]: d["families"] for d in result["family_sizes"]["distribution"]}
    assert dist == E.family_distribution(recs)
    assert result["citations"]["backward"]["npl_citations"] == sum(r.npl for r in recs)


def test_new_entrants(result: dict[str, Any], covid: Any) -> None:
    new, active = E.new_entrants(covid[2], "publication")
    assert {r["year"]: r["new"] for r in result["new_entrants"] if r["new"]} == new
    assert {r["year"]: r["active"] for r in result["new_entrants"] if r["active"]} == active


def test_topic_map(result: dict[str, Any], covid: Any) -> None:
    tm = result["topic_map"]
    assert tm["method"] == "tfidf" and "TF-IDF" in tm["vectors"]  # no vector store in this home
    assert tm["sampled"] and tm["sample_limit"] == 1200 and tm["documents_in_set"] == 3309
    assert 0 < tm["documents"] == len(tm["points"]) <= 1200
    k = len(tm["clusters"])
    assert 2 <= k <= 12
    assert sum(c["size"] for c in tm["clusters"]) == tm["documents"]
    assert [c["id"] for c in tm["clusters"]] == list(range(1, k + 1))
    assert [c["size"] for c in tm["clusters"]] == sorted((c["size"] for c in tm["clusters"]), reverse=True)
    assert all(-1.0 <= p["x"] <= 1.0 and -1.0 <= p["y"] <= 1.0 for p in tm["points"])
    # a cluster's label terms are frequent in its own documents' titles and abstracts
    cluster_of = {p["number"]: p["cluster"] for p in tm["points"]}
    for c in tm["clusters"]:
        assert c["terms"] and c["label"] == " · ".join(c["terms"][:3])
        assert all(cluster_of[e] == c["id"] for e in c["examples"])
        titles = Counter(t for p in tm["points"] if p["cluster"] == c["id"] for t in set(tokens(p["title"])))
        others = Counter(t for p in tm["points"] if p["cluster"] != c["id"] for t in set(tokens(p["title"])))
        inside = titles[c["terms"][0]] / c["size"]
        outside = others[c["terms"][0]] / max(1, tm["documents"] - c["size"])
        assert inside >= outside, (c["terms"][0], inside, outside)
    # the clusters are about something: coronavirus vocabulary shows up among the labels
    vocab = {t for c in tm["clusters"] for t in c["terms"]}
    assert vocab & {"coronavirus", "virus", "sars", "antibody", "vaccine", "mers", "protein", "cov"}


def test_topic_map_is_reproducible(covid: Any, result: dict[str, Any]) -> None:
    settings, cat, _, numbers = covid
    again = analyze(settings, cat, ResultSet(tuple(numbers), collection="covid"),
                    Options(year_basis="publication", top=25, topic_docs=1200))
    assert again["topic_map"] == result["topic_map"]
    small = analyze(settings, cat, ResultSet(tuple(numbers[:200])), Options(topics=3), with_topics=True)
    assert len(small["topic_map"]["clusters"]) == 3 and not small["topic_map"]["sampled"]
