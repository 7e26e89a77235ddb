"""WIPO standard formats: ST.36 `<patent-document>` and ST.96 `<PatentPublication>`.

ST.36 is the XML vocabulary that CNIPA's old layout and JPO's gazette derive from, so the pieces
those readers share live here too: text flattening that knows Chinese and Japanese are written
without spaces, claims one per line, classification, number and family helpers. The USPTO
(`us-patent-grant`) and EPO (`ep-patent-document`) roots, ST.36 derivatives as well, belong to
their own readers; these two claim only the generic WIPO roots.

Decisions worth knowing:

* A WIPO publication number printed without its year (`<doc-number>043551</doc-number>`, as in
  ST.36 files cut from PCT gazettes) takes the year of the publication date, since a WO number's
  year is the year it was published: WO 043551 of 2004-05-27 is WO2004043551.
* An ST.36 text body without bibliography (a translation's description/claims/abstract) still
  names its document in the root's `country`/`docnumber`; it is stored under that number, without
  a kind code, so its full text can be searched. A document with no number anywhere cannot be
  keyed and is quarantined with the places that were looked at.
* The ST.96 sample is WIPO's example instance (documentStatusText TEST) built from a real grant;
  it is read like any other ST.96 publication.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Iterator, Sequence, TypedDict

from lxml import etree

from ...errors import InvalidNumber, RecordError
from ...model import (
    SOURCE_RANK,
    Citation,
    Classification,
    DocType,
    Party,
    Priority,
    Publication,
    Text,
    renumber,
)
from ...normalize import (
    canonical_number,
    clean_doc_number,
    clean_name,
    clean_text,
    family_key_from_priorities,
    ipc_from_parts,
    ipc_symbol,
    lang_code,
    parse_date,
    parse_number,
)
from ..base import Source, register
from ..xmlreader import XmlReader
from ..xmlsafe import local, strip_ns

# ------------------------------------------------------------------------------- text helpers

# Scripts written without spaces between words. A line break next to one of these characters is
# typesetting (CNIPA wraps claims every ~30 characters), not a word boundary, so it is dropped.
_CJK = ("\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef")
_BREAK_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[^\S\n]*\n\s*|\s*\n[^\S\n]*(?=[{_CJK}])")
_WS = re.compile(r"\s+")

# Elements that start a new line of text; between them a Latin text gets a space, CJK nothing.
BLOCK_TAGS = frozenset({"p", "P", "Paragraphs", "heading", "Heading", "claim-text", "ClaimText", "li",
                        "entry", "row", "dd", "dt", "title", "Title"})
# Paragraph-level elements: one line each in descriptions and abstracts.
PARA_TAGS = frozenset({"p", "P", "Paragraphs", "heading", "Heading"})
# Elements whose content is not running text (images, deposit data, claim metadata).
_SKIP_TAGS = frozenset({"img", "Image", "figure", "Figure", "AbstractFigure", "bio-deposit", "ClaimNumber",
                        "ClaimTypeCategory", "PageImage", "InventionTitle", "invention-title", "colspec"})


def _gather(el: etree._Element, out: list[str]) -> None:
    for child in el:
        if isinstance(child.tag, str):
            name = local(child.tag)
            if name == "br":
                out.append("\n")
            elif name not in _SKIP_TAGS:
                block = name in BLOCK_TAGS
                if block:
                    out.append("\n")
                out.append(child.text or "")
                _gather(child, out)
                if block:
                    out.append("\n")
        out.append(child.tail or "")


def tidy(raw: str) -> str | None:
    """Collapse whitespace; drop line breaks that touch CJK text (they are not word boundaries)."""
    s = _BREAK_NEAR_CJK.sub("", raw)
    s = _WS.sub(" ", s).strip()
    return s or None


def flat_text(el: etree._Element | None) -> str | None:
    """The running text of `el` on one line. Inline markup (sub/sup/b) joins without a space, so
    ``cm<sup>2</sup>`` stays ``cm2`` and ``SiO<sub>2</sub>`` stays ``SiO2``."""
    if el is None:
        return None
    out = [el.text or ""]
    _gather(el, out)
    return tidy("".join(out))


def outermost(el: etree._Element, tags: frozenset[str]) -> Iterator[etree._Element]:
    """Descendants whose local name is in `tags`, not descending into a match."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name in tags:
            yield child
        elif name not in _SKIP_TAGS:
            yield from outermost(child, tags)


