"""EPO Open Patent Services (OPS v3.2) responses saved as XML (`<ops:world-patent-data>`).

What each response becomes:

* published-data biblio, abstract, full-cycle, and search results with the biblio constituent:
  the `<exchange-document>`s inside, read like DOCDB (see `epo_docdb.exchange_publication`);
* claims / description (`<ftxt:fulltext-documents>`, or a bare `<fulltext-document>`): a record
  with that text only;
* family: members with biblio become full records, members with INPADOC legal events
  (`<ops:legal>`) carry them as `LegalEvent`s; a family list of bare references is skipped;
* register biblio / events / procedural steps: one record per publication of the register file,
  with the dossier events and procedural steps as legal events (the register's view has no
  abstract, CPC or DOCDB family, so it ranks as a part, below published-data biblio);
* everything that names no publication data (errors, number conversion, classification scheme and
  statistics, image / full-text / equivalents inquiries, search results of bare references) is
  skipped with what it is.

A response that carries only one part of a document (an abstract, claims, a description, legal
events) gives a record ranked just below bibliographic records: the catalogue keeps one version
per number, and such a part must never displace a full bibliographic record, while a later
bibliographic record replaces it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, ClassVar, Iterator

from lxml import etree

from ...errors import InvalidNumber, RecordError, UnsafeInput
from ...model import (
    SOURCE_RANK,
    Citation,
    Classification,
    LegalEvent,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
    renumber,
)
from ...normalize import clean_name, clean_text, ipc_symbol, lang_code, lenient_date
from ..base import Outcome, Quarantined, Skipped, Source, register
from ..xmlreader import NotAPatent, XmlReader
from ..xmlsafe import excerpt, local, parse, strip_ns
from .epo_docdb import citation_of, document_id, exchange_publication
from .epo_pubserver import (
    CLAIM_NUMBER,
    block_lines,
    canonical_parts,
    claims_text,
    doc_type_for,
    family_from,
    flat_text,
    unique_classes,
)

# A part of a document (claims only, legal events only) never replaces a bibliographic record.
PARTIAL_RANK = SOURCE_RANK["official-biblio"] - 1

_NO_DATA = {
    "standardization": "OPS number conversion: no publication data",
    "classification-scheme": "OPS classification scheme: no publication data",
    "classification-search": "OPS classification statistics: no publication data",
    "document-inquiry": "OPS image inquiry: lists page images, no publication data",
    "fulltext-inquiry": "OPS full-text inquiry: lists which texts exist, no text",
    "equivalents-inquiry": "OPS published equivalents: publication references only",
}


class _Ctx:
    """Positions and provenance for the records of one response."""

    def __init__(self, reader: str, source: Source, data: bytes) -> None:
        self.reader = reader
        self.source = source
        self.data = data
        self.position = 0

    def next(self) -> Provenance:
        self.position += 1
        return Provenance(source=self.reader, file=self.source.name, position=self.position)

    def skip(self, record: str | None, reason: str) -> Skipped:
        self.position += 1
        return Skipped(self.position, record, reason)


@register
class EpoOpsReader(XmlReader):
    name: ClassVar[str] = "epo-ops"
    description: ClassVar[str] = "EPO Open Patent Services responses (<ops:world-patent-data>, <fault>)"
    roots: ClassVar[tuple[str, ...]] = ("world-patent-data", "fulltext-document", "fault")
    concatenated: ClassVar[bool] = False

    def sniff(self, source: Source, head: bytes) -> bool:
        # `fault` and `fulltext-document` are generic names: claim them only in EPO's namespaces
        if not super().sniff(source, head):
            return False
        return b"http://ops.epo.org" in head or b"http://www.epo.org/fulltext" in head

    def read(self, source: Source) -> Iterator[Outcome]:
        with source.open() as f:
            data = f.read()
        if not data.strip():
            yield Quarantined(0, None, "empty file: no XML document in it")
            return
        try:
            root, _ = parse(data)
        except (RecordError, UnsafeInput) as e:
            yield Quarantined(1, None, str(e), excerpt(data))
            return
        strip_ns(root)
        ctx = _Ctx(self.name, source, data)
        yield from _response(root, ctx)


def _response(root: etree._Element, ctx: _Ctx) -> Iterator[Outcome]:
    tag = local(root.tag)
    if tag == "fault":
        code = flat_text(root.find("code")) or "?"
        message = "; ".join(t for t in (flat_text(root.find("message")), flat_text(root.find("description"))) if t)
        yield ctx.skip(None, f"OPS error response {code}: {message or 'no message'}")
        return
    if tag == "fulltext-document":
        yield from _guarded(ctx, lambda prov: _fulltext(root, prov))
        return
    parts = [c for c in root if isinstance(c.tag, str) and local(c.tag) != "meta"]
    if not parts:
        yield ctx.skip(None, "OPS response without content")
        return
    for part in parts:
        kind = local(part.tag)
        if kind == "exchange-documents":
            yield from _exchange_documents(part, ctx)
        elif kind == "fulltext-documents":
            for doc in part.findall("fulltext-document"):
                yield from _guarded(ctx, lambda prov, doc=doc: _fulltext(doc, prov))
        elif kind == "patent-family":
            yield from _family(part, ctx)
        elif kind == "biblio-search":
            yield from _biblio_search(part, ctx)
        elif kind == "register-search":
            yield from _register_search(part, ctx)
        else:
            reason = _NO_DATA.get(kind, f"OPS response <{kind}> carries no publication data")
            yield ctx.skip(None, reason)


def _guarded(ctx: _Ctx, make: Callable[[Provenance], Publication]) -> Iterator[Outcome]:
    """Run one record's extraction; a broken record is quarantined, the response goes on."""
    prov = ctx.next()
    try:
        yield make(prov)
    except NotAPatent as e:
        yield Skipped(prov.position, None, str(e))
    except (RecordError, InvalidNumber, ValueError, KeyError) as e:
        yield Quarantined(prov.position, None, str(e), excerpt(ctx.data))


