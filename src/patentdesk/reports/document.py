"""The landscape report as a document: sections of text, charts and tables in one language.

Built once from the analysis, then rendered as an interactive page, a print layout (PDF) or a
workbook. Every number shown comes from the analysis dict; nothing is computed here but layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import strings as T
from .charts import Chart, build_charts


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | pct | num | code


@dataclass
class Table:
    id: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value (definition list)
    code: str | None = None  # a command line shown verbatim


@dataclass
class Report:
    title: str
    lang: str
    subtitle: str
    scope: str  # "Query: ..." / "Collection: ..."
    generated: str
    documents: str
    sections: list[Section]
    charts: dict[str, Chart]
    analysis: dict[str, Any]

    def t(self, key: str, **kw: Any) -> str:
        return T.text(self.lang, key, **kw)


def build_report(analysis: dict[str, Any], title: str | None = None, lang: str = "en") -> Report:
    T.check_language(lang)
    charts = build_charts(analysis, lang)
    b = _Sections(analysis, lang, charts)
    m = analysis["methodology"]
    if m.get("query"):
        scope = f"{T.text(lang, 'query')}: {m['query']}"
    elif m.get("collection"):
        scope = f"{T.text(lang, 'collection')}: {m['collection']}"
    else:
        scope = f"{T.text(lang, 'collection')}: {T.text(lang, 'whole_catalogue')}"
    generated = m.get("generated_at") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Report(title=title or T.text(lang, "report_kind"), lang=lang, subtitle=T.text(lang, "report_kind"),
                  scope=scope, generated=T.text(lang, "generated", date=generated[:10]),
                  documents=T.text(lang, "documents_in_report", n=T.number(lang, analysis["summary"]["documents"])),
                  sections=b.all(), charts=charts, analysis=analysis)


class _Sections:
    def __init__(self, a: dict[str, Any], lang: str, charts: dict[str, Chart]) -> None:
        self.a = a
        self.lang = lang
        self.charts = charts
        self.basis = T.text(lang, f"basis_{a['methodology']['year_basis']}")

    def t(self, key: str, **kw: Any) -> str:
        return T.text(self.lang, key, **kw)

    def n(self, value: float | None, digits: int = 0) -> str:
        return T.number(self.lang, value, digits)

    def c(self, *ids: str) -> list[Chart]:
        return [self.charts[i] for i in ids if i in self.charts]

    def col(self, key: str, kind: str = "text", label: str | None = None) -> Column:
        return Column(key, label or self.t(key), kind)

    def all(self) -> list[Section]:
        return [self.summary(), self.trends(), self.applicants(), self.applicant_year(), self.applicant_class(),
                self.inventors(), self.classification(), self.tech_fields(), self.geography(), self.new_entrants(),
                self.collaboration(), self.citations(), self.families(), self.life_cycle(), self.topics(),
                self.methodology()]

    # ------------------------------------------------------------------------------ sections
    def summary(self) -> Section:
        s = self.a["summary"]
        period = f"{s['first_year']}–{s['last_year']}" if s["first_year"] is not None else self.t("not_available")
        facts = [(self.t("documents"), self.n(s["documents"])), (self.t("families"), self.n(s["families"])),
                 (self.t("applicants"), self.n(s["applicants"])), (self.t("inventors"), self.n(s["inventors"])),
                 (self.t("jurisdictions"), self.n(s["jurisdictions"])),
                 (f"{self.t('period')} ({self.basis})", period)]
        if s["without_year"]:
            facts.append((self.t("without_year"), self.n(s["without_year"])))
        paras = [self.t("intro_summary"),
                 self.t("hl_documents", n=self.n(s["documents"]), families=self.n(s["families"]),
                        j=self.n(s["jurisdictions"]))]
        years = [r for r in self.a["filing_trends"]["years"] if r["documents"]]
        if years:
            peak = max(years, key=lambda r: (r["documents"], -r["year"]))
            paras.append(self.t("hl_peak", year=peak["year"], n=self.n(peak["documents"]), basis=self.basis))
        top = self.a["top_applicants"]["top"]
        if top:
            paras.append(self.t("hl_top_applicant", name=top[0]["name"], n=self.n(top[0]["documents"]),
                                share=self.n(top[0]["share"], 1)))
        if self.a["jurisdictions"]:
            j = self.a["jurisdictions"][0]
            paras.append(self.t("hl_top_jurisdiction", country=j["country"], n=self.n(j["documents"]),
                                share=self.n(j["share"], 1)))
        fields = [f for f in self.a["tech_fields"]["fields"] if f["documents"]]
        if fields:
            f = fields[0]
            paras.append(self.t("hl_top_field", field=T.field_name(self.lang, f["field"], f["name"]),
                                share=self.n(f["share"], 1)))
        return Section("summary", self.t("sec_summary"), paragraphs=paras, facts=facts)

    def trends(self) -> Section:
        sec = Section("trends", self.t("sec_trends"), [self.t("intro_trends", basis=self.basis)],
                      self.c("filing-trends", "trends-by-jurisdiction"))
        if self.a["filing_trends"]["without_year"]:
            sec.facts.append((self.t("without_year"), self.n(self.a["filing_trends"]["without_year"])))
        return sec

    def _party_table(self, key: str, label_key: str) -> Table:
        rows = [dict(r, trend=self.t(f"trend_{r['trend']}")) for r in self.a[key]["top"]]
        return Table(key, self.t("sec_applicants" if key == "top_applicants" else "sec_inventors"), [
            self.col("rank", "int"), self.col("name", label=self.t(label_key)), self.col("documents", "int"),
            self.col("share", "pct"), self.col("first_year", "code"), self.col("last_year", "code"),
            self.col("recent", "int"), self.col("previous", "int"), self.col("trend_pct", "num"),
            self.col("trend"), self.col("aliases", "int")], rows)

    def _method(self) -> str:
        method = self.a["methodology"]["harmonization"]
        return self.t("exact_names") if method.startswith("exact") else f"{self.t('harmonized')} ({method})"

    def applicants(self) -> Section:
        w = self.a["top_applicants"]["window"]
        recent = f"{w['recent'][0]}–{w['recent'][1]}" if w else "–"
        previous = f"{w['previous'][0]}–{w['previous'][1]}" if w else "–"
        return Section("applicants", self.t("sec_applicants"),
                       [self.t("intro_applicants", method=self._method(), recent=recent, previous=previous)],
                       self.c("top-applicants"), [self._party_table("top_applicants", "applicant")])

    def applicant_year(self) -> Section:
        return Section("applicant-year", self.t("sec_applicant_year"), [self.t("intro_applicant_year")],
                       self.c("applicant-year"))

    def applicant_class(self) -> Section:
        m = self.a["applicant_class"]
        rows = [{"code": c["code"], "title": c["title"] or ""} for c in m["classes"]]
        return Section("applicant-class", self.t("sec_applicant_class"), [self.t("intro_applicant_class")],
                       self.c("applicant-class"),
                       [Table("applicant-class-codes", self.t("subclass"),
                              [self.col("code", "code"), self.col("title")], rows)] if rows else [])

    def inventors(self) -> Section:
        return Section("inventors", self.t("sec_inventors"), [self.t("intro_inventors")], self.c("top-inventors"),
                       [self._party_table("top_inventors", "inventor")])

    def classification(self) -> Section:
        cl = self.a["classification"]
        rows = cl["ipc"]["levels"]["subclass"]["top"]
        table = Table("ipc-subclasses", self.t("level_subclass"),
                      [self.col("code", "code"), self.col("title"), self.col("documents", "int"),
                       self.col("share", "pct")], [dict(r, title=r["title"] or "") for r in rows])
        return Section("classification", self.t("sec_classification"),
                       [self.t("intro_classification", source=cl["titles"])],
                       self.c("ipc-section", "ipc-class", "ipc-subclass", "ipc-group", "cpc-subclass"),
                       [table] if rows else [])

    def tech_fields(self) -> Section:
        rows = [{"field": f["field"], "name": T.field_name(self.lang, f["field"], f["name"]),
                 "sector": T.sector_name(self.lang, f["sector"]), "documents": f["documents"], "share": f["share"]}
                for f in self.a["tech_fields"]["fields"] if f["documents"]]
        return Section("tech-fields", self.t("sec_tech_fields"), [self.t("intro_tech_fields")],
                       self.c("tech-fields"),
                       [Table("tech-fields", self.t("sec_tech_fields"),
                              [self.col("field_number", "int"), self.col("name", label=self.t("field")),
                               self.col("sector"), self.col("documents", "int"), self.col("share", "pct")],
                              [dict(r, field_number=r["field"]) for r in rows])] if rows else [])

    def geography(self) -> Section:
        return Section("geography", self.t("sec_geography"), [self.t("intro_geography")],
                       self.c("jurisdictions", "applicant-countries"))

    def new_entrants(self) -> Section:
        rows = [{"year": r["year"], "new": r["new"], "active": r["active"], "newcomers": "; ".join(r["names"][:4])}
                for r in self.a["new_entrants"][-10:]]
        return Section("new-entrants", self.t("sec_new_entrants"), [self.t("intro_new_entrants")],
                       self.c("new-entrants"),
                       [Table("new-entrants", self.t("sec_new_entrants"),
                              [self.col("year", "code"), self.col("new", "int"), self.col("active", "int"),
                               self.col("newcomers")], rows)] if rows else [])

    def collaboration(self) -> Section:
        net = self.a["collaboration"]
        tot = net["totals"]
        para = self.t("intro_collaboration", with_co=self.n(tot["documents_with_coapplicants"]),
                      docs=self.n(tot["documents"]),
                      share=self.n(100.0 * tot["documents_with_coapplicants"] / tot["documents"]
                                   if tot["documents"] else 0, 1),
                      nodes=self.n(tot["nodes"]), edges=self.n(tot["edges"]))
        comm = [{"community": c["id"], "size": c["size"], "members": "; ".join(c["members"][:8])
                 + (" …" if len(c["members"]) > 8 else "")} for c in net["communities"] if c["size"] > 1]
        pairs = [{"partner_a": p["source"], "partner_b": p["target"], "joint_documents": p["weight"]}
                 for p in net["top_pairs"]]
        tables = []
        if comm:
            tables.append(Table("communities", self.t("community"),
                                [self.col("community", "int"), self.col("size", "int"), self.col("members")], comm))
        if pairs:
            tables.append(Table("top-pairs", self.t("joint_documents"),
                                [self.col("partner_a"), self.col("partner_b"), self.col("joint_documents", "int")],
                                pairs))
        return Section("collaboration", self.t("sec_collaboration"), [para], self.c("collaboration"), tables)

    def citations(self) -> Section:
        c = self.a["citations"]
        b = c["backward"]
        paras = [self.t("intro_citations", patent=self.n(b["patent_citations"]), npl=self.n(b["npl_citations"]),
                        resolved=self.n(b["resolved_in_catalogue"]), selfc=self.n(c["self_citations"]["count"]),
                        self_share=self.n(c["self_citations"]["share"], 1))]
        if not b["patent_citations"] and not c["forward"]["citations_from_catalogue"]:
            paras.append(self.t("no_patent_citations"))
        rows = c["most_cited"]
        table = Table("most-cited", self.t("ch_most_cited"),
                      [self.col("number", "code"), self.col("title"), self.col("applicant"), self.col("year", "code"),
                       self.col("forward_in_set", "int"), self.col("forward_catalogue", "int"),
                       self.col("backward_patent", "int"), self.col("backward_npl", "int")],
                      [dict(r, title=r["title"] or "", applicant=r["applicant"] or "") for r in rows])
        return Section("citations", self.t("sec_citations"), paras, self.c("most-cited"), [table] if rows else [])

    def families(self) -> Section:
        f = self.a["family_sizes"]
        para = self.t("intro_families", families=self.n(f["families"]), mean=self.n(f["mean"], 2),
                      median=self.n(f["median"], 1 if isinstance(f["median"], float) else 0), max=self.n(f["max"]))
        rows = [{"family_id": r["family_id"], "size": r["size"], "in_set": r["in_set"],
                 "countries": ", ".join(r["countries"]), "members": ", ".join(r["members"])}
                for r in f["largest"] if r["size"] > 1]
        tables = [Table("largest-families", self.t("family_size"),
                        [self.col("family_id", "code"), self.col("size", "int"), self.col("in_set", "int"),
                         self.col("countries"), self.col("members")], rows)] if rows else []
        return Section("families", self.t("sec_families"), [para], self.c("family-sizes"), tables)

    def life_cycle(self) -> Section:
        return Section("life-cycle", self.t("sec_life_cycle"), [self.t("intro_life_cycle")], self.c("life-cycle"))

    def topics(self) -> Section:
        tm = self.a.get("topic_map") or {}
        if not tm.get("method"):
            return Section("topics", self.t("sec_topics"), [self.t("topics_none")])
        vectors = self.t("vectors_stored") if tm["method"] == "vectors" else self.t("vectors_tfidf")
        paras = [self.t("intro_topics", vectors=vectors)]
        if tm.get("sampled"):
            paras.append(self.t("topics_sampled", n=self.n(tm["documents"]), total=self.n(tm["documents_in_set"])))
        rows = [{"topic": c["id"], "size": c["size"], "terms": ", ".join(c["terms"]),
                 "examples": ", ".join(c["examples"])} for c in tm["clusters"]]
        return Section("topics", self.t("sec_topics"), paras, self.c("topic-map"),
                       [Table("topics", self.t("sec_topics"),
                              [self.col("topic", "int"), self.col("size", "int"), self.col("terms"),
                               self.col("examples")], rows)])

    def _status(self, status: str | None) -> str:
        key = f"status_{status}"
        return self.t(key) if key in T.STRINGS else (status or "–")

    def _vectors(self, tm: dict[str, Any]) -> str:
        if tm.get("method") == "tfidf":
            return self.t("m_vectors_tfidf", dims=tm.get("dimensions", "?"))
        if tm.get("method") == "vectors":
            return self.t("m_vectors_stored", model=tm.get("model", "?"))
        return self.t("not_available")

    def methodology(self) -> Section:
        m = self.a["methodology"]
        cat = m["catalogue"]["catalogue"]
        filters = []
        f = m["filters"]
        if f["from_year"] is not None or f["to_year"] is not None:
            filters.append(self.t("m_filter_years", from_year=f["from_year"] or "…", to_year=f["to_year"] or "…"))
        if f["countries"]:
            filters.append(self.t("m_filter_countries", values=", ".join(f["countries"])))
        if f["doc_types"]:
            filters.append(self.t("m_filter_doc_types", values=", ".join(f["doc_types"])))
        scope = m.get("query") or m.get("collection") or self.t("whole_catalogue")
        tm = self.a.get("topic_map") or {}
        sw = ", ".join(f"{k} {v}" for k, v in m["software"].items() if v)
        facts = [
            (self.t("m_result_set"), f"{self.t('query') if m.get('query') else self.t('collection')}: {scope}"),
            (self.t("m_numbers_given"), self.n(m["numbers_given"])),
            (self.t("m_documents"), self.n(m["documents_analysed"])),
            (self.t("m_not_found"), ", ".join(m["numbers_not_found"][:20]) or self.t("none")),
            (self.t("m_fingerprint"), m["result_set_sha256"]),
            (self.t("m_year_basis"), self.basis),
            (self.t("m_filters"), "; ".join(filters) or self.t("none")),
            (self.t("m_counting"), self.t("m_counting_text")),
            (self.t("m_harmonization"), self._method()),
            (self.t("m_catalogue"), self.t("m_catalogue_text", n=self.n(cat["publications"]),
                                           run=cat["last_ingest_run"] or "–", status=self._status(cat["last_ingest_status"]),
                                           finished=cat["last_ingest_finished"] or "–",
                                           version=cat["last_version"], built=m["catalogue"]["snapshot_built_at"])),
            (self.t("m_topic_vectors"), self._vectors(tm)),
            (self.t("m_ipc_titles"), self.t("m_ipc_titles_text", version=self.a["classification"]["titles_version"])),
            (self.t("m_options"), ", ".join(f"{k}={v}" for k, v in m["options"].items())),
            (self.t("m_software"), sw),
            (self.t("m_generated"), m["generated_at"]),
        ]
        return Section("methodology", self.t("sec_methodology"), [self.t("m_intro")], facts=facts, code=m["rerun"])
