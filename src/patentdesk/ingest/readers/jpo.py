"""JPO gazette XML (`<jp-official-gazette>`): unexamined (公開) and PCT translation (公表) publications.

Text is Japanese as printed (lang "ja"), full-width letters and digits included. The kind code is
the root's ST.16 `kind-of-st16` ("A" for both 公開 and 公表; `kind-of-jp` "T" only tells them
apart), so the number agrees with other sources: JP2021509175A. Classifications: IPC with version,
level and value from JPO's fixed-width lines, FI (the JPO's own subdivision of the IPC, scheme "fi",
e.g. "A23L17/00 101H") and F-terms (scheme "fterm", e.g. "3C100AA22"). Claims come from the
publication's `<claims>`, never from the written amendments printed after it.
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from ...errors import RecordError
from ...model import SOURCE_RANK, Citation, Classification, Identifier, Party, Priority, Publication, Text, renumber
from ...normalize import canonical_number, clean_doc_number, clean_name, ipc_symbol, lang_code, lenient_date
from ..base import Source, register
from ..xmlreader import XmlReader
from ..xmlsafe import strip_ns
from .wipo import (
    child,
    claims_lines,
    doc_type_for,
    family_fields,
    flat_text,
    number_parties,
    paragraph_lines,
    pct_application,
    req_date,
    value,
    wo_number,
)

# "A23L  17/00        20160101AFI20211129BHJP": symbol, version date, level, position, value
_JP_IPC = re.compile(r"^(?P<symbol>.+?/\s*\d+)\s+(?P<version>\d{8})(?P<level>[ACS])(?P<pos>[FL])(?P<value>[IN])")


def _ipc(raw: str | None) -> Classification | None:
    if not raw:
        return None
    m = _JP_IPC.match(raw.strip())
    if not m:
        symbol = ipc_symbol(raw)
        return Classification("ipc", symbol) if symbol else None
    symbol = ipc_symbol(m.group("symbol"))
    if not symbol:
        return None
    return Classification("ipc", symbol, version=m.group("version"), level=m.group("level"), value=m.group("value"))


def _fi(raw: str | None, main: bool) -> Classification | None:
    """FI: an IPC symbol, then the JPO's subdivision and file letter ("A23L17/00 101H")."""
    if not raw:
        return None
    head, _, rest = raw.strip().partition(" ")
    symbol = ipc_symbol(head)
    if not symbol:
        return None
    rest = re.sub(r"\s+", "", rest)
    return Classification("fi", f"{symbol} {rest}" if rest else symbol, value="F" if main else "L", country="JP")


def _classes(biblio: etree._Element) -> list[Classification]:
    out: list[Classification] = []
    for el in biblio.findall("classification-ipc/*"):
        if el.tag in ("main-clsf", "further-clsf") and (c := _ipc(el.text)):
            out.append(c)
    national = child(biblio, "classification-national")
    if national is not None and (value(national, "country") or "JP") == "JP":
        for el in national:
            if el.tag in ("main-clsf", "further-clsf") and (c := _fi(el.text, el.tag == "main-clsf")):
                out.append(c)
    for el in biblio.findall("f-term-info/f-term"):
        term = value(el)
        if term:
            out.append(Classification("fterm", term.replace(" ", ""), country="JP"))
    return out


def _party(el: etree._Element, role: str) -> Party | None:
    # applicants print a Japanese addressbook and often an English one with only the address
    books = el.findall("addressbook")
    named = next((b for b in books if value(b, "name")), None)
    if named is None:
        return None
    name = clean_name(value(named, "name"))
    if not name:
        return None
    return Party(name, role, 0, None, None, value(named, "address", "text"),
                 "person" if role == "inventor" else None)


def _parties(biblio: etree._Element) -> list[Party]:
    root = child(biblio, "parties")
    if root is None:
        return []
    parties: list[Party] = []
    for role in ("applicant", "inventor", "agent"):
        parties += [p for el in root.iter(role) if (p := _party(el, role))]
    return parties


# 特許第6151557号公報 (a grant) and 特開2004-054170号公報 (an unexamined application); era-dated
# numbers (特開平8-9932) stay as printed text.
_CITED_GRANT = re.compile(r"特許第(\d+)号")
_CITED_KOKAI = re.compile(r"特開(\d{4})[-−‐ー](\d+)号")


