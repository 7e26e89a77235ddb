"""USPTO application publications of 2001-2004: the pap-v1.5 / pap-v1.6 XML format.

Root `patent-application-publication`, weekly `paYYMMDD` files with one `<?xml ...?>` per document.
The record follows the same conventions as the ICE reader (`uspto.py`), whose helpers it reuses:

* number, kind, date: `subdoc-bibliographic-information/document-id` (US implied);
* application: `domestic-filing-data` (number, filing date);
* priorities: `foreign-priority-data`, then the domestic benefit claims of `continuity-data`
  (provisional applications, and the parents of continuations, continuations-in-part, divisions);
* classes: `classification-ipc` (primary and secondary, edition as version) and `classification-us`
  (class "002" + subclass "069000" -> "2/69");
* parties: `inventors` (first-named-inventor, inventor), `assignee`; persons as "Last, First";
* texts: title, abstract, claims (one per line, numbered), description (headings and paragraphs,
  without the printed "[0001]" paragraph numbers, which are layout, not text).
"""

from __future__ import annotations

import re
from typing import ClassVar

from lxml import etree

from ...errors import RecordError
from ...model import Classification, Identifier, Party, Priority, Provenance, Publication, Text
from ...normalize import canonical_number, clean_doc_number, clean_name, ipc_symbol
from ..base import Source, register
from .uspto import (
    APPLICATION_PAP,
    UsptoReaderBase,
    cited_patent_number,
    claims_text,
    finish,
    flat,
    int_or_none,
    ipc_edition,
    join_address,
    lines,
    person_name,
    required_date,
    us_application_number,
)

# paragraph numbers ("[0001]") are printed layout, not text
_SKIP = frozenset({"number"})