# ------------------------------------------------------------------ published data

def _complete(doc: etree._Element) -> bool:
    """Whether an exchange-document carries bibliographic data beyond its own number."""
    biblio = doc.find("bibliographic-data")
    if biblio is None:
        return False
    # an abstract response carries an empty <parties/>: look for content, not for tags
    return any(len(el) or flat_text(el) for t in ("invention-title", "parties", "application-reference",
                                                  "classifications-ipcr") for el in biblio.findall(t))


def _exchange(doc: etree._Element, prov: Provenance, family_id: str | None = None) -> Publication:
    status = (doc.get("status") or "").lower()
    if status and status not in ("a", "c"):
        raise NotAPatent(f"OPS returned no document here (status {doc.get('status')!r})")
    rank = SOURCE_RANK["official-biblio"] if _complete(doc) else PARTIAL_RANK
    return exchange_publication(doc, source_rank=rank, provenance=prov, family_id=family_id)


def _exchange_documents(part: etree._Element, ctx: _Ctx) -> Iterator[Outcome]:
    docs = part.findall("exchange-document")
    if not docs:
        yield ctx.skip(None, "OPS response with an empty <exchange-documents>")
    for doc in docs:
        yield from _guarded(ctx, lambda prov, doc=doc: _exchange(doc, prov))


def _biblio_search(part: etree._Element, ctx: _Ctx) -> Iterator[Outcome]:
    docs = list(part.iter("exchange-document"))
    if docs:
        for doc in docs:
            yield from _guarded(ctx, lambda prov, doc=doc: _exchange(doc, prov))
        return
    refs = len(part.findall("search-result/publication-reference"))
    query = flat_text(part.find("query")) or "?"
    yield ctx.skip(None, f"OPS search result for {query!r}: {refs} publication references "
                                          "without bibliographic data")