def paragraph_lines(el: etree._Element | None) -> str | None:
    """One line per paragraph (descriptions, abstracts)."""
    if el is None:
        return None
    lines = [t for t in (flat_text(p) for p in outermost(el, PARA_TAGS)) if t]
    if not lines:
        return flat_text(el)
    return "\n".join(lines)


def _claim_number(claim: etree._Element, index: int) -> int:
    raw = claim.get("num") or next((c.text for c in claim if local(c.tag) == "ClaimNumber"), None)
    if raw and raw.strip().isdigit():
        return int(raw)
    return index


def claims_lines(claims: etree._Element | None) -> str | None:
    """Claims one per line, each starting with its number ("1. ...")."""
    if claims is None:
        return None
    lines: list[str] = []
    for index, claim in enumerate((c for c in claims if local(c.tag) in ("claim", "Claim")), 1):
        body = flat_text(claim)
        if not body:
            continue
        num = _claim_number(claim, index)
        if not re.match(rf"^[(（]?\s*0*{num}\s*[.．、,，)）]", body):
            body = f"{num}. {body}"
        lines.append(body)
    return "\n".join(lines) or None


# ------------------------------------------------------------------------------- record helpers

def child(el: etree._Element | None, *path: str) -> etree._Element | None:
    """Follow local names down from `el` (namespaces already stripped)."""
    for name in path:
        if el is None:
            return None
        el = el.find(name)
    return el


def value(el: etree._Element | None, *path: str) -> str | None:
    """Whitespace-tidied text of the element at `path`. A field that is just "0" counts as empty:
    CNIPA fills unknown address parts and dates with it."""
    found = child(el, *path) if path else el
    s = clean_text("".join(found.itertext())) if found is not None else None
    return None if s in (None, "0") else s


def req_date(raw: str | None, what: str) -> dt.date | None:
    """A date the record needs: junk is the record's fault, said with the field's name."""
    try:
        return parse_date(raw)
    except ValueError:
        raise RecordError(f"{what} is not a date: {raw!r}") from None


def partial_date(raw: str | None) -> dt.date | None:
    """Citation dates are often year-month only ("2000-04"): the first of the month."""
    s = clean_text(raw)
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})-?(\d{2})", s)
    if m:
        s = f"{m.group(1)}{m.group(2)}00"
    try:
        return parse_date(s)
    except ValueError:
        return None


_DOC_TYPES = {"A": DocType.APPLICATION, "B": DocType.GRANT, "C": DocType.GRANT, "U": DocType.UTILITY_MODEL,
              "Y": DocType.UTILITY_MODEL, "S": DocType.DESIGN}
_US_DOC_TYPES = {"E": DocType.REISSUE, "H": DocType.SIR, "P": DocType.PLANT}


def doc_type_for(country: str, kind: str | None) -> str:
    """Document type from the kind code's letter (WIPO ST.16 groups)."""
    if not kind:
        return DocType.OTHER.value
    k = kind.upper()
    if country == "WO" and k == "A3":
        return DocType.SEARCH_REPORT.value  # the search report published after the application
    if country == "US" and k[0] in _US_DOC_TYPES:
        return _US_DOC_TYPES[k[0]].value
    return _DOC_TYPES.get(k[0], DocType.OTHER).value


class FamilyFields(TypedDict):
    earliest_priority_date: dt.date | None
    family_id: str | None
    family_source: str | None


def family_fields(priorities: Sequence[Priority], app_country: str | None, app_number: str | None,
                  app_date: dt.date | None) -> FamilyFields:
    """earliest_priority_date, family_id and family_source from the priority claims, or from the
    application itself when it claims none."""
    dates = [p.date for p in priorities if p.date]
    basis = [(p.country, p.number) for p in priorities] or ([(app_country, app_number)] if app_number else [])
    key = family_key_from_priorities(basis)
    return FamilyFields(earliest_priority_date=min(dates) if dates else app_date, family_id=key,
                        family_source="priorities" if key else None)


