"""CNIPA (China) full-text XML in its two layouts.

* the old ST.36-based `<cn-patent-document>` (one document per file, usually with an
  `<?xml-stylesheet?>` line after the declaration, which is why files are never split on `<?xml`);
* the new `<business:PatentDocumentAndRelated>` (schema V2.2.1), with the `base:` and `business:`
  namespaces declared on the root; the reader strips them and works on local names. Each
  publication, application and priority is given twice there, as printed (`dataFormat="original"`)
  and in a standard form; the printed one is kept, so both layouts store the same spellings
  (`201410408762.5`, `10-2013-0033547`).

Chinese text is kept as printed (lang "zh"); only the line breaks CNIPA uses to wrap claims are
removed, since Chinese has no spaces between words. Folding traditional and simplified characters
is the search layer's job, not the reader's.
"""

from __future__ import annotations

from typing import Iterable

from lxml import etree

from ...errors import RecordError
from ...model import SOURCE_RANK, Classification, DocType, Identifier, Party, Priority, Publication, Text, renumber
from ...normalize import canonical_number, clean_doc_number, clean_name, ipc_from_parts, lang_code, lenient_date
from ..base import Source, register
from ..xmlreader import XmlReader
from ..xmlsafe import local, strip_ns
from .wipo import (
    child,
    claims_lines,
    family_fields,
    flat_text,
    ipc_from_text,
    number_parties,
    paragraph_lines,
    pct_application,
    req_date,
    value,
    wo_number,
)

# CN kind codes: invention application A, grant B (C before 2007), utility model U (Y before
# 2007), design S (D before 2007).
_CN_DOC_TYPES = {"A": DocType.APPLICATION, "B": DocType.GRANT, "C": DocType.GRANT, "U": DocType.UTILITY_MODEL,
                 "Y": DocType.UTILITY_MODEL, "S": DocType.DESIGN, "D": DocType.DESIGN}


def cn_doc_type(kind: str | None) -> str:
    found = _CN_DOC_TYPES.get(kind[:1].upper()) if kind else None
    return (found or DocType.OTHER).value


def _pct_identifiers(filing: etree._Element | None, publishing: etree._Element | None) -> list[Identifier]:
    """The international application and its WO publication, for national-phase entries."""
    out: list[Identifier] = []
    pct = pct_application(value(filing, "doc-number") or value(filing, "DocNumber"))
    if pct:
        out.append(Identifier("pct-application", pct))
    raw = value(publishing, "doc-number") or value(publishing, "DocNumber")
    date = value(publishing, "date") or value(publishing, "Date")
    wo = wo_number(raw, lenient_date(date)) if raw else None
    if wo:
        out.append(Identifier("wo-publication", canonical_number("WO", wo)))
    return out


def _party(role: str, name: str | None, *, country: str | None = None, city: str | None = None,
           address: str | None = None, kind: str | None = None) -> Party | None:
    name = clean_name(name)
    return Party(name, role, 0, country, city, address, kind) if name else None


def _present(parties: Iterable[Party | None]) -> list[Party]:
    return [p for p in parties if p is not None]


def _publication(*, country: str, raw_number: str | None, kind: str | None, pub_date: str | None,
                 app_number: str | None, app_date: str | None, priorities: list[Priority],
                 title: str | None, abstract: str | None, claims: str | None, description: str | None,
                 parties: list[Party], classes: list[Classification], identifiers: list[Identifier],
                 lang: str) -> Publication:
    if not raw_number:
        raise RecordError("no publication number in the publication reference")
    kind = (kind or "").strip().upper() or None
    number = canonical_number(country, raw_number, kind)
    application_date = req_date(app_date, "application date")
    texts = [Text(k, lang, t) for k, t in (("title", title), ("abstract", abstract), ("claims", claims),
                                           ("description", description)) if t]
    return Publication(
        number=number, country=country, doc_number=clean_doc_number(country, raw_number), kind=kind,
        doc_type=cn_doc_type(kind), publication_date=req_date(pub_date, "publication date"),
        application_number=app_number, application_date=application_date,
        application_country="CN" if app_number else None, priorities=tuple(priorities),
        **family_fields(priorities, "CN", app_number, application_date),
        texts=tuple(texts), parties=number_parties(parties), classifications=renumber(classes),
        identifiers=tuple(identifiers), lang=lang, source_rank=SOURCE_RANK["official-fulltext"],
    )


# ------------------------------------------------------------------------------- old layout

def _old_parties(biblio: etree._Element) -> list[Party]:
    root = child(biblio, "cn-parties")
    if root is None:
        return []
    applicants = [
        _party("applicant", value(a, "addressbook", "name") or value(a, "name"),
               address=value(a, "addressbook", "address", "text") or value(a, "addressbook", "address"))
        for a in root.iter("cn-applicant")
    ]
    inventors = [_party("inventor", value(i, "name") or value(i, "addressbook", "name"), kind="person")
                 for i in root.iter("cn-inventor")]
    agents: list[Party | None] = []
    for a in root.iter("cn-agent"):
        # the agency (a firm with its code) and the registered agent, both as printed
        agents.append(_party("agent", value(a, "cn-agency", "name"), kind="organization"))
        agents.append(_party("agent", value(a, "name"), kind="person"))
    return _present(applicants + inventors + agents)


