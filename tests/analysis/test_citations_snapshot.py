"""Citation statistics, family sizes, the columnar snapshot and the harmonizer hook.

A small hand-made catalogue pins the citation rules (exact and kind-less resolution, forward
counts from the set and from the catalogue, applicant self citations); the USPTO weekly slices
check the backward counts against the Publications' own citations."""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from patentdesk.analysis import Options, ResultSet, analyze, groups, snapshot
from patentdesk.config import Settings
from patentdesk.ingest.pipeline import ingest
from patentdesk.model import Citation, Classification, Party, Provenance, Publication
from patentdesk.store.catalogue import Catalogue


def pub(number: str, applicant: str, cites: tuple[tuple[str, str], ...] = (), npl: int = 0,
        family: str | None = None, year: int = 2010) -> Publication:
    country, rest = number[:2], number[2:]
    doc, kind = rest[:-2], rest[-2:]
    cits = [Citation(i, "patent", n, cited_by=by) for i, (n, by) in enumerate(cites, 1)]
    cits += [Citation(len(cits) + j, "npl", text=f"paper {j}") for j in range(1, npl + 1)]
    return Publication(number=number, country=country, doc_number=doc, kind=kind, doc_type="grant",
                       publication_date=dt.date(year, 6, 1), earliest_priority_date=dt.date(year - 1, 3, 1),
                       parties=(Party(applicant, "applicant", 1),),
                       classifications=(Classification("ipc", "F02K3/04", 1),), citations=tuple(cits),
                       family_id=family, family_source="source" if family else None,
                       provenance=Provenance("test", "hand-made", 1))


A = pub("US1000001B2", "ACME CORP", (("US1000002B2", "examiner"), ("US1000003A1", "applicant"),
                                     ("EP9999999A1", "examiner")), npl=1, family="F1")
B = pub("US1000002B2", "Acme Corp.", (("US1000003B1", "examiner"),), family="F1", year=2012)
C = pub("US1000003B1", "BETA INC", family="F2", year=2014)
D = pub("US1000004B2", "GAMMA LTD", (("US1000001B2", None), ("US1000002B2", "applicant")))
E = pub("EP1000005A1", "ACME CORP", family="F1")


def _settings(tmp_path: Path, cat: Catalogue) -> Settings:
    return Settings(home=tmp_path / "home", database_url=cat.url)


def test_citation_rules(catalogue: Catalogue, tmp_path: Path) -> None:
    catalogue.apply([A, B, C, D, E])
    got = analyze(_settings(tmp_path, catalogue), catalogue, ResultSet((A.number, B.number, C.number)), Options(),
                  with_topics=False)
    c = got["citations"]
    assert c["backward"] == {
        "patent_citations": 4, "npl_citations": 1, "documents_citing_patents": 2, "documents_citing_npl": 1,
        "mean_patent_citations": 1.33, "mean_npl_citations": 0.33,
        "by_cited_by": {"applicant": 1, "examiner": 3},
        # A->B exactly, A->C by number without kind (US1000003A1 names the grant US1000003B1), B->C
        "resolved_in_catalogue": 3, "to_set": 3}
    assert c["forward"] == {"citations_from_set": 3, "citations_from_catalogue": 5, "documents_cited": 3,
                            "documents_cited_in_set": 2}
    # A -> B: both ACME CORP once their names are normalized
    assert c["self_citations"] == {"count": 1, "resolved": 3, "share": 33.33}
    assert [(m["number"], m["forward_in_set"], m["forward_catalogue"], m["backward_patent"], m["backward_npl"])
            for m in c["most_cited"]] == [(C.number, 2, 2, 0, 0), (B.number, 1, 2, 1, 0), (A.number, 0, 1, 3, 1)]
    assert c["most_cited"][1]["applicant"] == "ACME CORP"
    f = got["family_sizes"]
    # F1 has A, B and E in the catalogue; F2 only C
    assert f["distribution"] == [{"size": 1, "families": 1}, {"size": 3, "families": 1}]
    assert f["largest"][0]["family_id"] == "F1" and f["largest"][0]["in_set"] == 2
    assert f["largest"][0]["members"] == ["EP1000005A1", "US1000001B2", "US1000002B2"]
    assert got["top_applicants"]["top"][0]["name"] == "ACME CORP" and got["top_applicants"]["top"][0]["aliases"] == 2