def _fulltext(doc: etree._Element, prov: Provenance) -> Publication:
    fields = document_id(doc.find("bibliographic-data/publication-reference"))
    if not fields:
        raise RecordError("full-text document without a publication reference")
    number, country, doc_number, kind = canonical_parts(fields.get("country"), fields.get("doc-number"),
                                                        fields.get("kind"))
    texts: list[Text] = []
    for el in doc.findall("abstract"):
        t = block_lines(el, ("p",))
        if t:
            texts.append(Text("abstract", lang_code(el.get("lang")), t))
    for el in doc.findall("claims"):
        t = ops_claims(el)
        if t:
            texts.append(Text("claims", lang_code(el.get("lang")), t))
    for el in doc.findall("description"):
        t = block_lines(el, ("p", "heading"))
        if t:
            texts.append(Text("description", lang_code(el.get("lang")), t))
    if not texts:
        raise NotAPatent(f"OPS full-text document for {number} without any text")
    return Publication(number=number, country=country, doc_number=doc_number, kind=kind,
                       doc_type=doc_type_for(country, kind), publication_date=lenient_date(fields.get("date")),
                       texts=tuple(texts), source_rank=PARTIAL_RANK, provenance=prov)


def ops_claims(claims: etree._Element) -> str | None:
    """Claims, one per line. OPS text-only claims put several numbered claims (with line breaks
    inside a claim) in one `<claim-text>`; a line that starts with a number starts a claim."""
    if any(c.get("num") for c in claims.iter("claim")):
        return claims_text(claims)
    lines: list[str] = []
    for ct in claims.iter("claim-text"):
        raw = "".join(t for t in ct.itertext() if isinstance(t, str))
        for line in raw.splitlines():
            text = clean_text(line)
            if not text:
                continue
            if not lines or CLAIM_NUMBER.match(text):
                lines.append(text)
            else:
                lines[-1] += " " + text
    # a heading such as "Claims" before the first numbered claim
    if len(lines) > 1 and not CLAIM_NUMBER.match(lines[0]) and len(lines[0].split()) <= 5:
        lines = lines[1:]
    return "\n".join(lines) or None


# ------------------------------------------------------------------ families and legal events

def legal_event(el: etree._Element) -> LegalEvent:
    """One INPADOC `<ops:legal>` event: code and description from the attributes, gazette date
    (L007EP) and country (L001EP) from the fields."""
    fields = {local(c.tag): clean_text(flat_text(c)) for c in el if isinstance(c.tag, str)}
    country = fields.get("L001EP")
    return LegalEvent(date=lenient_date(fields.get("L007EP")), code=(el.get("code") or "").strip(),
                      description=clean_text(el.get("desc")), country=country.upper() if country else None)


def _family(part: etree._Element, ctx: _Ctx) -> Iterator[Outcome]:
    references = 0
    produced = False
    for member in part.findall("family-member"):
        exch = member.find("exchange-document")
        events = renumber(legal_event(e) for e in member.findall("legal"))
        fid = member.get("family-id")
        if exch is not None:
            produced = True
            yield from _guarded(ctx, lambda prov, exch=exch, events=events, fid=fid: dataclasses.replace(
                _exchange(exch, prov, fid), legal_events=events))
        elif events:
            produced = True
            yield from _guarded(ctx, lambda prov, member=member, events=events, fid=fid: _member(
                member, events, fid, prov))
        else:
            references += 1
    if references:
        what = "family list" if not produced else "family members"
        yield ctx.skip(None, f"OPS {what}: {references} members given by reference only "
                                              "(no bibliographic data or legal events)")