def _extract_old(root: etree._Element) -> Publication:
    biblio = child(root, "cn-bibliographic-data")
    if biblio is None:
        raise RecordError("no cn-bibliographic-data: the publication number cannot be read")
    pub = child(biblio, "cn-publication-reference", "document-id")
    app = child(biblio, "application-reference", "document-id")
    priorities = [
        Priority(value(pc, "country"), num, req_date(value(pc, "date"), "priority date"), i, pc.get("kind"))
        for i, pc in enumerate(biblio.findall("priority-claims/priority-claim"), 1)
        if (num := value(pc, "doc-number"))
    ]
    classes = [c for el in biblio.findall("classifications-ipcr/classification-ipcr")
               if (c := ipc_from_text(value(el, "text")))]
    body = child(root, "application-body")
    return _publication(
        country=(value(pub, "country") or root.get("country") or "CN").upper(), raw_number=value(pub, "doc-number"),
        kind=value(pub, "kind"), pub_date=value(pub, "date"), app_number=value(app, "doc-number"),
        app_date=value(app, "date"), priorities=priorities, title=flat_text(child(biblio, "invention-title")),
        abstract=paragraph_lines(child(biblio, "abstract")), claims=claims_lines(child(body, "claims")),
        description=paragraph_lines(child(body, "description")), parties=_old_parties(biblio), classes=classes,
        identifiers=_pct_identifiers(child(biblio, "pct-or-regional-filing-data", "document-id"),
                                     child(biblio, "pct-or-regional-publishing-data", "document-id")),
        lang=lang_code(root.get("lang"), "zh"),
    )


# ------------------------------------------------------------------------------- new layout

def _original(elements: list[etree._Element]) -> list[etree._Element]:
    """The as-printed variant of elements CNIPA gives twice (original and standard)."""
    printed = [e for e in elements if e.get("dataFormat") != "standard"]
    return printed or elements


def _new_party(el: etree._Element, role: str) -> Party | None:
    book = child(el, "AddressBook")
    name = value(book, "Name") or value(book, "OrganizationName")
    addr = child(book, "Address")
    return _party(role, name, country=value(addr, "WIPOST3Code"), city=value(addr, "City"),
                  address=value(addr, "Text") or value(addr, "AddressLine"),
                  kind="person" if role == "inventor" else None)


def _new_parties(biblio: etree._Element) -> list[Party]:
    root = child(biblio, "Parties")
    if root is None:
        return []
    parties: list[Party | None] = [_new_party(a, "applicant") for a in _original(root.findall(
        "ApplicantDetails/Applicant"))]
    parties += [_new_party(i, "inventor") for i in _original(root.findall("InventorDetails/Inventor"))]
    for agent in root.findall("AgentDetails/Agent"):
        parties.append(_party("agent", value(agent, "Agency", "AddressBook", "OrganizationName"),
                              kind="organization"))
        parties.append(_party("agent", value(agent, "AddressBook", "Name"), kind="person"))
    return _present(parties)


def _new_classes(biblio: etree._Element) -> list[Classification]:
    out: list[Classification] = []
    for el in biblio.findall("ClassificationIPCRDetails/ClassificationIPCR"):
        symbol = ipc_from_parts(value(el, "Section"), value(el, "MainClass"), value(el, "Subclass"),
                                value(el, "MainGroup"), value(el, "Subgroup"))
        if symbol:
            out.append(Classification("ipc", symbol, version=value(el, "IPCVersionDate")))
        elif (found := ipc_from_text(value(el, "Text"))) is not None:
            out.append(found)
    return out


def _extract_new(root: etree._Element) -> Publication:
    biblio = child(root, "BibliographicData")
    if biblio is None:
        raise RecordError("no BibliographicData: the publication number cannot be read")
    pubs = _original(biblio.findall("PublicationReference"))
    pub = child(pubs[0], "DocumentID") if pubs else None
    apps = _original(biblio.findall("ApplicationReference"))
    app = child(apps[0], "DocumentID") if apps else None
    priorities = [
        Priority(value(pc, "WIPOST3Code"), num, req_date(value(pc, "Date"), "priority date"), i, pc.get("kind"))
        for i, pc in enumerate(_original(biblio.findall("PriorityDetails/Priority")), 1)
        if (num := value(pc, "DocNumber"))
    ]
    titles = _original(biblio.findall("InventionTitle"))
    abstracts = _original(root.findall("Abstract"))
    return _publication(
        country=(value(pub, "WIPOST3Code") or root.get("country") or "CN").upper(),
        raw_number=value(pub, "DocNumber") or root.get("docNumber"), kind=value(pub, "Kind") or root.get("kind"),
        pub_date=value(pub, "Date") or root.get("datePublication"), app_number=value(app, "DocNumber"),
        app_date=value(app, "Date"), priorities=priorities, title=flat_text(titles[0]) if titles else None,
        abstract=paragraph_lines(abstracts[0]) if abstracts else None,
        claims=claims_lines(child(root, "Claims")), description=paragraph_lines(child(root, "Description")),
        parties=_new_parties(biblio), classes=_new_classes(biblio),
        identifiers=_pct_identifiers(child(biblio, "PCTOrRegionalApplicationData", "DocumentID"),
                                     child(biblio, "PCTOrRegionalPublishingData", "DocumentID")),
        lang=lang_code(root.get("lang"), "zh"),
    )


@register
class CnipaReader(XmlReader):
    name = "cnipa-xml"
    description = "CNIPA (China) full text XML: <cn-patent-document> and <business:PatentDocumentAndRelated>"
    roots = ("cn-patent-document", "PatentDocumentAndRelated")
    # one document per file; the `<?xml-stylesheet?>` line would otherwise look like a new document
    concatenated = False

    def record_label(self, root: etree._Element) -> str | None:
        if root.get("docNumber"):
            return f"{root.get('country') or 'CN'}{root.get('docNumber')}{root.get('kind') or ''}"
        for el in root.iter():
            if local(el.tag) == "doc-number" and el.text:
                return f"CN{el.text.strip()}"
        return None

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        strip_ns(root)
        if local(root.tag) == "cn-patent-document":
            return _extract_old(root)
        return _extract_new(root)