def test_snapshot_follows_the_catalogue(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    settings = _settings(tmp_path, sqlite_catalogue)
    sqlite_catalogue.apply([A, B])
    first = analyze(settings, sqlite_catalogue, ResultSet((A.number, B.number, C.number)), Options(),
                    with_topics=False)
    assert first["summary"]["documents"] == 2 and first["methodology"]["numbers_not_found"] == [C.number]
    snap1 = snapshot.load(settings, sqlite_catalogue)
    assert snapshot.load(settings, sqlite_catalogue) is snap1  # unchanged catalogue: the same snapshot
    sqlite_catalogue.apply([C])
    second = analyze(settings, sqlite_catalogue, ResultSet((A.number, B.number, C.number)), Options(),
                     with_topics=False)
    assert second["summary"]["documents"] == 3
    snap2 = snapshot.load(settings, sqlite_catalogue)
    assert snap2.path != snap1.path and not snap1.path.exists()
    assert snap2.state.publications == 3 and snap2.size == 3
    assert snap2.numbers(snap2.lookup([C.number, "XX1"])[0]) == [C.number]
    assert second["methodology"]["catalogue"]["rows"]["citations"] == 5


def test_harmonizer_hook(sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         real_harmonizer: Any) -> None:
    calls: list[list[str]] = []

    def harmonize(names: list[str]) -> dict[str, str]:
        calls.append(list(names))
        return {n: ("ACME GROUP" if "acme" in n.lower() or "beta" in n.lower() else n) for n in names}

    fake = types.ModuleType("patentdesk.analysis.names")
    fake.harmonize = harmonize  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "patentdesk.analysis.names", fake)
    monkeypatch.setattr(groups, "harmonizer", real_harmonizer)
    sqlite_catalogue.apply([A, B, C, D])
    got = analyze(_settings(tmp_path, sqlite_catalogue), sqlite_catalogue,
                  ResultSet((A.number, B.number, C.number)), Options(), with_topics=False)
    assert got["methodology"]["harmonization"] == "patentdesk.analysis.names.harmonize"
    assert got["top_applicants"]["top"][0] == {**got["top_applicants"]["top"][0], "name": "ACME GROUP",
                                               "documents": 3, "aliases": 3}
    # the names of the whole catalogue are grouped (D's too), once per catalogue state ...
    assert sorted(set(calls[0])) == ["ACME CORP", "Acme Corp.", "BETA INC", "GAMMA LTD"]
    # A -> B and A -> C, B -> C are now all within ACME GROUP
    assert got["citations"]["self_citations"]["count"] == 3
    # ... so another set of the same catalogue only looks its names up
    applicant_calls = len(calls)
    again = analyze(_settings(tmp_path, sqlite_catalogue), sqlite_catalogue, ResultSet((A.number, D.number)),
                    Options(), with_topics=False)
    assert len(calls) == applicant_calls
    assert {r["name"] for r in again["top_applicants"]["top"]} == {"ACME GROUP", "GAMMA LTD"}


def test_harmonizer_missing_falls_back_to_exact_names(monkeypatch: pytest.MonkeyPatch, real_harmonizer: Any) -> None:
    monkeypatch.setitem(sys.modules, "patentdesk.analysis.names", None)  # import fails
    monkeypatch.setattr(groups, "harmonizer", real_harmonizer)
    assert groups.harmonizer() == (None, groups.EXACT)
    mapping, method = groups.group_names(["Acme Corp.", "ACME CORP", "acme  corp", "Beta"],
                                         {"Acme Corp.": 1, "ACME CORP": 5, "acme  corp": 1, "Beta": 2})
    assert method == groups.EXACT
    assert mapping == {"Acme Corp.": "ACME CORP", "ACME CORP": "ACME CORP", "acme  corp": "ACME CORP",
                       "Beta": "Beta"}