def _member(member: etree._Element, events: tuple[LegalEvent, ...], family_id: str | None,
            prov: Provenance) -> Publication:
    """A family member known by its references and legal events only."""
    fields = document_id(member.find("publication-reference"))
    if not fields:
        raise RecordError("family member without a publication reference")
    number, country, doc_number, kind = canonical_parts(fields.get("country"), fields.get("doc-number"),
                                                        fields.get("kind"))
    app = document_id(member.find("application-reference")) or {}
    priorities: list[Priority] = []
    for claim in member.findall("priority-claim"):
        pf = document_id(claim)
        if pf:
            priorities.append(Priority(country=pf.get("country"), number=pf["doc-number"],
                                       date=lenient_date(pf.get("date")), kind=pf.get("kind")))
    prios = renumber(priorities)
    dates = [p.date for p in prios if p.date]
    app_date = lenient_date(app.get("date"))
    return Publication(
        number=number, country=country, doc_number=doc_number, kind=kind, doc_type=doc_type_for(country, kind),
        publication_date=lenient_date(fields.get("date")),
        application_number=app.get("doc-number"), application_date=app_date,
        application_country=app.get("country"),
        priorities=prios, earliest_priority_date=min(dates) if dates else app_date,
        family_id=family_id or family_from(prios, (app.get("country"), app.get("doc-number"))),
        family_source="source" if family_id else "priorities",
        legal_events=events, source_rank=PARTIAL_RANK, provenance=prov)


# ------------------------------------------------------------------ register

_QUERY_NUMBER = re.compile(r"\b(?:publication|pn|num)\s*=\s*\"?([A-Z]{2}[\w.]+)", re.I)


def _register_search(part: etree._Element, ctx: _Ctx) -> Iterator[Outcome]:
    docs = part.findall("register-documents/register-document")
    query = flat_text(part.find("query")) or ""
    if not docs:
        yield ctx.skip(None, f"OPS register search for {query!r} without register documents")
        return
    for regdoc in docs:
        yield from _register_document(regdoc, ctx, query if len(docs) == 1 else None)


def _register_document(regdoc: etree._Element, ctx: _Ctx, query: str | None) -> Iterator[Outcome]:
    biblio = regdoc.find("bibliographic-data")
    events = _register_events(regdoc)
    refs: list[dict[str, str]] = []
    if biblio is not None:
        for ref in biblio.findall("publication-reference"):
            fields = document_id(ref)
            if fields and fields.get("kind") and fields not in refs:
                refs.append(fields)
    if refs:
        for fields in refs:
            yield from _guarded(ctx, lambda prov, fields=fields: _register_publication(
                biblio, fields, events, prov))
        return
    m = _QUERY_NUMBER.search(query or "")
    if biblio is None and events and m:
        # events of a register file asked for by publication number: the number without kind
        # is all the response says about the publication
        yield from _guarded(ctx, lambda prov: _events_only(m.group(1), events, prov))
        return
    label = None
    if biblio is not None:
        fields = document_id(biblio.find("publication-reference")) or {}
        label = "".join(fields.get(k, "") for k in ("country", "doc-number")) or None
    why = ("register search result without kind codes (which publication it describes is unknown); "
           "fetch the register biblio to load it") if biblio is not None else \
        "register document without bibliographic data or events"
    yield ctx.skip(label, why)


def _register_events(regdoc: etree._Element) -> tuple[LegalEvent, ...]:
    events: list[LegalEvent] = []
    for ev in regdoc.findall("events-data/dossier-event"):
        events.append(LegalEvent(date=lenient_date(flat_text(ev.find("event-date/date"))),
                                 code=flat_text(ev.find("event-code")) or "",
                                 description=flat_text(ev.find("event-text")), country="EP"))
    for step in regdoc.findall("procedural-data/procedural-step"):
        texts = {(t.get("step-text-type") or ""): flat_text(t) for t in step.findall("procedural-step-text")}
        description = texts.pop("STEP_DESCRIPTION", None)
        extra = ", ".join(f"{k.lower().replace('_', ' ')} {v}" for k, v in texts.items() if k and v)
        date_el = step.find("procedural-step-date/date")
        events.append(LegalEvent(date=lenient_date(flat_text(date_el)),
                                 code=flat_text(step.find("procedural-step-code")) or "",
                                 description="; ".join(t for t in (description, extra) if t) or None,
                                 country="EP"))
    return renumber(events)


def _events_only(query_number: str, events: tuple[LegalEvent, ...], prov: Provenance) -> Publication:
    m = re.match(r"^([A-Z]{2})(\d+)([A-Z]\d?)?$", query_number.replace(".", "").upper())
    if not m:
        raise RecordError(f"register events for an unreadable publication number {query_number!r}")
    number, country, doc_number, kind = canonical_parts(m.group(1), m.group(2), m.group(3))
    return Publication(number=number, country=country, doc_number=doc_number, kind=kind,
                       doc_type=doc_type_for(country, kind), legal_events=events, source_rank=PARTIAL_RANK,
                       provenance=prov)