def number_parties(parties: Iterable[Party]) -> tuple[Party, ...]:
    """Sequence 1-based per role, in document order. An organisation named again in the same role
    (the agency printed with each of its agents) is kept once; two people may share a name."""
    seen: set[tuple[str, str]] = set()
    counts: dict[str, int] = {}
    out: list[Party] = []
    for p in parties:
        if p.kind != "person":
            if (p.role, p.name) in seen:
                continue
            seen.add((p.role, p.name))
        counts[p.role] = counts.get(p.role, 0) + 1
        out.append(Party(p.name, p.role, counts[p.role], p.country, p.city, p.address, p.kind))
    return tuple(out)


def person_name(last: str | None, first: str | None, middle: str | None = None,
                suffix: str | None = None) -> str | None:
    """Structured person names as "Last, First Middle Suffix"."""
    given = " ".join(x for x in (first, middle, suffix) if x)
    if last and given:
        return clean_name(f"{last}, {given}")
    return clean_name(last or given or None)


_IPC_TEXT = re.compile(r"\((\d{4})\.(\d{2})\)")


def ipc_from_text(text: str | None) -> Classification | None:
    """IPC as printed in ST.36 `<text>`: ``C07K   16/18    (2006.01)``."""
    symbol = ipc_symbol(text)
    if not symbol:
        return None
    m = _IPC_TEXT.search(text or "")
    version = f"{m.group(1)}{m.group(2)}01" if m else None
    return Classification("ipc", symbol, version=version)


def pct_application(raw: str | None) -> str | None:
    """A PCT application number in the printed form ``PCT/US2008/081493`` (from ``KR2018016728``
    or ``PCT/US2008/081493``); None when it is not one."""
    s = clean_text(raw)
    if not s:
        return None
    m = re.fullmatch(r"(?:PCT\s*/\s*)?([A-Z]{2})\s*(\d{4})\s*/?\s*(\d{1,6})", s.upper())
    if not m:
        return None
    return f"PCT/{m.group(1)}{m.group(2)}/{m.group(3).zfill(6)}"


def wo_number(raw: str | None, published: dt.date | None = None) -> str | None:
    """A WO publication number as its canonical doc number: ``2009/058797`` -> ``2009058797``;
    a bare serial takes the publication year (``043551`` of 2004 -> ``2004043551``)."""
    s = clean_text(raw)
    if not s:
        return None
    s = re.sub(r"^WO\s*", "", s.upper())
    digits = re.sub(r"[\s/\-]", "", s)
    if not digits.isdigit():
        return None
    if "/" not in s and len(digits) <= 6:
        if published is None:
            return None
        if published.year >= 2002:  # six-digit serials within four-digit years since 2002
            return f"{published.year}{digits.zfill(6)}"
        return f"{published.year % 100:02d}{digits.zfill(5)}"
    return clean_doc_number("WO", s)


def patent_citation(country: str | None, number: str | None, kind: str | None) -> str | None:
    """Canonical number of a cited patent document, or None when it cannot be parsed."""
    if not number:
        return None
    try:
        if country:
            return canonical_number(country, number, kind)
        return parse_number(number).canonical
    except InvalidNumber:
        return None


# ------------------------------------------------------------------------------- ST.36

def _addressbook_name(book: etree._Element | None) -> tuple[str | None, str | None]:
    """(name, kind) of an ST.36 addressbook: a person's structured name or an organisation."""
    if book is None:
        return None, None
    last = value(book, "last-name")
    if last:
        return person_name(last, value(book, "first-name"), value(book, "middle-name")), "person"
    org = value(book, "orgname")
    if org:
        return clean_name(org), "organization"
    return clean_name(value(book, "name")), None


def _address(book: etree._Element | None) -> tuple[str | None, str | None, str | None]:
    """(country, city, address) of an ST.36 addressbook; the address may be plain text."""
    addr = child(book, "address")
    if addr is None:
        return None, None, None
    if len(addr) == 0:
        return None, None, value(addr)
    parts = [value(x) for x in addr if local(x.tag) != "country"]
    return value(addr, "country"), value(addr, "city"), ", ".join(p for p in parts if p) or None


def _st36_party(el: etree._Element, role: str) -> Party | None:
    book = child(el, "addressbook")
    name, kind = _addressbook_name(book if book is not None else el)
    if not name:
        return None
    country, city, address = _address(book)
    return Party(name, role, 0, country or value(el, "residence", "country"), city, address, kind)


