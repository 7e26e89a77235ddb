"""Applicant name harmonization: normalization, grouping, overrides (stored), the CLI, and the
scores on the gold-labelled assignee benchmarks of `pv-evaluation`."""

from __future__ import annotations

import csv
import itertools
import json
import random
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from patentdesk import cli_names  # noqa: F401  (registers `patentdesk names` on the CLI)
from patentdesk.analysis import names as N
from patentdesk.analysis import names_eval as E
from patentdesk.cli import main
from patentdesk.errors import UserError
from patentdesk.store.catalogue import Catalogue


def _installed(dist: str) -> bool:
    try:
        metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


needs_benchmarks = pytest.mark.skipif(not _installed("pv-evaluation"),
                                      reason="benchmark data comes from `pip install --no-deps pv-evaluation`")


# ----------------------------------------------------------------------------------------- metrics
# Five items; gold {a b c}{d e}; predicted {a b}{c d e}. Worked by hand:
#   pairwise: predicted pairs ab, cd, ce, de (4), right ab, de -> P 2/4; gold pairs ab ac bc de (4) -> R 2/4
#   B-cubed P: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 11/15; R: a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> 11/15
GOLD = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
PRED = {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Y"}


def test_pairwise_by_hand() -> None:
    s = E.pairwise(PRED, GOLD)
    assert (s.precision, s.recall) == (0.5, 0.5)
    assert s.f1 == 0.5


def test_bcubed_by_hand() -> None:
    s = E.bcubed(PRED, GOLD)
    assert s.precision == pytest.approx(11 / 15)
    assert s.recall == pytest.approx(11 / 15)


def test_singletons_and_one_cluster() -> None:
    singletons = {k: k for k in GOLD}
    assert E.pairwise(singletons, GOLD).to_dict() == {"precision": 1.0, "recall": 0.0, "f1": 0.0}
    b = E.bcubed(singletons, GOLD)
    assert b.precision == 1.0 and b.recall == pytest.approx((1 / 3 * 3 + 1 / 2 * 2) / 5)
    one = {k: 0 for k in GOLD}
    assert E.pairwise(one, GOLD).precision == pytest.approx(4 / 10)
    assert E.bcubed(one, GOLD).recall == 1.0


def _naive(pred: dict, gold: dict) -> tuple[float, float, float, float]:
    items = list(gold)
    same_p = {(x, y) for x, y in itertools.combinations(items, 2) if pred[x] == pred[y]}
    same_g = {(x, y) for x, y in itertools.combinations(items, 2) if gold[x] == gold[y]}
    pp = len(same_p & same_g) / len(same_p) if same_p else 1.0
    pr = len(same_p & same_g) / len(same_g) if same_g else 1.0
    bp = sum(len([y for y in items if pred[y] == pred[x] and gold[y] == gold[x]])
             / len([y for y in items if pred[y] == pred[x]]) for x in items) / len(items)
    br = sum(len([y for y in items if pred[y] == pred[x] and gold[y] == gold[x]])
             / len([y for y in items if gold[y] == gold[x]]) for x in items) / len(items)
    return pp, pr, bp, br


def test_metrics_match_the_definitions_and_weights_match_expansion() -> None:
    rnd = random.Random(7)
    for _ in range(20):
        n = rnd.randint(2, 12)
        gold = {i: rnd.randint(0, 3) for i in range(n)}
        pred = {i: rnd.randint(0, 3) for i in range(n)}
        pp, pr, bp, br = _naive(pred, gold)
        assert E.pairwise(pred, gold).precision == pytest.approx(pp)
        assert E.pairwise(pred, gold).recall == pytest.approx(pr)
        assert E.bcubed(pred, gold).precision == pytest.approx(bp)
        assert E.bcubed(pred, gold).recall == pytest.approx(br)
        # weights: an item weighted w scores like w copies of it
        weights = {i: rnd.randint(1, 3) for i in range(n)}
        copies = [(i, c) for i in range(n) for c in range(weights[i])]
        g2 = {x: gold[x[0]] for x in copies}
        p2 = {x: pred[x[0]] for x in copies}
        assert E.bcubed(pred, gold, weights).precision == pytest.approx(E.bcubed(p2, g2).precision)
        assert E.pairwise(pred, gold, weights).recall == pytest.approx(E.pairwise(p2, g2).recall)


def test_metrics_refuse_different_items() -> None:
    with pytest.raises(ValueError):
        E.bcubed({"a": 1}, {"a": 1, "b": 2})


# ----------------------------------------------------------------------------------------- normalize
@pytest.mark.parametrize("a, b", [
    ("SAMSUNG ELECTRONICS CO., LTD.", "Samsung Electronics Co Ltd"),
    ("三星电子株式会社", "三星電子株式會社"),
    ("华为技术有限公司", "華為技術有限公司"),
    ("Siemens Aktiengesellschaft", "SIEMENS AG"),
    ("Kabushiki Kaisha Toshiba", "Toshiba K.K."),
    ("Robert Bosch GmbH", "Robert Bosch G.m.b.H."),
    ("Natura Cosméticos Ltda.", "NATURA COSMETICOS LTDA"),
    ("Nestec S.A.", "Nestec SA"),
    ("주식회사 엘지화학", "엘지화학 주식회사"),
    ("L'Oréal", "L'OREAL S.A."),
    ("Xerox Corporation", "Xerox Corporaiton"),  # a typo in the legal form
    ("Hoechst Aktiengesellschaft", "Hoechst Aktiengesellshaft"),
    ("The United States of America as represented by the Secretary of the Navy",
     "United States of America as Represented by the Secretary of the Navy"),
])
def test_equal_keys(a: str, b: str) -> None:
    assert N.normalize_name(a) == N.normalize_name(b)


@pytest.mark.parametrize("raw, key", [
    ("SAMSUNG ELECTRONICS CO., LTD.", "samsung electronic"),
    ("三星電子株式會社", "三星电子"),
    ("中国石油化工股份有限公司", "中国石油化工"),
    ("Hoechst Research & Technology Deutschland GmbH & Co. KG", "hoechst research technology deutschland"),
    ("ООО «Газпром»", "газпром"),
    ("International Business Machines Corp. (IBM)", "international business machine"),
    ("The United States of America as represented by the Secretary of the Army", "usgov army"),
    ("The Regents of the University of California", "university california"),
    (("The State of Oregon Acting by and through the State Board of Higher Education on Behalf of Oregon "
      "State University"), "oregon state university"),
    ("L'Air LiquidÃ¢â‚¬â€\x9dSociete", "air liquid societe"),  # UTF-8 read as cp1252 twice, repaired
    ("Company", "company"),  # nothing but a legal form: kept
    ("", ""),
])
def test_keys(raw: str, key: str) -> None:
    assert N.normalize_name(raw) == key


def test_aliases_and_persons() -> None:
    assert N.analyze("Centre National de la Recherche Scientifique (CNRS)").aliases == ("cnrs",)
    assert N.analyze("Hoechst (UK) Limited").aliases == ()  # a qualifier, not an acronym
    assert N.analyze("Kim, Do Hyung").person and N.analyze("Kim, Do Hyung").tokens == ("kim", "do", "hyung")
    assert not N.analyze("Canon, Inc.").person


# ----------------------------------------------------------------------------------------- harmonize
def test_variants_group_under_the_most_frequent_spelling() -> None:
    names = (["International Business Machines Corporation"] * 3 + ["IBM Corp.", "IBM",
             "International Buisness Machines Corporation", "International Business Machines Corp."])
    groups = N.harmonize(names)
    assert set(groups) == set(names)
    assert set(groups.values()) == {"International Business Machines Corporation"}


def test_distinct_applicants_stay_apart() -> None:
    names = ["The United States of America as represented by the Secretary of the Navy",
             "The United States of America as represented by the Secretary of the Army",
             "Samsung Electronics Co., Ltd.", "Samsung Display Co., Ltd.",
             "Xerox Corporation", "Fuji Xerox Co., Ltd.",
             "Universal Foods Corp.", "Universal Woods Inc.",
             "Universal Electronics Inc.", "Universal Electric Corp.",
             "三星电子株式会社", "三菱电机株式会社"]
    groups = N.harmonize(names)
    assert len(set(groups.values())) == len(names)


def test_cjk_folds_but_does_not_cross_scripts() -> None:
    groups = N.harmonize(["三星电子株式会社", "三星電子株式會社", "Samsung Electronics Co., Ltd."])
    assert groups["三星電子株式會社"] == groups["三星电子株式会社"]
    assert groups["Samsung Electronics Co., Ltd."] != groups["三星电子株式会社"]


def test_brand_heads_its_branches_only_when_it_dominates() -> None:
    brand = ["Hoechst AG"] * 30 + ["Hoechst Celanese Corp."] * 5 + ["Hoechst Japan Ltd."] * 3
    groups = N.harmonize(brand)
    assert len(set(groups.values())) == 1 and groups["Hoechst Japan Ltd."] == "Hoechst AG"
    common = ["Universal Inc."] * 3 + ["Universal Foods Corp."] * 4 + ["Universal Instruments Corp."] * 4
    assert len(set(N.harmonize(common).values())) == 3


def test_counts_keyword_equals_repeated_names() -> None:
    repeated = ["Hoechst AG"] * 30 + ["Hoechst Celanese Corp."] * 5 + ["Hoechst Japan Ltd."] * 3
    counted = N.harmonize(["Hoechst AG", "Hoechst Celanese Corp.", "Hoechst Japan Ltd."],
                          counts={"Hoechst AG": 30, "Hoechst Celanese Corp.": 5, "Hoechst Japan Ltd.": 3})
    assert counted == N.harmonize(repeated)


def test_overrides_name_and_group() -> None:
    names = ["Merck & Co., Inc."] * 5 + ["Merck Patent GmbH", "三星电子株式会社", "Samsung Electronics Co., Ltd."]
    auto = N.harmonize(names)
    assert auto["Merck Patent GmbH"] == "Merck & Co., Inc."  # a family the harmonizer sees...
    fixed = N.harmonize(names, {"Merck Patent GmbH": "Merck KGaA", "三星電子株式會社": "Samsung Electronics"})
    assert fixed["Merck Patent GmbH"] == "Merck KGaA"  # ...and a librarian separates
    assert fixed["Merck & Co., Inc."] == "Merck & Co., Inc."
    assert fixed["三星电子株式会社"] == "Samsung Electronics"  # matched by key: the traditional spelling
    merged = N.harmonize(names, [N.Override("Samsung Electronics Co., Ltd.", "Samsung", "group"),
                                 N.Override("三星电子株式会社", "Samsung", "group")])
    assert merged["三星电子株式会社"] == merged["Samsung Electronics Co., Ltd."] == "Samsung"


def test_groups_for_review() -> None:
    names = ["Toyota Motor Corp"] * 2 + ["TOYOTA MOTOR CO LTD", "Honda Motor Co., Ltd."]
    g = N.groups(names, {"Honda Motor Co., Ltd.": "Honda"})
    assert g[0] == {"group": "Toyota Motor Corp", "mentions": 3, "names": [
        {"name": "Toyota Motor Corp", "count": 2, "key": "toyota motor"},
        {"name": "TOYOTA MOTOR CO LTD", "count": 1, "key": "toyota motor"}]}
    assert g[1]["names"] == [{"name": "Honda Motor Co., Ltd.", "count": 1, "key": "honda motor", "override": "name"}]


def test_baseline_and_exact_references() -> None:
    names = ["Sony Corporation", "SONY CORPORATION", "Sony Corp."]
    assert len(set(N.baseline_groups(names).values())) == 2  # case only
    assert len(set(N.exact_groups(names).values())) == 1  # legal forms too


# ----------------------------------------------------------------------------------------- storage
def test_overrides_persist(sqlite_catalogue: Catalogue) -> None:
    engine = sqlite_catalogue.engine
    assert N.load_overrides(engine) == []
    N.save_override(engine, N.Override("Merck Patent GmbH", "Merck KGaA"), note="not Merck & Co.")
    N.save_override(engine, N.Override("Samsung Electronics Co., Ltd.", "Samsung", "group"))
    N.save_override(engine, N.Override("Merck Patent GmbH", "Merck KGaA (Darmstadt)"))  # replaces
    assert N.load_overrides(engine) == [N.Override("Samsung Electronics Co., Ltd.", "Samsung", "group"),
                                        N.Override("Merck Patent GmbH", "Merck KGaA (Darmstadt)")]
    listed = N.list_overrides(engine)
    assert [r["key"] for r in listed] == ["samsung electronic", "merck patent"]
    assert N.remove_override(engine, "Merck Patent GmbH") is True
    assert N.remove_override(engine, "Merck Patent GmbH") is False
    with pytest.raises(UserError):
        N.save_override(engine, N.Override(" ", "x"))


def test_catalogue_names_by_role(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    from patentdesk.ingest.pipeline import ingest

    ingest(sqlite_catalogue, [str(data_dir / "uspto-xml" / "weekly-slices" / "ipg050104.small.xml")])
    names = N.catalogue_names(sqlite_catalogue.engine)
    pub = next(p for p in sqlite_catalogue.iter_publications() if p.applicants)
    assert set(pub.applicants) <= set(names)
    inventors = N.catalogue_names(sqlite_catalogue.engine, ("inventor",))
    assert inventors and not set(inventors) & {n for n in names if n not in inventors}


# ----------------------------------------------------------------------------------------- CLI
def test_cli_cluster_on_the_real_lens_export(tmp_path: Path, data_dir: Path) -> None:
    src = data_dir / "lens" / "lens-export-jet-engines.csv"
    out = tmp_path / "grouped.csv"
    r = CliRunner().invoke(main, ["names", "cluster", str(src), "--column", "Applicants", "--separator", ";;",
                                  "--out", str(out), "--home", str(tmp_path / "h"), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    # counted with the csv module: 3,779 rows, 4,443 applicant names, 3,156 distinct spellings
    assert (summary["rows"], summary["names"], summary["distinct_names"]) == (3779, 4443, 3156)
    assert summary["groups"] < summary["distinct_names"]
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3779 and list(rows[0])[-1] == "group"
    assert (rows[0]["#"], rows[0]["Applicants"], rows[0]["group"]) == ("1", "NEWCOMER FRED MICHAEL",
                                                                       "NEWCOMER FRED MICHAEL")
    assert rows[1889]["Applicants"] == "YUNNAN ZHONGYI DINGDONG ENERGY TECH DEVELOPMENT CO LTD"
    assert rows[-1]["#"] == "3779" and rows[-1]["group"] == "MATTHEWS ROBERT R"
    group = {n: g for row in rows for n, g in zip(row["Applicants"].split(";;"), row["group"].split(";;")) if n}
    assert group["TOYOTA MOTOR CO LTD"] == group["TOYOTA MOTOR CORP"] == "TOYOTA MOTOR CORP"  # 14 and 24 rows
    assert group["ROLLS ROYCE"] == group["ROLLS ROYCE PLC"]
    assert group["UNIV DALIAN SCIENCE & ENG"] != group["UNIV DALIAN TECH"]
    assert next(r["group"] for r in rows if r["Applicants"] == "RUBIN STUART H;;US NAVY") == "RUBIN STUART H;;US NAVY"


def test_cli_cluster_errors(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,name,group\n1,Sony Corp\n", encoding="utf-8")
    home = ["--home", str(tmp_path / "h")]
    r = CliRunner().invoke(main, ["names", "cluster", str(src), "--column", "nope", "--out", "-", *home])
    assert r.exit_code != 0 and "no column 'nope'" in r.output
    r = CliRunner().invoke(main, ["names", "cluster", str(src), "--column", "name", "--out", "-", *home])
    assert r.exit_code != 0 and "already has a column 'group'" in r.output


def test_cli_override_and_harmonize(tmp_path: Path, data_dir: Path) -> None:
    home = ["--home", str(tmp_path / "h")]
    runner = CliRunner()
    r = runner.invoke(main, ["ingest", str(data_dir / "uspto-xml" / "weekly-slices" / "ipg050104.small.xml"),
                             "--no-index", *home])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["names", "harmonize", "--json", *home])
    assert r.exit_code == 0, r.output
    before = json.loads(r.output)
    assert before["overrides"] == 0 and before["mentions"] >= before["distinct_names"] >= before["groups"] > 0
    first = before["shown"][0]["names"][0]["name"]
    r = runner.invoke(main, ["names", "override", first, "--group", "Reviewed Group", "--note", "checked", *home])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["names", "harmonize", "--json", *home])
    after = json.loads(r.output)
    assert after["overrides"] == 1
    reviewed = next(g for g in after["shown"] if g["group"] == "Reviewed Group")
    assert reviewed["names"][0]["override"] == "name"
    r = runner.invoke(main, ["names", "override", "--json", *home])
    assert [o["name"] for o in json.loads(r.output)] == [first]
    r = runner.invoke(main, ["names", "override", first, "--remove", *home])
    assert r.exit_code == 0
    r = runner.invoke(main, ["names", "override", first, "--remove", *home])
    assert r.exit_code != 0 and "no override" in r.output


# ----------------------------------------------------------------------------------------- benchmarks
@needs_benchmarks
def test_benchmark_files() -> None:
    air = E.load_benchmark("air-umass")
    assert air.summary() == {"mentions": 185250, "distinct_names": 2269, "gold_entities": 105, "duplicate_rows": 0}
    assert air.mentions[0] == E.Mention("US5204210-0", "Xerox Corporation", "e45")
    assert air.mentions[92625] == E.Mention(
        "US4381090-0", "The United States of America as represented by the Secretary of the Army", "X6_4")
    assert air.mentions[-1] == E.Mention("US4440859-0", "The Regents of the University of California", "9_11")
    nber = E.load_benchmark("nber-subset")
    # 216,847 rows, of which 10,431 repeat a mention id (identical rows)
    assert nber.summary() == {"mentions": 206416, "distinct_names": 12364, "gold_entities": 6176,
                              "duplicate_rows": 10431}
    assert nber.mentions[0] == E.Mention("US5032825-0", "Motorola, Inc.", "NOTOROLA INC")
    with pytest.raises(UserError):
        E.load_benchmark("no-such-benchmark")


@needs_benchmarks
def test_harmonizer_on_air_umass() -> None:
    bench = E.load_benchmark("air-umass")
    result = E.evaluate(bench, E.default_methods())
    methods = result["methods"]
    assert isinstance(methods, dict)
    base = methods["baseline"]["name"]["bcubed"]
    ours = methods["harmonizer"]["name"]["bcubed"]
    # per distinct name: far above the normalize-and-compare baseline, precision kept above 0.95
    assert base["f1"] < 0.3
    assert ours["precision"] >= 0.95 and ours["f1"] >= 0.9
    assert methods["harmonizer"]["name"]["pairwise"]["precision"] >= 0.95
    assert methods["harmonizer"]["mention"]["bcubed"]["f1"] >= 0.99


@needs_benchmarks
def test_cli_eval(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["names", "eval", "--benchmark", "air-umass", "--json", "--home", str(tmp_path)])
    assert r.exit_code == 0, r.output
    (res,) = json.loads(r.output)
    assert res["benchmark"] == "air-umass" and set(res["methods"]) == {"baseline", "normalized", "harmonizer"}
