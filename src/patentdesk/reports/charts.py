"""Vega-Lite specifications of every chart of a landscape report.

One specification serves both renderings: the HTML page embeds it for Vega-Embed (interactive:
tooltips, zoom on the maps, legend selection), the PDF gets the SVG `vl-convert` draws from it,
and the XLSX file gets its data: each chart keeps its rows in top-level `datasets`, so the data
behind every chart is exactly what the chart draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import strings as T

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 600
BAR = "#3f6fb5"
LINE = "#d1603d"
FONTS = {
    "en": "Liberation Sans, Noto Sans CJK SC, DejaVu Sans, sans-serif",
    "pt": "Liberation Sans, Noto Sans CJK SC, DejaVu Sans, sans-serif",
    "zh-Hans": "Noto Sans CJK SC, sans-serif",
    "zh-Hant": "Noto Sans CJK TC, sans-serif",
}
LABEL_LIMIT = 230  # pixels of an axis label (long applicant names are cut with an ellipsis)


@dataclass(frozen=True)
class Chart:
    id: str  # stable, also the XLSX sheet name: "filing-trends"
    title: str
    spec: dict[str, Any]

    def datasets(self) -> dict[str, list[dict[str, Any]]]:
        return self.spec.get("datasets", {})


class _Builder:
    def __init__(self, analysis: dict[str, Any], lang: str) -> None:
        self.a = analysis
        self.lang = lang
        basis = analysis["methodology"]["year_basis"]
        self.basis = T.text(lang, f"basis_{basis}")
        self.year_title = T.text(lang, f"year_{basis}")
        years = [r["year"] for r in analysis["filing_trends"]["years"]]
        self.year_axis: dict[str, Any] = {"labelAngle": -45}
        self.year_scale: dict[str, Any] = {"domain": years}  # every year of the span, empty ones too
        if len(years) > 20:  # a label every five years keeps a long span readable
            self.year_axis["labelExpr"] = "datum.value % 5 === 0 ? datum.label : ''"

    def t(self, key: str, **kw: Any) -> str:
        return T.text(self.lang, key, **kw)

    def spec(self, title: str, datasets: dict[str, list[dict[str, Any]]], body: dict[str, Any],
             height: int | None = None, width: int = WIDTH) -> dict[str, Any]:
        out: dict[str, Any] = {
            "$schema": SCHEMA, "title": {"text": title, "anchor": "start"}, "width": width,
            "datasets": datasets,
            "config": {"font": FONTS[self.lang], "view": {"stroke": None},
                       "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": LABEL_LIMIT},
                       "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": LABEL_LIMIT},
                       "title": {"fontSize": 15}},
        }
        if height is not None:
            out["height"] = height
        out.update(body)
        return out

    # ------------------------------------------------------------------------------ charts
    def trends(self) -> Chart | None:
        rows = self.a["filing_trends"]["years"]
        if not rows:
            return None
        title = self.t("ch_trends", basis=self.basis)
        x = {"field": "year", "type": "ordinal", "title": self.year_title,
             "axis": self.year_axis, "scale": self.year_scale}
        tip = [{"field": "year", "title": self.t("year")}, {"field": "documents", "title": self.t("documents")},
               {"field": "families", "title": self.t("families")}]
        body = {"data": {"name": "filing-trends"}, "layer": [
            {"mark": {"type": "bar", "color": BAR},
             "encoding": {"x": x, "y": {"field": "documents", "type": "quantitative", "title": self.t("documents")},
                          "tooltip": tip}},
            {"mark": {"type": "line", "color": LINE, "point": {"size": 14, "color": LINE}},
             "encoding": {"x": x, "y": {"field": "families", "type": "quantitative"}, "tooltip": tip}},
        ]}
        return Chart("filing-trends", title, self.spec(title, {"filing-trends": rows}, body, 260))

    def trends_by_jurisdiction(self) -> Chart | None:
        rows = [dict(r, jurisdiction=self.t("other") if r["jurisdiction"] == "other" else r["jurisdiction"])
                for r in self.a["filing_trends"]["by_jurisdiction"]]
        if not rows:
            return None
        title = self.t("ch_trends_by_jurisdiction", basis=self.basis)
        body = {"data": {"name": "trends-by-jurisdiction"},
                "params": [{"name": "pick", "select": {"type": "point", "fields": ["jurisdiction"]}, "bind": "legend"}],
                "mark": "bar", "encoding": {
                    "x": {"field": "year", "type": "ordinal", "title": self.year_title,
                          "axis": self.year_axis, "scale": self.year_scale},
                    "y": {"field": "documents", "type": "quantitative", "title": self.t("documents")},
                    "color": {"field": "jurisdiction", "type": "nominal", "title": self.t("jurisdiction"),
                              "scale": {"scheme": "tableau10"}},
                    "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.2},
                    "tooltip": [{"field": "year", "title": self.t("year")},
                                {"field": "jurisdiction", "title": self.t("jurisdiction")},
                                {"field": "documents", "title": self.t("documents")}]}}
        return Chart("trends-by-jurisdiction", title, self.spec(title, {"trends-by-jurisdiction": rows}, body, 260))

    def _ranked_bar(self, chart_id: str, title: str, rows: list[dict[str, Any]], label_field: str,
                    label_title: str, extra_tips: list[dict[str, Any]], color: dict[str, Any] | None = None) -> Chart:
        body: dict[str, Any] = {"data": {"name": chart_id}, "mark": {"type": "bar", "color": BAR}, "encoding": {
            "y": {"field": label_field, "type": "nominal", "title": label_title, "sort": None},
            "x": {"field": "documents", "type": "quantitative", "title": self.t("documents")},
            "tooltip": [{"field": label_field, "title": label_title},
                        {"field": "documents", "title": self.t("documents")}, *extra_tips]}}
        if color:
            body["encoding"]["color"] = color
        height = max(60, 18 * len(rows))
        return Chart(chart_id, title, self.spec(title, {chart_id: rows}, body, height))

    def top_parties(self, key: str, chart_id: str, title_key: str, label_key: str) -> Chart | None:
        top = self.a[key]["top"]
        if not top:
            return None
        rows = [{"rank": r["rank"], "name": r["name"], "documents": r["documents"], "share": r["share"],
                 "first_year": r["first_year"], "last_year": r["last_year"],
                 "trend": self.t(f"trend_{r['trend']}"), "trend_pct": r["trend_pct"]} for r in top]
        tips = [{"field": "share", "title": self.t("share")}, {"field": "first_year", "title": self.t("first_year")},
                {"field": "last_year", "title": self.t("last_year")}, {"field": "trend", "title": self.t("trend")}]
        return self._ranked_bar(chart_id, self.t(title_key, n=len(rows)), rows, "name", self.t(label_key), tips)

    def _heatmap(self, chart_id: str, title: str, rows: list[dict[str, Any]], x: dict[str, Any],
                 names: list[str], tips: list[dict[str, Any]]) -> Chart | None:
        if not rows:
            return None
        body = {"data": {"name": chart_id}, "mark": {"type": "rect"}, "encoding": {
            "y": {"field": "applicant", "type": "nominal", "title": self.t("applicant"), "sort": names},
            "x": x,
            "color": {"field": "documents", "type": "quantitative", "title": self.t("documents"),
                      "scale": {"scheme": "blues"}},
            "tooltip": [{"field": "applicant", "title": self.t("applicant")}, *tips,
                        {"field": "documents", "title": self.t("documents")}]}}
        return Chart(chart_id, title, self.spec(title, {chart_id: rows}, body, max(60, 20 * len(names))))

    def applicant_year(self) -> Chart | None:
        m = self.a["applicant_year"]
        x = {"field": "year", "type": "ordinal", "title": self.year_title, "axis": self.year_axis,
             "scale": self.year_scale}
        return self._heatmap("applicant-year", self.t("ch_applicant_year", basis=self.basis), m["cells"], x,
                             m["applicants"], [{"field": "year", "title": self.t("year")}])

    def applicant_class(self) -> Chart | None:
        m = self.a["applicant_class"]
        titles = {c["code"]: c["title"] for c in m["classes"]}
        rows = [dict(r, title=titles.get(r["code"]) or "") for r in m["cells"]]
        x = {"field": "code", "type": "nominal", "title": self.t("subclass"), "sort": [c["code"] for c in m["classes"]],
             "axis": {"labelAngle": -45}}
        return self._heatmap("applicant-class", self.t("ch_applicant_class", scheme=m["scheme"].upper()), rows, x,
                             m["applicants"], [{"field": "code", "title": self.t("code")},
                                               {"field": "title", "title": self.t("title")}])

    def classification(self, scheme: str, level: str, limit: int = 20) -> Chart | None:
        entries = self.a["classification"][scheme]["levels"][level]["top"][:limit]
        if not entries:
            return None
        key = f"level_{level}" if scheme == "ipc" else f"cpc_{level}"
        rows = [{"code": e["code"], "label": f"{e['code']} {e['title'] or ''}".strip(), "title": e["title"] or "",
                 "documents": e["documents"], "share": e["share"]} for e in entries]
        tips = [{"field": "title", "title": self.t("title")}, {"field": "share", "title": self.t("share")}]
        return self._ranked_bar(f"{scheme}-{level}", self.t(key), rows, "label", self.t("code"), tips)

    def tech_fields(self) -> Chart | None:
        rows = [{"field": r["field"], "name": T.field_name(self.lang, r["field"], r["name"]),
                 "sector": T.sector_name(self.lang, r["sector"]), "documents": r["documents"], "share": r["share"]}
                for r in self.a["tech_fields"]["fields"] if r["documents"]]
        if not rows:
            return None
        color = {"field": "sector", "type": "nominal", "title": self.t("sector"), "scale": {"scheme": "tableau10"}}
        tips = [{"field": "sector", "title": self.t("sector")}, {"field": "share", "title": self.t("share")}]
        return self._ranked_bar("tech-fields", self.t("ch_tech_fields"), rows, "name", self.t("field"), tips, color)

    def _country_bar(self, chart_id: str, title: str, rows: list[dict[str, Any]], label: str) -> Chart | None:
        if not rows:
            return None
        shown = [dict(r, country=self.t("unknown") if r["country"] == "unknown" else r["country"]) for r in rows[:25]]
        return self._ranked_bar(chart_id, title, shown, "country", label,
                                [{"field": "share", "title": self.t("share")}])

    def jurisdictions(self) -> Chart | None:
        return self._country_bar("jurisdictions", self.t("ch_jurisdictions"), self.a["jurisdictions"],
                                 self.t("jurisdiction"))

    def applicant_countries(self) -> Chart | None:
        return self._country_bar("applicant-countries", self.t("ch_applicant_countries"),
                                 self.a["applicant_countries"], self.t("applicant_country"))

    def new_entrants(self) -> Chart | None:
        rows = [{"year": r["year"], "new": r["new"], "active": r["active"]} for r in self.a["new_entrants"]]
        if not rows:
            return None
        title = self.t("ch_new_entrants", basis=self.basis)
        x = {"field": "year", "type": "ordinal", "title": self.year_title,
             "axis": self.year_axis, "scale": self.year_scale}
        tip = [{"field": "year", "title": self.t("year")}, {"field": "new", "title": self.t("new")},
               {"field": "active", "title": self.t("active")}]
        body = {"data": {"name": "new-entrants"}, "layer": [
            {"mark": {"type": "bar", "color": BAR},
             "encoding": {"x": x, "y": {"field": "new", "type": "quantitative", "title": self.t("applicants")},
                          "tooltip": tip}},
            {"mark": {"type": "line", "color": LINE, "point": {"size": 14, "color": LINE}},
             "encoding": {"x": x, "y": {"field": "active", "type": "quantitative"}, "tooltip": tip}},
        ]}
        return Chart("new-entrants", title, self.spec(title, {"new-entrants": rows}, body, 240))

    def collaboration(self) -> Chart | None:
        net = self.a["collaboration"]
        nodes = net["nodes"]
        if not nodes or not net["edges"]:
            return None
        where = {n["id"]: (n["x"], n["y"]) for n in nodes}
        edges = [{"source": e["source"], "target": e["target"], "weight": e["weight"],
                  "x": where[e["source"]][0], "y": where[e["source"]][1],
                  "x2": where[e["target"]][0], "y2": where[e["target"]][1]} for e in net["edges"]]
        node_rows = [{"name": n["id"], "documents": n["documents"], "community": n["community"],
                      "partners": n["degree"], "x": n["x"], "y": n["y"],
                      "label": n["id"] if i < 15 else ""} for i, n in enumerate(nodes)]
        title = self.t("ch_collaboration", n=len(nodes))
        hidden = {"axis": None, "scale": {"padding": 36, "nice": False, "zero": False}}
        zoom = [{"name": "zoom", "select": "interval", "bind": "scales"}]
        body = {"layer": [
            {"data": {"name": "collaboration-edges"}, "mark": {"type": "rule", "color": "#9aa5b1"},
             "encoding": {"x": {"field": "x", "type": "quantitative", **hidden},
                          "y": {"field": "y", "type": "quantitative", **hidden},
                          "x2": {"field": "x2"}, "y2": {"field": "y2"},
                          "strokeWidth": {"field": "weight", "type": "quantitative", "legend": None,
                                          "scale": {"range": [0.6, 5]}},
                          "tooltip": [{"field": "source", "title": self.t("partner_a")},
                                      {"field": "target", "title": self.t("partner_b")},
                                      {"field": "weight", "title": self.t("joint_documents")}]}},
            {"data": {"name": "collaboration-nodes"}, "params": zoom, "mark": {"type": "circle", "opacity": 0.9},
             "encoding": {"x": {"field": "x", "type": "quantitative", **hidden},
                          "y": {"field": "y", "type": "quantitative", **hidden},
                          "size": {"field": "documents", "type": "quantitative", "title": self.t("documents"),
                                   "scale": {"range": [40, 700]}},
                          "color": {"field": "community", "type": "nominal", "legend": None,
                                    "scale": {"scheme": "category20"}},
                          "tooltip": [{"field": "name", "title": self.t("applicant")},
                                      {"field": "documents", "title": self.t("documents")},
                                      {"field": "partners", "title": self.t("degree")},
                                      {"field": "community", "title": self.t("community")}]}},
            {"data": {"name": "collaboration-nodes"}, "mark": {"type": "text", "dy": -11, "fontSize": 9, "limit": 160},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "label"}}},
        ]}
        spec = self.spec(title, {"collaboration-nodes": node_rows, "collaboration-edges": edges}, body, 480)
        return Chart("collaboration", title, spec)

    def most_cited(self) -> Chart | None:
        rows = self.a["citations"]["most_cited"]
        if not rows:
            return None
        key = "forward_in_set" if any(r["forward_in_set"] for r in rows) else "forward_catalogue"
        data = [{"number": r["number"], "label": f"{r['number']} {(r['title'] or '')[:50]}".strip(),
                 "title": r["title"] or "", "applicant": r["applicant"] or "", "year": r["year"],
                 "forward_in_set": r["forward_in_set"], "forward_catalogue": r["forward_catalogue"],
                 "backward_patent": r["backward_patent"]} for r in rows]
        title = self.t("ch_most_cited")
        body = {"data": {"name": "most-cited"}, "mark": {"type": "bar", "color": BAR}, "encoding": {
            "y": {"field": "label", "type": "nominal", "title": self.t("number"), "sort": None},
            "x": {"field": key, "type": "quantitative", "title": self.t(key)},
            "tooltip": [{"field": "number", "title": self.t("number")}, {"field": "title", "title": self.t("title")},
                        {"field": "applicant", "title": self.t("applicant")},
                        {"field": "forward_in_set", "title": self.t("forward_in_set")},
                        {"field": "forward_catalogue", "title": self.t("forward_catalogue")}]}}
        return Chart("most-cited", title, self.spec(title, {"most-cited": data}, body, max(60, 18 * len(data))))

    def families(self) -> Chart | None:
        rows = self.a["family_sizes"]["distribution"]
        if not rows:
            return None
        title = self.t("ch_families")
        body = {"data": {"name": "family-sizes"}, "mark": {"type": "bar", "color": BAR}, "encoding": {
            "x": {"field": "size", "type": "ordinal", "title": self.t("family_size"), "axis": {"labelAngle": 0}},
            "y": {"field": "families", "type": "quantitative", "title": self.t("families")},
            "tooltip": [{"field": "size", "title": self.t("size")}, {"field": "families", "title": self.t("families")}]}}
        return Chart("family-sizes", title, self.spec(title, {"family-sizes": rows}, body, 220))

    def life_cycle(self) -> Chart | None:
        rows = [dict(r, label=str(r["year"]) if r["year"] % 5 == 0 else "") for r in self.a["life_cycle"]
                if r["documents"]]
        if not rows:
            return None
        title = self.t("ch_life_cycle", basis=self.basis)
        enc = {"x": {"field": "documents", "type": "quantitative", "title": self.t("documents")},
               "y": {"field": "applicants", "type": "quantitative", "title": self.t("applicants")},
               "order": {"field": "year", "type": "quantitative"}}
        body = {"data": {"name": "life-cycle"}, "layer": [
            {"mark": {"type": "line", "color": "#9aa5b1", "point": False}, "encoding": enc},
            {"mark": {"type": "circle", "size": 40},
             "encoding": {**enc, "color": {"field": "year", "type": "quantitative", "title": self.t("year"),
                                           "scale": {"scheme": "viridis"}, "legend": {"format": "d"}},
                          "tooltip": [{"field": "year", "title": self.t("year")},
                                      {"field": "documents", "title": self.t("documents")},
                                      {"field": "applicants", "title": self.t("applicants")}]}},
            {"mark": {"type": "text", "dx": 14, "fontSize": 9}, "encoding": {**enc, "text": {"field": "label"}}},
        ]}
        return Chart("life-cycle", title, self.spec(title, {"life-cycle": rows}, body, 360))

    def topics(self) -> Chart | None:
        tm = self.a.get("topic_map") or {}
        if not tm.get("points"):
            return None
        points = [{"number": p["number"], "title": p["title"], "topic": p["cluster"], "x": p["x"], "y": p["y"]}
                  for p in tm["points"]]
        clusters = [{"topic": c["id"], "label": f"{c['id']}. {c['label']}", "size": c["size"],
                     "terms": ", ".join(c["terms"]), "x": c["x"], "y": c["y"]} for c in tm["clusters"]]
        title = self.t("ch_topics", n=len(points), k=len(clusters))
        axis = {"axis": None, "scale": {"padding": 24, "nice": False, "zero": False}}
        body = {"layer": [
            {"data": {"name": "topic-points"}, "params": [{"name": "zoom", "select": "interval", "bind": "scales"}],
             "mark": {"type": "circle", "size": 14, "opacity": 0.55},
             "encoding": {"x": {"field": "x", "type": "quantitative", **axis},
                          "y": {"field": "y", "type": "quantitative", **axis},
                          "color": {"field": "topic", "type": "nominal", "title": self.t("topic"),
                                    "scale": {"scheme": "category20"}},
                          "tooltip": [{"field": "number", "title": self.t("number")},
                                      {"field": "title", "title": self.t("title")},
                                      {"field": "topic", "title": self.t("topic")}]}},
            {"data": {"name": "topic-clusters"}, "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold",
                                                          "limit": 200},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "label"},
                          "tooltip": [{"field": "label", "title": self.t("topic")},
                                      {"field": "size", "title": self.t("documents")},
                                      {"field": "terms", "title": self.t("terms")}]}},
        ]}
        spec = self.spec(title, {"topic-points": points, "topic-clusters": clusters}, body, 480)
        return Chart("topic-map", title, spec)


def build_charts(analysis: dict[str, Any], lang: str) -> dict[str, Chart]:
    """Every chart the analysis has data for, by id, in report order."""
    b = _Builder(analysis, lang)
    makers: list[Callable[[], Chart | None]] = [
        b.trends, b.trends_by_jurisdiction,
        lambda: b.top_parties("top_applicants", "top-applicants", "ch_top_applicants", "applicant"),
        b.applicant_year, b.applicant_class,
        lambda: b.top_parties("top_inventors", "top-inventors", "ch_top_inventors", "inventor"),
        lambda: b.classification("ipc", "section"), lambda: b.classification("ipc", "class"),
        lambda: b.classification("ipc", "subclass"), lambda: b.classification("ipc", "group"),
        lambda: b.classification("cpc", "subclass"),
        b.tech_fields, b.jurisdictions, b.applicant_countries, b.new_entrants, b.collaboration, b.most_cited,
        b.families, b.life_cycle, b.topics,
    ]
    out: dict[str, Chart] = {}
    for make in makers:
        chart = make()
        if chart is not None:
            out[chart.id] = chart
    return out