def _st36_parties(biblio: etree._Element) -> list[Party]:
    root = child(biblio, "parties")
    if root is None:
        return []
    applicants = list(root.iter("applicant"))
    # app-type "applicant-inventor": one entry names a person who is both
    both = [el for el in applicants
            if (el.get("app-type") or el.get("apptype") or "").replace("-", "") == "applicantinventor"]
    entries = ([(el, "applicant") for el in applicants] + [(el, "inventor") for el in both]
               + [(el, "inventor") for el in root.iter("inventor")] + [(el, "agent") for el in root.iter("agent")])
    return [p for el, role in entries if (p := _st36_party(el, role))]


def _st36_classes(biblio: etree._Element) -> list[Classification]:
    classes: list[Classification] = []
    for ipc in biblio.findall("classification-ipc"):
        for el in ipc:
            if local(el.tag) in ("main-classification", "further-classification"):
                symbol = ipc_symbol(value(el))
                if symbol:
                    classes.append(Classification("ipc", symbol))
    for el in biblio.iter("classification-ipcr"):
        symbol = ipc_from_parts(value(el, "section"), value(el, "class"), value(el, "subclass"),
                                value(el, "main-group"), value(el, "subgroup"))
        if symbol:
            classes.append(Classification("ipc", symbol, version=value(el, "ipc-version-indicator", "date"),
                                          level=value(el, "classification-level"),
                                          value=value(el, "classification-value")))
        else:
            found = ipc_from_text(value(el, "text"))
            if found:
                classes.append(found)
    return classes


def _st36_citations(root: etree._Element) -> list[Citation]:
    citations: list[Citation] = []
    seen: set[str] = set()
    for srep in root.iter("srep-citations"):
        for cit in srep.iter("citation"):
            pat = child(cit, "patcit")
            npl = child(cit, "nplcit")
            if pat is not None:
                c = _st36_patcit(pat, "examiner", value(pat, "category") or value(cit, "category"))
                if c and (c.cited_number or c.text) not in seen:
                    seen.add(c.cited_number or c.text or "")
                    citations.append(c)
            elif npl is not None:
                citations.append(Citation(kind="npl", text=flat_text(npl), cited_by="examiner",
                                          category=value(cit, "category")))
    description = child(root, "description")
    if description is not None:
        # citations in the description are the applicant's own references to prior art
        for pat in description.iter("patcit"):
            c = _st36_patcit(pat, "applicant", None)
            if c and (c.cited_number or c.text) not in seen:
                seen.add(c.cited_number or c.text or "")
                citations.append(c)
    return citations


def _st36_patcit(pat: etree._Element, cited_by: str, category: str | None) -> Citation | None:
    doc = child(pat, "document-id")
    country = value(doc, "country")
    number = value(doc, "doc-number")
    kind = value(doc, "kind")
    cited = patent_citation(country, number, kind) if number else patent_citation(None, pat.get("dnum"), None)
    text = None if cited else (flat_text(pat) or pat.get("dnum"))
    if not cited and not text:
        return None
    return Citation(kind="patent", cited_number=cited, cited_country=country, cited_date=partial_date(
        value(doc, "date")), text=text, cited_by=cited_by, category=category)


def texts_by_lang(root: etree._Element | None, path: str, kind: str, default_lang: str,
                  lang_attr: str = "lang") -> list[Text]:
    """One text per language. A second block in a language already seen is a later version (the
    amended claims printed after the drawings in a PCT text body) and is left out."""
    out: dict[str, Text] = {}
    for el in root.findall(path) if root is not None else ():
        lang = lang_code(el.get(lang_attr), default_lang)
        if lang in out:
            continue
        if kind == "claims":
            body = claims_lines(el)
        elif kind == "title":
            body = flat_text(el)
        else:
            body = paragraph_lines(el)
        if body:
            out[lang] = Text(kind, lang, body)
    return list(out.values())