def test_uspto_backward_citations(tmp_path: Path, data_dir: Path) -> None:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'c.sqlite'}")
    cat = Catalogue(settings.database_url)
    try:
        ingest(cat, [str(data_dir / "uspto-xml" / "weekly-slices")])
        pubs = list(cat.iter_publications())
        got = analyze(settings, cat, ResultSet(tuple(p.number for p in pubs)), Options(), with_topics=False)
    finally:
        cat.close()
    patent = [c for p in pubs for c in p.citations if c.kind != "npl"]
    npl = [c for p in pubs for c in p.citations if c.kind == "npl"]
    b = got["citations"]["backward"]
    assert len(pubs) == 225 and len(patent) > 1000 and len(npl) > 100
    assert (b["patent_citations"], b["npl_citations"]) == (len(patent), len(npl))
    assert b["by_cited_by"] == dict(sorted(Counter(c.cited_by or "unknown" for c in patent).items()))
    assert b["documents_citing_patents"] == sum(1 for p in pubs if any(c.kind != "npl" for c in p.citations))
    numbers = {p.number for p in pubs}
    assert b["to_set"] == sum(1 for c in patent if c.cited_number in numbers)
    ipc = Counter(s[:4] for p in pubs for s in {x[:4] for x in p.classes("ipc")})
    got_sub = {e["code"]: e["documents"] for e in got["classification"]["ipc"]["levels"]["subclass"]["top"]}
    assert all(got_sub[k] == ipc[k] for k in got_sub)


def test_empty_catalogue_and_set(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    from patentdesk.reports import write_report

    got = analyze(_settings(tmp_path, sqlite_catalogue), sqlite_catalogue, ResultSet(("US1000001B2",)), Options())
    assert got["summary"]["documents"] == 0 and got["methodology"]["numbers_not_found"] == ["US1000001B2"]
    assert got["filing_trends"]["years"] == [] and got["top_applicants"]["top"] == []
    assert got["topic_map"]["method"] is None and got["collaboration"]["nodes"] == []
    info = write_report(got, tmp_path / "empty.xlsx", lang="pt")
    assert info["charts"] == [] and (tmp_path / "empty.xlsx").is_file()


def test_stored_overrides_decide_the_groups_of_every_analysis(sqlite_catalogue: Catalogue, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              real_harmonizer: Any) -> None:
    from patentdesk.analysis import names as N

    monkeypatch.setattr(groups, "harmonizer", real_harmonizer)
    sqlite_catalogue.apply([A, B, C, D])
    settings = _settings(tmp_path, sqlite_catalogue)
    numbers = ResultSet((A.number, B.number, C.number, D.number))

    def top() -> dict[str, int]:
        got = analyze(settings, sqlite_catalogue, numbers, Options(), with_topics=False)
        return {r["name"]: r["documents"] for r in got["top_applicants"]["top"]}

    plain = top()
    assert sum(plain.values()) == 4 and len(plain) == 3  # ACME CORP / Acme Corp. grouped, BETA, GAMMA
    N.save_override(sqlite_catalogue.engine, N.Override("BETA INC", "GAMMA LTD"))
    merged = analyze(settings, sqlite_catalogue, numbers, Options(), with_topics=False)
    assert {r["name"]: r["documents"] for r in merged["top_applicants"]["top"]}["GAMMA LTD"] == 2
    assert "1 librarian overrides" in merged["methodology"]["harmonization"]
    assert N.remove_override(sqlite_catalogue.engine, "BETA INC")
    assert top() == plain  # the groups follow the stored overrides, not a stale cache


def test_an_ingest_prepares_the_next_analysis_once_the_library_analyses(tmp_path: Path, data_dir: Path) -> None:
    from click.testing import CliRunner

    from patentdesk.analysis.snapshot import FORMAT, catalogue_state, root_of
    from patentdesk.cli import main
    from patentdesk.config import resolve

    slices = data_dir / "uspto-xml" / "weekly-slices"
    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()
    settings = resolve(tmp_path / "home")

    def snapshot_folders() -> list[Path]:
        root = root_of(settings, Catalogue(settings.database_url))
        return sorted(root.glob("snapshot-*")) if root.is_dir() else []

    assert runner.invoke(main, ["ingest", *home, str(slices / "ipg050104.small.xml")]).exit_code == 0
    assert snapshot_folders() == []  # no analysis yet: an ingest builds nothing for it
    assert runner.invoke(main, ["analyze", "cc=US", *home, "--json"]).exit_code == 0
    assert len(snapshot_folders()) == 1
    assert runner.invoke(main, ["ingest", *home, str(slices / "ipg060103.small.xml")]).exit_code == 0
    with Catalogue(settings.database_url) as cat:
        key = catalogue_state(cat).key
    [folder] = snapshot_folders()  # the old one pruned, the new one ready
    assert folder.name == f"snapshot-{FORMAT}-{key}"
    assert sorted(p.name.split("-")[1] for p in folder.glob("groups-*.arrow")) == ["applicants", "inventors"]