def _first(biblio: etree._Element, tag: str) -> etree._Element | None:
    """Register data repeats a group per change, newest first: the current state is the first."""
    return biblio.find(tag)


def _register_publication(biblio: etree._Element, fields: dict[str, str], events: tuple[LegalEvent, ...],
                          prov: Provenance) -> Publication:
    number, country, doc_number, kind = canonical_parts(fields.get("country"), fields.get("doc-number"),
                                                        fields.get("kind"))
    app = document_id(biblio.find("application-reference")) or {}
    app_date = lenient_date(app.get("date"))
    priorities: list[Priority] = []
    block = _first(biblio, "priority-claims")
    for claim in (block.findall("priority-claim") if block is not None else []):
        num = flat_text(claim.find("doc-number"))
        if num:
            priorities.append(Priority(country=flat_text(claim.find("country")), number=num,
                                       date=lenient_date(flat_text(claim.find("date")))))
    prios = renumber(priorities)
    dates = [p.date for p in prios if p.date]
    titles: list[Text] = []
    for el in biblio.findall("invention-title"):
        lang = lang_code(el.get("lang"))
        text = flat_text(el)
        if text and all(t.lang != lang for t in titles):
            titles.append(Text("title", lang, text))
    return Publication(
        number=number, country=country, doc_number=doc_number, kind=kind, doc_type=doc_type_for(country, kind),
        publication_date=lenient_date(fields.get("date")),
        application_number=app.get("doc-number"), application_date=app_date,
        application_country=app.get("country"),
        priorities=prios, earliest_priority_date=min(dates) if dates else app_date,
        texts=tuple(titles), parties=_register_parties(biblio), classifications=_register_classes(biblio),
        citations=_register_citations(biblio),
        family_id=family_from(prios, (app.get("country"), app.get("doc-number"))), family_source="priorities",
        legal_events=events, lang=lang_code(biblio.get("lang")) if biblio.get("lang") else None,
        source_rank=PARTIAL_RANK, provenance=prov)


def _register_parties(biblio: etree._Element) -> tuple[Party, ...]:
    out: list[Party] = []
    for group, member, role in (("applicants", "applicant", "applicant"), ("inventors", "inventor", "inventor"),
                                ("agents", "agent", "agent")):
        block = _first(biblio, f"parties/{group}")
        if block is None:
            continue
        seq = 0
        for el in block.findall(member):
            book = el.find("addressbook")
            name = clean_name(flat_text(book.find("name"))) if book is not None else None
            if not name:
                continue
            seq += 1
            address = book.find("address") if book is not None else None
            lines = [flat_text(a) for a in address if local(a.tag).startswith("address-")] if address is not None \
                else []
            country = flat_text(address.find("country")) if address is not None else None
            out.append(Party(name=name, role=role, sequence=seq, country=country.upper() if country else None,
                             address=", ".join(t for t in lines if t) or None))
    return tuple(out)


def _register_classes(biblio: etree._Element) -> tuple[Classification, ...]:
    block = _first(biblio, "classifications-ipcr")
    found: list[Classification] = []
    for el in (block.findall("classification-ipcr") if block is not None else []):
        # "H04W84/20,  // H04W88/04": main and further symbols, "//" before indexing symbols
        for piece in re.split(r"[,;]|//", flat_text(el.find("text")) or ""):
            symbol = ipc_symbol(piece)
            if symbol:
                found.append(Classification(scheme="ipc", symbol=symbol))
    return unique_classes(found)


def _register_citations(biblio: etree._Element) -> tuple[Citation, ...]:
    out: list[Citation] = []
    for cit in biblio.findall("references-cited/citation"):
        c = citation_of(cit)
        if c is not None and c not in out:
            out.append(c)
    return renumber(out)