@register
class WipoSt36Reader(XmlReader):
    name = "wipo-st36"
    description = "WIPO ST.36 patent document (<patent-document>), e.g. PCT publications"
    roots = ("patent-document",)
    concatenated = False

    def record_label(self, root: etree._Element) -> str | None:
        return (root.get("country") or "") + (root.get("docnumber") or root.get("doc-number") or "") or None

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        strip_ns(root)
        biblio = child(root, "bibliographic-data")
        lang = lang_code(root.get("lang"), "und")
        if biblio is not None:
            lang = lang_code(value(biblio, "language-of-publication") or biblio.get("lang"), lang)
        country, doc_number, kind, pub_date = _st36_number(root, biblio)
        number = canonical_number(country, doc_number, kind)
        app_country, app_number, app_date = _st36_application(biblio)
        priorities = [
            Priority(value(pc, "country"), num, req_date(value(pc, "date"), "priority date"), i, pc.get("kind"))
            for i, pc in enumerate(biblio.iter("priority-claim") if biblio is not None else (), 1)
            if (num := value(pc, "doc-number"))
        ]
        texts = [t for tag, kind_of_text in (("invention-title", "title"), ("abstract", "abstract"),
                                             ("claims", "claims"), ("description", "description"))
                 for t in texts_by_lang(biblio if tag == "invention-title" else root, tag, kind_of_text, lang)]
        if not texts and biblio is None:
            raise RecordError("neither bibliographic data nor any text (title, abstract, claims, description)")
        return Publication(
            number=number, country=country, doc_number=clean_doc_number(country, doc_number),
            kind=kind, doc_type=_st36_doc_type(root, country, kind), publication_date=pub_date,
            application_number=app_number, application_date=app_date, application_country=app_country,
            priorities=tuple(priorities), **family_fields(priorities, app_country, app_number, app_date),
            texts=tuple(texts), parties=number_parties(_st36_parties(biblio) if biblio is not None else []),
            classifications=renumber(_st36_classes(biblio) if biblio is not None else []),
            citations=renumber(_st36_citations(root)), lang=lang, source_rank=SOURCE_RANK["official-fulltext"],
        )


def _st36_number(root: etree._Element, biblio: etree._Element | None
                 ) -> tuple[str, str, str | None, dt.date | None]:
    """(country, doc number, kind, publication date) from the publication reference, else from the
    root's attributes (text bodies carry only those)."""
    pub_id = child(biblio, "publication-reference", "document-id")
    country = (value(pub_id, "country") or clean_text(root.get("country")) or "").upper()
    raw_number = value(pub_id, "doc-number") or clean_text(root.get("docnumber") or root.get("doc-number"))
    kind = (value(pub_id, "kind") or clean_text(root.get("kind")) or "").upper() or None
    pub_date = req_date(value(pub_id, "date") or root.get("date-published") or root.get("date-publ"),
                        "publication date")
    if not raw_number or not country:
        raise RecordError("no publication number: neither bibliographic-data/publication-reference/"
                          "document-id nor the root's country and docnumber attributes give one")
    if country == "WO":
        raw_number = _wo_with_year(raw_number, pub_date)
    return country, raw_number, kind, pub_date


def _wo_with_year(raw_number: str, pub_date: dt.date | None) -> str:
    wo = wo_number(raw_number, pub_date)
    if wo is None:
        raise RecordError(f"WO number {raw_number!r} lacks its year and the document has no publication date "
                          "to supply it")
    return wo


def _st36_application(biblio: etree._Element | None) -> tuple[str | None, str | None, dt.date | None]:
    """(country, number, filing date) of the application; a PCT application in its full form."""
    app = child(biblio, "application-reference")
    app_id = child(app, "document-id")
    app_date = req_date(value(app_id, "date"), "application date")
    app_country = value(app_id, "country")
    app_number = value(app_id, "doc-number")
    if app is not None and (app.get("appl-type") or "").upper() == "PCT" and app_number:
        # PCT gazettes print the receiving office and serial; the full number adds the filing year
        year = app_date.year if app_date else None
        pct = pct_application(app_number if year is None else f"{app_country}{year}{app_number}")
        if pct:
            return "WO", pct, app_date
    return app_country, app_number, app_date


def _st36_doc_type(root: etree._Element, country: str, kind: str | None) -> str:
    if kind:
        return doc_type_for(country, kind)
    # text bodies without a kind code still say what they are in their DTD name
    if "application" in (root.get("dtd-version") or "").lower():
        return DocType.APPLICATION.value
    return DocType.OTHER.value


