"""HTML renderings of a report: the interactive page and the print layout the PDF is made from.

The interactive page carries each chart's Vega-Lite specification as a JSON data block (not
executable) and loads one vendored script, `charts.js`, which holds Vega, Vega-Lite and
Vega-Embed (bundled by vl-convert, nothing fetched from a CDN) and draws every chart it finds.
The page itself has no inline script, so it can be served under a strict Content-Security-Policy
(Vega compiles its expressions with `Function`, so the policy must allow 'unsafe-eval').

The print layout draws the same specifications as static SVG (vl-convert), with a cover page, a
table of contents whose page numbers the PDF step fills in, and one section per page group.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from . import strings as T
from .charts import FONTS, Chart
from .document import Column, Report

SCRIPT_NAME = "charts.js"

# the init code bundled with the libraries: it draws every chart whose spec the page carries
_INIT = """
window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;
function patentdeskCharts() {
  var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
  blocks.forEach(function (block) {
    var target = document.getElementById(block.getAttribute('data-chart'));
    if (!target) { return; }
    var spec = JSON.parse(block.textContent);
    vegaEmbed(target, spec, {renderer: 'svg', actions: {export: true, source: false, compiled: false, editor: false}})
      .catch(function (err) { target.textContent = String(err); });
  });
}
if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', patentdeskCharts); }
else { patentdeskCharts(); }
"""

CSS = """
:root { --ink: #1d2733; --muted: #5b6b7c; --rule: #d5dce3; --accent: #3f6fb5; }
* { box-sizing: border-box; }
body { font-family: FONT; color: var(--ink); margin: 0; line-height: 1.45; font-size: 14px; }
main { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; }
header.cover h1 { font-size: 30px; margin: 0 0 4px; }
header.cover .kind { color: var(--accent); font-size: 16px; margin: 0 0 18px; font-weight: 600; }
header.cover .meta { color: var(--muted); margin: 2px 0; word-break: break-all; }
nav.toc ol { padding-left: 20px; }
nav.toc li { margin: 3px 0; }
section { margin-top: 36px; }
h2 { font-size: 21px; border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
figure { margin: 14px 0 18px; }
figure .chart { min-height: 40px; }
dl.facts { display: grid; grid-template-columns: minmax(180px, 32%) 1fr; gap: 4px 16px; margin: 10px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 12px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f5f8; }
td.int, td.pct, td.num, th.int, th.pct, th.num { text-align: right; white-space: nowrap; }
td.code { white-space: nowrap; }
pre.rerun { background: #f2f5f8; padding: 8px; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
footer.note { color: var(--muted); font-size: 12px; margin-top: 40px; }
"""

PRINT_CSS = """
body { font-size: 10.5pt; }
main { max-width: none; padding: 0; }
header.cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; }
header.cover h1 { font-size: 28pt; }
nav.toc { break-before: page; }
nav.toc ol { list-style: none; padding: 0; }
nav.toc li { display: flex; gap: 6px; }
nav.toc li .dots { flex: 1; border-bottom: 1px dotted #9aa5b1; margin-bottom: 4px; }
nav.toc a { color: inherit; text-decoration: none; }
section { break-before: page; margin-top: 0; }
figure, table, dl.facts, pre { break-inside: avoid; }
tr { break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
footer.note { display: none; }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ r.lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="patentdesk {{ version }}">
<title>{{ r.title }}</title>
<style>{{ css }}</style>
{% if script_src %}<script src="{{ script_src }}" defer></script>{% endif %}
{% if inline_script %}<script>{{ inline_script }}</script>{% endif %}
</head>
<body>
<main>
<header class="cover">
  <h1>{{ r.title }}</h1>
  <p class="kind">{{ r.subtitle }}</p>
  <p class="meta">{{ r.scope }}</p>
  <p class="meta">{{ r.documents }}</p>
  <p class="meta">{{ r.generated }}</p>
</header>
<nav class="toc" id="contents">
  <h2>{{ r.t("contents") }}</h2>
  <ol>
  {% for s in r.sections %}
    <li><a href="#{{ s.id }}">{{ loop.index }}. {{ s.title }}</a>{% if print %}<span class="dots"></span><span class="toc-page" data-section="{{ s.id }}">{{ pages.get(s.id, "") }}</span>{% endif %}</li>
  {% endfor %}
  </ol>
</nav>
{% for s in r.sections %}
<section id="{{ s.id }}">
  <h2>{{ loop.index }}. {{ s.title }}</h2>
  {% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
  {% if s.facts %}<dl class="facts">{% for k, v in s.facts %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>{% endif %}
  {% if s.code %}<pre class="rerun">{{ s.code }}</pre>{% endif %}
  {% for c in s.charts %}
  <figure id="figure-{{ c.id }}">
    {% if print %}{{ svgs[c.id] }}{% else %}<div class="chart" id="chart-{{ c.id }}" role="img" aria-label="{{ c.title }}"></div>
    <script type="application/json" data-chart="chart-{{ c.id }}">{{ specs[c.id] }}</script>{% endif %}
  </figure>
  {% endfor %}
  {% for tb in s.tables %}
  <table id="table-{{ tb.id }}">
    <caption>{{ tb.caption }}</caption>
    <thead><tr>{% for col in tb.columns %}<th class="{{ col.kind }}">{{ col.label }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for row in tb.rows %}<tr>{% for col in tb.columns %}<td class="{{ col.kind }}">{{ cell(row, col) }}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
  </table>
  {% endfor %}
</section>
{% endfor %}
<footer class="note">{{ r.t("data_note") }}</footer>
</main>
</body>
</html>
"""


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    return Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(TEMPLATE)


def cell(lang: str, row: dict[str, Any], col: Column) -> str:
    value = row.get(col.key)
    if value is None or value == "":
        return "–" if col.kind != "text" else ""
    if col.kind == "int":
        return T.number(lang, value)
    if col.kind == "pct":
        return T.number(lang, value, 2)
    if col.kind == "num":
        return T.number(lang, value, 1)
    return str(value)


def spec_json(chart: Chart) -> Markup:
    """The spec as text that cannot end its <script> block early."""
    raw = json.dumps(chart.spec, ensure_ascii=False, separators=(",", ":"))
    return Markup(raw.replace("</", "<\\/").replace("<!--", "<\\!--"))


def _css(lang: str, print_layout: bool) -> Markup:
    css = CSS.replace("FONT", FONTS[lang]) + (PRINT_CSS if print_layout else "")
    return Markup(css)


def interactive_html(report: Report, script_src: str | None, inline_script: str | None = None) -> str:
    """The page with interactive charts: `script_src` names the vendored chart script beside it,
    or `inline_script` carries it inside the page (one self-contained file)."""
    from .. import __version__

    specs = {cid: spec_json(c) for cid, c in report.charts.items()}
    script = Markup(inline_script.replace("</script", "<\\/script")) if inline_script else None
    return str(_template().render(r=report, css=_css(report.lang, False), print=False, specs=specs, svgs={},
                                  pages={}, script_src=script_src, inline_script=script, version=__version__,
                                  cell=lambda row, col: cell(report.lang, row, col)))


def print_html(report: Report, svgs: dict[str, str], pages: dict[str, int] | None = None) -> str:
    """The print layout: static SVG charts; `pages` fills the table of contents' page numbers."""
    from .. import __version__

    return str(_template().render(r=report, css=_css(report.lang, True), print=True, specs={},
                                  svgs={k: Markup(v) for k, v in svgs.items()},
                                  pages={k: str(v) for k, v in (pages or {}).items()}, script_src=None,
                                  inline_script=None, version=__version__,
                                  cell=lambda row, col: cell(report.lang, row, col)))


# ----------------------------------------------------------------------------------- the script
def chart_script(cache_dir: Path | None) -> str:
    """Vega, Vega-Lite and Vega-Embed with the page's init code, bundled by vl-convert. Bundling
    takes seconds, so the result is kept in `cache_dir` per vl-convert version."""
    import hashlib
    from importlib.metadata import version

    import vl_convert as vlc

    key = f"charts-{version('vl-convert-python')}-{hashlib.sha256(_INIT.encode()).hexdigest()[:12]}.js"
    if cache_dir is not None:
        cached = cache_dir / key
        if cached.is_file():
            return cached.read_text(encoding="utf-8")
    bundle = str(vlc.javascript_bundle(snippet=_INIT))
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / (key + ".tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(cache_dir / key)
    return bundle