def _citation(text: str, kind: str) -> Citation:
    if kind == "npl":
        return Citation(kind="npl", text=text, cited_by="applicant")
    s = unicodedata.normalize("NFKC", text)
    cited = None
    if (m := _CITED_GRANT.search(s)) is not None:
        cited = canonical_number("JP", m.group(1))
    elif (m := _CITED_KOKAI.search(s)) is not None:
        cited = canonical_number("JP", m.group(1) + m.group(2).zfill(6), "A")
    return Citation(kind="patent", cited_number=cited, cited_country="JP" if cited else None,
                    text=None if cited else text, cited_by="applicant")


def _citations(root: etree._Element) -> list[Citation]:
    """Prior art the applicant lists in the description (特許文献 / 非特許文献)."""
    description = child(root, "description")
    if description is None:
        return []
    out: list[Citation] = []
    for el in description.iter("patcit", "nplcit"):
        text = flat_text(el)
        if text:
            out.append(_citation(text, "npl" if el.tag == "nplcit" else "patent"))
    return out


def _identifiers(biblio: etree._Element) -> list[Identifier]:
    out: list[Identifier] = []
    pct = pct_application(value(biblio, "pct-or-regional-filing-data", "document-id", "doc-number"))
    if pct:
        out.append(Identifier("pct-application", pct))
    published = child(biblio, "pct-or-regional-publishing-data", "document-id")
    raw = value(published, "doc-number")
    wo = wo_number(raw, lenient_date(value(published, "date"))) if raw else None
    if wo:
        out.append(Identifier("wo-publication", canonical_number("WO", wo)))
    return out


def _kind(root: etree._Element, printed: str | None) -> str | None:
    kind = root.get("kind-of-st16")
    if not kind and printed:
        # "公開特許公報(A)": the kind code in brackets
        m = re.search(r"[(（]([A-Z][0-9]?)[)）]", unicodedata.normalize("NFKC", printed))
        kind = m.group(1) if m else None
    return kind.strip().upper() if kind else None


@register
class JpoGazetteReader(XmlReader):
    name = "jpo-gazette"
    description = "JPO gazette XML (<jp-official-gazette>), Japanese"
    roots = ("jp-official-gazette",)
    concatenated = False

    def record_label(self, root: etree._Element) -> str | None:
        number = root.findtext("bibliographic-data/publication-reference/document-id/doc-number")
        return f"JP{number.strip()}" if number else None

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        strip_ns(root)
        lang = lang_code(root.get("lang"), "ja")
        biblio = child(root, "bibliographic-data")
        pub = child(biblio, "publication-reference", "document-id")
        raw_number = value(pub, "doc-number")
        if biblio is None or not raw_number:
            raise RecordError("no publication number (bibliographic-data/publication-reference/document-id)")
        country = (value(pub, "country") or root.get("country") or "JP").upper()
        kind = _kind(root, value(pub, "kind"))
        number = canonical_number(country, raw_number, kind)
        app = child(biblio, "application-reference", "document-id")
        app_number = value(app, "doc-number")
        app_date = req_date(value(app, "date"), "application date")
        priorities = [
            Priority(value(pc, "country"), num, req_date(value(pc, "date"), "priority date"), i, pc.get("kind"))
            for i, pc in enumerate(biblio.findall("priority-claims/priority-claim"), 1)
            if (num := value(pc, "doc-number"))
        ]
        texts = [Text(k, lang, t) for k, t in (
            ("title", flat_text(child(biblio, "invention-title"))),
            ("abstract", paragraph_lines(child(root, "abstract"))),
            ("claims", claims_lines(child(root, "claims"))),
            ("description", paragraph_lines(child(root, "description"))),
        ) if t]
        return Publication(
            number=number, country=country, doc_number=clean_doc_number(country, raw_number),
            kind=kind, doc_type=doc_type_for(country, kind), publication_date=req_date(value(pub, "date"),
                                                                                        "publication date"),
            application_number=app_number, application_date=app_date,
            application_country=country if app_number else None, priorities=tuple(priorities),
            **family_fields(priorities, country, app_number, app_date),
            texts=tuple(texts), parties=number_parties(_parties(biblio)), classifications=renumber(_classes(biblio)),
            citations=renumber(_citations(root)), identifiers=tuple(_identifiers(biblio)), lang=lang,
            source_rank=SOURCE_RANK["official-fulltext"],
        )