def _t(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return flat(found) if found is not None else None


def _bib(root: etree._Element) -> etree._Element:
    bib = root.find("subdoc-bibliographic-information")
    if bib is None:
        raise RecordError("<patent-application-publication> has no subdoc-bibliographic-information")
    return bib


def pap_number(root: etree._Element) -> tuple[str, str, str, str | None, str | None]:
    """(canonical, country, doc_number, kind, date text)."""
    did = _bib(root).find("document-id")
    num = _t(did, "doc-number")
    if not num:
        raise RecordError("document-id has no doc-number")
    country = (_t(did, "country-code") or "US").upper()
    kind = _t(did, "kind-code")
    kind = kind.upper() if kind else None
    return canonical_number(country, num, kind), country, clean_doc_number(country, num), kind, _t(did, "document-date")


def _uspc(uspc: etree._Element) -> str | None:
    """class "002" + subclass "069000" (three digits, then a three-digit decimal) -> "2/69"."""
    cls = (_t(uspc, "class") or "").strip()
    sub = (_t(uspc, "subclass") or "").strip()
    if not cls:
        return None
    m = re.fullmatch(r"([A-Z]*)0*(\d*)", cls.upper())
    cls_s = (m.group(1) + m.group(2)) if m and m.group(2) else cls.upper()
    if not sub:
        return cls_s
    m = re.fullmatch(r"(\d{3})(\d{0,3})(.*)", sub)
    if not m:
        return f"{cls_s}/{sub}"
    main = str(int(m.group(1)))
    dec = m.group(2).rstrip("0")
    return f"{cls_s}/{main}{'.' + dec if dec else ''}{m.group(3)}"


def _classes(tech: etree._Element | None) -> list[Classification]:
    out: list[Classification] = []
    if tech is None:
        return out
    ipc = tech.find("classification-ipc")
    if ipc is not None:
        edition = ipc_edition(_t(ipc, "classification-ipc-edition"))
        for path in ("classification-ipc-primary/ipc", "classification-ipc-secondary/ipc"):
            for el in ipc.findall(path):
                sym = ipc_symbol(flat(el))
                if sym:
                    out.append(Classification(scheme="ipc", symbol=sym, version=edition))
    us = tech.find("classification-us")
    if us is not None:
        for path in ("classification-us-primary/uspc", "classification-us-secondary/uspc"):
            for el in us.findall(path):
                sym = _uspc(el)
                if sym:
                    out.append(Classification(scheme="national", symbol=sym, country="US"))
    return out


def _person(holder: etree._Element, role: str) -> Party | None:
    nm = holder.find("name")
    if nm is None:
        return None
    org = _t(nm, "organization-name")
    if org:
        name, kind = clean_name(org), "organization"
    else:
        name, kind = person_name(_t(nm, "family-name"), _t(nm, "given-name"), _t(nm, "middle-name"),
                                 _t(nm, "name-suffix")), "person"
    if not name:
        return None
    res = holder.find("residence/residence-us")
    if res is None:
        res = holder.find("residence/residence-non-us")
    adr = holder.find("address")
    country = _t(res, "country-code") or _t(adr, "country/country-code") or _t(adr, "country")
    city = _t(res, "city") or _t(adr, "city")
    address = join_address(_t(adr, "address-1"), _t(adr, "address-2"), _t(adr, "street"), city,
                           _t(res, "state") or _t(adr, "state"), _t(adr, "postalcode"), country)
    return Party(name=name, role=role, country=country.upper() if country else None, city=city, address=address,
                 kind=kind)


def _parties(bib: etree._Element) -> list[Party]:
    out: list[Party] = []
    inv = bib.find("inventors")
    if inv is not None:
        for el in inv:
            if isinstance(el.tag, str) and el.tag in ("first-named-inventor", "inventor"):
                p = _person(el, "inventor")
                if p:
                    out.append(p)
    for el in bib.findall("assignee"):
        org = _t(el, "organization-name")
        if org:
            adr = el.find("address")
            country = _t(adr, "country/country-code") or _t(adr, "country")
            out.append(Party(name=clean_name(org) or org, role="assignee", kind="organization",
                             country=country.upper() if country else None, city=_t(adr, "city"),
                             address=join_address(_t(adr, "address-1"), _t(adr, "address-2"), _t(adr, "city"),
                                                  _t(adr, "state"), _t(adr, "postalcode"), country)))
        else:
            p = _person(el, "assignee")
            if p:
                out.append(p)
    return out


def _doc(did: etree._Element | None) -> tuple[str | None, str | None, str | None, str | None]:
    if did is None:
        return None, None, None, None
    return _t(did, "country-code"), _t(did, "doc-number"), _t(did, "kind-code"), _t(did, "document-date")


def _priorities(bib: etree._Element) -> list[Priority]:
    out: list[Priority] = []
    for fp in bib.findall("foreign-priority-data"):
        num = _t(fp, "priority-application-number/doc-number")
        if num:
            out.append(Priority(country=(_t(fp, "country-code") or "").upper() or None, number=num,
                                date=required_date(_t(fp, "filing-date"), "priority date"), kind="national"))
    cont = bib.find("continuity-data")
    if cont is None:
        return out
    for path, rel in (("non-provisional-of-provisional", "provisional"), ("continuations/continuation-of", "continuation"),
                      ("continuations/continuation-in-part-of", "continuation-in-part"), ("division-of", "division")):
        for holder in cont.findall(path):
            for pc in holder.iter("parent-child"):
                cc, num, _k, date = _doc(pc.find("parent/document-id"))
                if not num:
                    continue
                c = (cc or "US").upper()
                out.append(Priority(country=c, number=(us_application_number(num) or num) if c == "US" else num,
                                    date=required_date(date, f"{rel} parent date"), kind=rel))
    return out


def _identifiers(bib: etree._Element) -> list[Identifier]:
    out: list[Identifier] = []
    cont = bib.find("continuity-data")
    if cont is None:
        return out
    for pc in cont.iter("parent-child"):
        for pp in pc.findall("parent-patent/document-id"):
            cc, num, kind, _d = _doc(pp)
            n = cited_patent_number(cc or "US", num, kind)
            if n:
                out.append(Identifier("parent-patent", n))
    for holder in cont.findall("a-371-of-international"):
        for pc in holder.iter("parent-child"):
            _c, num, _k, _d = _doc(pc.find("parent/document-id"))
            if num:
                out.append(Identifier("pct-application", num))
    return out


def extract_pap(root: etree._Element, source: Source, position: int) -> Publication:
    bib = _bib(root)
    number, country, doc_number, kind, date = pap_number(root)
    filing = bib.find("domestic-filing-data")
    app_num = _t(filing, "application-number/doc-number")
    tech = bib.find("technical-information")
    lang = "en"
    claims = []
    for i, claim in enumerate(root.findall("subdoc-claims/claim"), 1):
        t = flat(claim)
        if t:
            claims.append((int_or_none(claim.get("id")) or i, t))
    texts = [
        Text("title", lang, _t(tech, "title-of-invention") or ""),
        Text("abstract", lang, lines(root.find("subdoc-abstract"), ("paragraph",), _SKIP) or ""),
        Text("claims", lang, claims_text(claims) or ""),
        Text("description", lang, lines(root.find("subdoc-description"), ("heading", "paragraph"), _SKIP) or ""),
    ]
    return finish(
        number=number, country=country, doc_number=doc_number, kind=kind, doc_type="application",
        publication_date=required_date(date, "publication date"),
        application_number=us_application_number(app_num),
        application_date=required_date(_t(filing, "filing-date"), "filing date"),
        priorities=_priorities(bib), texts=texts, parties=_parties(bib), classifications=_classes(tech),
        citations=[], identifiers=_identifiers(bib), lang=lang,
        provenance=Provenance(source=APPLICATION_PAP, file=source.name, position=position),
    )


@register
class UsptoPapReader(UsptoReaderBase):
    name = APPLICATION_PAP
    description = "USPTO application publications, pap-v1.5/v1.6 XML (weekly paYYMMDD files, 2001-2004)"
    roots: ClassVar[tuple[str, ...]] = ("patent-application-publication",)


__all__ = ["UsptoPapReader", "extract_pap", "pap_number"]