# ------------------------------------------------------------------------------- ST.96

def _st96_name(contact: etree._Element | None) -> tuple[str | None, str | None]:
    name = child(contact, "Name")
    if name is None:
        name = contact
    if name is None:
        return None, None
    structured = next(name.iter("PersonStructuredName"), None)
    if structured is not None:
        return person_name(value(structured, "LastName"), value(structured, "FirstName"),
                           value(structured, "MiddleName"), value(structured, "NameSuffix")), "person"
    full = next(name.iter("PersonFullName"), None)
    if full is not None:
        return clean_name(value(full)), "person"
    for tag in ("EntityName", "OrganizationStandardName", "OrganizationName"):
        found = next(name.iter(tag), None)
        if found is not None and value(found):
            return clean_name(value(found)), "organization"
    return None, None


def _st96_party(el: etree._Element, role: str) -> Party | None:
    contact = child(el, "PublicationContact")
    if contact is None:
        contact = child(el, "Contact")
    name, kind = _st96_name(contact if contact is not None else el)
    if not name:
        return None
    addr = next(el.iter("PostalAddress"), None)
    country = city = address = None
    if addr is not None:
        country = value(next(addr.iter("CountryCode"), None))
        city = value(next(addr.iter("CityName"), None))
        lines = [value(x) for x in addr.iter("AddressLineText")]
        address = ", ".join(x for x in lines if x) or None
    return Party(name, role, 0, country, city, address, kind)


_ST96_ROLES = (("ApplicantBag", "Applicant", "applicant"), ("InventorBag", "Inventor", "inventor"),
               ("AssigneeBag", "Assignee", "assignee"), ("RegisteredPractitionerBag", "RegisteredPractitioner",
                                                          "agent"))


def _st96_parties(biblio: etree._Element) -> list[Party]:
    parties: list[Party] = []
    bag = child(biblio, "PartyBag")
    if bag is None:
        return parties
    for bag_tag, tag, role in _ST96_ROLES:
        for el in bag.findall(f"{bag_tag}/{tag}"):
            p = _st96_party(el, role)
            if p:
                parties.append(p)
    for el in bag.findall("ExaminerBag/*"):
        name, _ = _st96_name(el)
        if name:
            parties.append(Party(name, "examiner", 0, kind="person"))
    return parties


def _st96_symbol(el: etree._Element, section_tag: str) -> str | None:
    return ipc_from_parts(value(el, section_tag), value(el, "Class"), value(el, "Subclass"),
                          value(el, "MainGroup"), value(el, "Subgroup"))


def _st96_classes(biblio: etree._Element) -> list[Classification]:
    classes: list[Classification] = []
    bag = child(biblio, "PatentClassificationBag")
    if bag is None:
        return classes
    for el in bag.findall("IPCRClassificationBag/IPCRClassification"):
        symbol = _st96_symbol(el, "Section")
        if symbol:
            version = (value(el, "ClassificationVersionDate") or "").replace("-", "") or None
            classes.append(Classification("ipc", symbol, version=version,
                                          level=value(el, "PatentClassificationLevelCode"),
                                          value=value(el, "IPCClassificationValueCode")))
    # combination sets (CPCCombinationSet) are indexing combinations, not symbols of their own
    for el in bag.findall("CPCClassificationBag/MainCPC/CPCClassification") + bag.findall(
            "CPCClassificationBag/FurtherCPC/CPCClassification"):
        symbol = _st96_symbol(el, "CPCSection")
        if symbol:
            version = (value(el, "ClassificationVersionDate") or "").replace("-", "") or None
            classes.append(Classification("cpc", symbol, version=version,
                                          value=value(el, "CPCClassificationValueCode")))
    for el in bag.findall("NationalClassification"):
        office = value(el, "IPOfficeCode")
        for main in el:
            if local(main.tag) in ("MainNationalClassification", "FurtherNationalClassification"):
                cls, sub = value(main, "NationalClass"), value(main, "NationalSubclass")
                symbol = value(main, "PatentClassificationText") or (f"{cls}/{sub}" if cls and sub else cls)
                if symbol:
                    classes.append(Classification("national", symbol.replace(" ", ""), country=office))
    for el in bag.findall("LocarnoClassificationBag/LocarnoClassification"):
        symbol = value(el, "LocarnoClassificationText")
        if symbol:
            classes.append(Classification("locarno", symbol.replace("-", "")))
    return classes


