"""The evaluation harness and the commands `embed`, `similar`, `eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from semantic_corpus import DEVSET, Corpus

import patentdesk.cli_semantic  # noqa: F401  (registers the commands on `main`)
from patentdesk import eval as E
from patentdesk.cli import main
from patentdesk.errors import UserError


def test_devset_is_well_formed() -> None:
    topics = E.read_known_items(DEVSET)
    assert len(topics) == 308
    langs = {t.lang for t in topics}
    assert langs == {"en", "pt", "zh-Hans", "zh-Hant"}
    targets = {next(iter(t.relevant)) for t in topics}
    assert len(targets) == 77
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row["source"] in ("patentsview-abstracts/neural-network-patents.csv",
                                 "lens/api-flat-construction-patents.csv")
        assert row["id"] == f"{row['target']}-{row['lang']}"


def test_devset_targets_exist_in_the_real_files(data_dir: Path) -> None:
    import csv

    with open(data_dir / "patentsview-abstracts/neural-network-patents.csv", encoding="utf-8", newline="") as f:
        pv = {r["patent_number"] for r in csv.DictReader(f)}
    with open(data_dir / "lens/api-flat-construction-patents.csv", encoding="utf-8", newline="") as f:
        lens = {r["doc_key"].rsplit("_", 1)[0].replace("_", "") for r in csv.DictReader(f) if r["abstract"].strip()}
    for t in E.read_known_items(DEVSET):
        target = next(iter(t.relevant))
        assert target[2:] in pv or target in lens, target


def test_relevance_ignores_a_missing_kind() -> None:
    assert E.is_relevant("US5999638A", {"US5999638"})
    assert E.is_relevant("US 5,999,638 A", {"US5999638"})
    assert not E.is_relevant("US5999638A", {"US5999638B2"})
    assert not E.is_relevant("US5999639A", {"US5999638"})


def test_scores_and_report() -> None:
    s = E.Scores()
    assert s.add(["X1", "US1A", "X2"], frozenset({"US1"})) == 2
    assert s.add(["X1"] * 20, frozenset({"US2"})) is None
    out = s.summary()
    assert out["queries"] == 2
    assert out["recall@1"] == 0.0 and out["recall@10"] == 0.5
    assert out["mrr@10"] == 0.25
    topics = [E.Topic("a", "q1", "en", frozenset({"US1"})), E.Topic("b", "q2", "pt", frozenset({"US2"}))]
    ranked = {"q1": ["US1"], "q2": ["X"] * 11 + ["US2"]}
    report = E.evaluate(topics, ["semantic"], lambda mode, q, depth: ranked[q])
    d = report.to_dict()
    assert d["modes"]["semantic"]["en"]["mrr@10"] == 1.0
    assert d["modes"]["semantic"]["pt"]["recall@10"] == 0.0 and d["modes"]["semantic"]["pt"]["recall@100"] == 1.0
    assert d["modes"]["semantic"]["all"]["queries"] == 2
    assert d["ranks"]["semantic"] == {"a": 1, "b": 12}
    assert "semantic" in report.table()


def test_trec_qrels(tmp_path: Path) -> None:
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 US1A 1\nq1 0 US2A 0\nq1 0 US3A 2\nq2 0 US9A 0\n", encoding="utf-8")
    topics = tmp_path / "topics.tsv"
    topics.write_text("q1\tneural network\nq2\tnothing relevant\n", encoding="utf-8")
    got = E.read_trec(qrels, topics)
    assert len(got) == 1 and got[0].relevant == frozenset({"US1A", "US3A"})
    s = E.Scores()
    s.add(["US3A", "X", "US1A"], got[0].relevant)
    assert s.summary()["recall@1"] == 0.5 and s.summary()["recall@10"] == 1.0
    bad = tmp_path / "bad.txt"
    bad.write_text("q1 0 US1A\n", encoding="utf-8")
    with pytest.raises(UserError):
        E.read_trec(bad, topics)


def test_embed_similar_and_eval_commands(small_corpus: Corpus, tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(small_corpus.settings.home)]
    res = runner.invoke(main, ["embed", *home, "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["embedded_docs"] == 0 and summary["total_docs"] == small_corpus.rows

    res = runner.invoke(main, ["embed", "--status", *home, "--json"])
    assert json.loads(res.output)["documents"] == small_corpus.rows

    number = next(small_corpus.catalogue.iter_publications()).number
    res = runner.invoke(main, ["similar", number, "--limit", "5", *home, "--json"])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.output)["hits"]
    assert len(hits) == 5 and number not in [h["publication_number"] for h in hits]
    assert all(h["why"] for h in hits)

    res = runner.invoke(main, ["similar", "US0000001", *home, "--json"])
    assert res.exit_code != 0 and "not_found" in res.output

    items = tmp_path / "items.jsonl"
    pub = small_corpus.catalogue.get(number)
    assert pub is not None and pub.title
    items.write_text(json.dumps({"id": "1", "lang": "en", "query": pub.title, "target": number}) + "\n",
                     encoding="utf-8")
    res = runner.invoke(main, ["eval", "known-item", str(items), "--mode", "semantic", "--mode", "hybrid",
                               *home, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["modes"]["semantic"]["en"]["recall@10"] == 1.0
    assert set(out["modes"]) == {"semantic", "hybrid"}


def test_search_command_picks_hybrid_for_plain_text_and_keyword_for_the_query_language(small_corpus: Corpus) -> None:
    runner = CliRunner()
    home = ["--home", str(small_corpus.settings.home)]
    assert runner.invoke(main, ["embed", *home, "--json"]).exit_code == 0
    pub = next(p for p in small_corpus.catalogue.iter_publications()
               if p.title and len(p.title.split()) > 3 and p.title.replace(" ", "").isalnum()
               and not {"or", "not", "and"} & set(p.title.lower().split()))
    assert pub.title is not None
    plain = runner.invoke(main, ["search", pub.title, "--limit", "5", *home, "--json"])
    assert plain.exit_code == 0, plain.output
    out = json.loads(plain.output)
    assert out["mode"] == "hybrid" and pub.number in [h["publication_number"] for h in out["hits"]]
    assert all(h["why"] for h in out["hits"])
    word = pub.title.split()[0]
    field = runner.invoke(main, ["search", f"ti={word}", "--limit", "5", *home, "--json"])
    assert field.exit_code == 0, field.output
    assert json.loads(field.output)["mode"] == "keyword"
    forced = runner.invoke(main, ["search", pub.title, "--mode", "keyword", "--limit", "5", *home, "--json"])
    assert json.loads(forced.output)["mode"] == "keyword"
    sem = runner.invoke(main, ["search", f"ti={word}", "--mode", "semantic", "--limit", "5", *home, "--json"])
    assert sem.exit_code == 0 and json.loads(sem.output)["mode"] == "semantic"