def _st96_citations(biblio: etree._Element) -> list[Citation]:
    citations: list[Citation] = []
    for ref in biblio.findall("ReferenceCitationBag/ReferenceCitation"):
        by = (ref.get("citingPartyCategory") or "").strip().lower() or None
        pat = child(ref, "PatentCitation")
        npl = child(ref, "NPLCitation")
        if pat is not None:
            doc = child(pat, "CitedPatentDocumentIdentification")
            country = value(doc, "IPOfficeCode")
            number = value(doc, "DocumentNumber")
            cited = patent_citation(country, number, value(doc, "PatentDocumentKindCode"))
            text = None if cited else clean_text(" ".join(x for x in (country, number) if x))
            if cited or text:
                citations.append(Citation(kind="patent", cited_number=cited, cited_country=country,
                                          cited_date=partial_date(value(doc, "PatentDocumentDate")), text=text,
                                          cited_by=by, category=value(pat, "CitationCategoryCode")))
        elif npl is not None:
            text = flat_text(child(npl, "NPLCitationText")) or flat_text(npl)
            if text:
                citations.append(Citation(kind="npl", text=text, cited_by=by))
    return citations


@register
class WipoSt96Reader(XmlReader):
    name = "wipo-st96"
    description = "WIPO ST.96 patent publication (<pat:PatentPublication>)"
    roots = ("PatentPublication",)
    concatenated = False

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        strip_ns(root)
        lang = lang_code(root.get("languageCode"), "und")
        biblio = child(root, "BibliographicData")
        if biblio is None:
            raise RecordError("no BibliographicData: the publication number cannot be read")
        ident = child(biblio, "PatentPublicationIdentification")
        country = (value(ident, "IPOfficeCode") or value(root, "IPOfficeCode") or "").upper()
        raw_number = value(ident, "PublicationNumber")
        kind = (value(ident, "PatentDocumentKindCode") or "").upper() or None
        if not raw_number or not country:
            raise RecordError("no publication number: BibliographicData/PatentPublicationIdentification has "
                              "no IPOfficeCode and PublicationNumber")
        pub_date = req_date(value(ident, "PublicationDate") or root.get("documentPublicationDate"),
                            "publication date")
        if country == "WO":
            raw_number = _wo_with_year(raw_number, pub_date)
        number = canonical_number(country, raw_number, kind)
        doc_number = clean_doc_number(country, raw_number)

        app = child(biblio, "ApplicationIdentification")
        app_number = value(app, "ApplicationNumber", "ApplicationNumberText")
        app_country = value(app, "IPOfficeCode")
        app_date = req_date(value(app, "FilingDate"), "application filing date")
        priorities = [
            Priority(value(pc, "IPOfficeCode"), num, req_date(value(pc, "FilingDate"), "priority date"), i,
                     (value(pc, "ApplicationFilingCategory") or "").lower() or None)
            for i, pc in enumerate(biblio.findall("PriorityClaimBag/PriorityClaim"), 1)
            if (num := value(pc, "ApplicationNumber", "ApplicationNumberText"))
        ]
        texts = (texts_by_lang(biblio, "InventionTitleBag/InventionTitle", "title", lang, "languageCode")
                 + texts_by_lang(root, "Abstract", "abstract", lang, "languageCode")
                 + texts_by_lang(root, "Claims", "claims", lang, "languageCode")
                 + texts_by_lang(root, "Description", "description", lang, "languageCode"))
        return Publication(
            number=number, country=country, doc_number=doc_number, kind=kind, doc_type=doc_type_for(country, kind),
            publication_date=pub_date, application_number=app_number, application_date=app_date,
            application_country=app_country, priorities=tuple(priorities),
            **family_fields(priorities, app_country, app_number, app_date),
            texts=tuple(texts), parties=number_parties(_st96_parties(biblio)),
            classifications=renumber(_st96_classes(biblio)), citations=renumber(_st96_citations(biblio)),
            lang=lang, source_rank=SOURCE_RANK["official-fulltext"],
        )
