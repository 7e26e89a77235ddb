"""EPO DOCDB exchange XML: `<exch:exchange-documents>` bulk files and single `<exch:exchange-document>`
fragments.

Bulk files are split on the exchange-document boundaries and each document is parsed on its own,
so memory stays flat whatever the file size and one broken document is quarantined alone. Every
document is prepared before parsing:

* fragments cut from bulk files use the `exch:` prefix without declaring it: the declaration is
  added to the fragment's start tag (a namespace declaration, nothing is switched off);
* DOCDB text uses the character entities of its DTD (`&ccaron;`, `&SACUTE;`, `&ndash;`): known
  names become numeric character references, exactly what the DTD would have expanded them to.
  Entity *declarations* are still refused by the safe parser.

`exchange_publication()` turns one exchange-document into a `Publication`; the OPS reader uses it
for the exchange-documents inside its responses.

Formats inside a document: DOCDB repeats references and parties in several `data-format`s
(docdb, epodoc, docdba, original). The standardized one is taken consistently (docdb, or epodoc
in OPS responses, whose names are the docdb names plus `[CC]`), falling back to docdba and then
original only where no standardized entry exists, so a party is never listed twice.
"""

from __future__ import annotations

import html.entities
import re
from typing import IO, ClassVar, Iterator

from lxml import etree

from ...errors import InvalidNumber, RecordError
from ...model import (
    SOURCE_RANK,
    Citation,
    Classification,
    Identifier,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
    renumber,
)
from ...normalize import clean_name, clean_text, ipc_from_parts, lang_code, lenient_date
from ..base import Outcome, Skipped, Source, register
from ..xmlreader import NotAPatent, XmlReader
from ..xmlsafe import check_prolog, local, strip_ns
from .epo_pubserver import (
    block_lines,
    canonical_parts,
    classification_from_text,
    doc_type_for,
    family_from,
    flat_text,
    required_date,
    unique_classes,
)

EXCHANGE_NS = "http://www.epo.org/exchange"

# ------------------------------------------------------------------ preparing fragments

_START = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?exchange-document)(?=[\s>/])")
_USED_PREFIX = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_ENTITY_REF = re.compile(rb"&([A-Za-z][\w.]*);")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})

# ISO 8879 Greek letters (isogrk1), which DOCDB's DTD includes and HTML does not
_GREEK = dict(zip(
    ("a", "b", "g", "d", "e", "z", "ee", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "t", "u",
     "ph", "kh", "ps", "oh"),
    "αβγδεζηθικλμνξοπρστυφχψω"))


def entity_text(name: str) -> str | None:
    """The characters a DOCDB entity name stands for, or None when unknown.

    DOCDB's DTD is the ISO/HTML entity set plus upper-case aliases (`SACUTE` for `Sacute`,
    `NDASH` for `ndash`) and the ISO Greek set (`agr`, `EEgr`)."""
    for candidate in (name, name[:1] + name[1:].lower(), name.lower()):
        found = html.entities.html5.get(candidate + ";")
        if found:
            return found
    if name.lower() == "sfgr":
        return "ς"
    if name.lower().endswith("gr"):
        letter = _GREEK.get(name[:-2].lower())
        if letter:
            return letter.upper() if name[:1].isupper() else letter
    return None


def resolve_entities(data: bytes) -> bytes:
    """Replace DOCDB character entities by numeric character references; unknown ones are left for
    the safe parser's lenient pass, which keeps them as text."""
    if b"&" not in data:
        return data

    def sub(m: re.Match[bytes]) -> bytes:
        if m.group(1) in _XML_ENTITIES:
            return m.group(0)
        text = entity_text(m.group(1).decode("ascii", "replace"))
        if text is None:
            return m.group(0)
        return b"".join(b"&#%d;" % ord(ch) for ch in text)

    return _ENTITY_REF.sub(sub, data)


def declare_prefixes(fragment: bytes) -> bytes:
    """Declare on the first start tag every prefix the fragment uses without declaring it."""
    used = {p for pair in _USED_PREFIX.findall(fragment) for p in pair if p}
    missing = sorted(p for p in used if p not in (b"xml", b"xmlns") and b"xmlns:" + p + b"=" not in fragment)
    if not missing:
        return fragment
    m = re.search(rb"<[A-Za-z_][\w.:-]*", fragment)
    if not m:
        return fragment
    decls = b"".join(
        b' xmlns:%s="%s"' % (p, EXCHANGE_NS.encode() if p == b"exch" else b"urn:patentdesk:undeclared:" + p)
        for p in missing)
    return fragment[:m.end()] + decls + fragment[m.end():]


def _declared_encoding(head: bytes) -> bytes | None:
    m = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([\w.-]+)[\"']", head.lstrip(b"\xef\xbb\xbf"))
    if m and m.group(1).lower().replace(b"-", b"") != b"utf8":
        return m.group(1)
    return None


def split_exchange_documents(stream: IO[bytes], chunk_size: int = 1 << 20) -> Iterator[tuple[int, bytes]]:
    """Yield (position, bytes) for each `<exchange-document>` element of a DOCDB file, prefixed or
    not, reading the stream in chunks. A truncated last document is yielded as is (it fails to
    parse and is quarantined)."""
    buf = b""
    end_tag: bytes | None = None
    position = 0
    while True:
        chunk = stream.read(chunk_size)
        buf += chunk
        while True:
            m = _START.search(buf)
            if not m:
                break
            if end_tag is None:
                end_tag = b"</" + m.group(1) + b">"
            end = buf.find(end_tag, m.end())
            if end < 0:
                buf = buf[m.start():]
                break
            position += 1
            yield position, buf[m.start():end + len(end_tag)]
            buf = buf[end + len(end_tag):]
        if not chunk:
            break
        if not _START.search(buf):
            buf = buf[-80:]  # a start tag may straddle two chunks
    m = _START.search(buf)
    if m:
        yield position + 1, buf[m.start():]


# ------------------------------------------------------------------ one exchange-document

def exchange_publication(doc: etree._Element, *, source_rank: int, provenance: Provenance | None,
                         family_id: str | None = None) -> Publication:
    """A `Publication` from one namespace-stripped `<exchange-document>` (DOCDB or OPS).

    Raises `NotAPatent` for a deleted document (status D), `RecordError`/`InvalidNumber` for a
    document without a usable number or with a junk publication date."""
    if (doc.get("status") or "").upper() == "D":
        raise NotAPatent("DOCDB marks this document as deleted (status D)")
    biblio = doc.find("bibliographic-data")
    pub_ref = document_id(biblio.find("publication-reference")) if biblio is not None else None
    country = doc.get("country") or (pub_ref or {}).get("country")
    raw_number = doc.get("doc-number") or (pub_ref or {}).get("doc-number")
    kind = doc.get("kind") or (pub_ref or {}).get("kind")
    number, country, doc_number, kind = canonical_parts(country, raw_number, kind)
    pub_date = required_date((pub_ref or {}).get("date") or doc.get("date-publ"), "publication date")
    app = document_id(biblio.find("application-reference")) if biblio is not None else None
    app_number = (app or {}).get("doc-number")
    app_country = (app or {}).get("country") or (country if app_number else None)
    app_date = lenient_date((app or {}).get("date"))
    priorities = _priorities(biblio)
    dates = [p.date for p in priorities if p.date]
    fam = doc.get("family-id") or family_id
    lang = _language(doc, biblio)
    identifiers = (Identifier("docdb", doc.get("doc-id") or ""),) if doc.get("doc-id") else ()
    return Publication(
        number=number, country=country, doc_number=doc_number, kind=kind,
        doc_type=doc_type_for(country, kind, _granted(biblio)),
        publication_date=pub_date,
        application_number=app_number, application_date=app_date, application_country=app_country,
        priorities=priorities,
        earliest_priority_date=min(dates) if dates else app_date,
        texts=_texts(doc, biblio),
        parties=_parties(biblio),
        classifications=_classes(biblio),
        citations=_citations(biblio),
        family_id=fam or family_from(priorities, (app_country, app_number)),
        family_source="source" if fam else ("priorities" if (priorities or app_number) else None),
        identifiers=identifiers,
        lang=lang,
        source_rank=source_rank,
        provenance=provenance,
    )


_FORMAT_PREFERENCE = ("docdb", "epodoc", "docdba", "original")


def _format_of(el: etree._Element, parent: etree._Element | None = None) -> str:
    fmt = el.get("document-id-type") or el.get("data-format")
    if not fmt and parent is not None:
        fmt = parent.get("data-format")
    return (fmt or "docdb").lower()


def document_id(ref: etree._Element | None) -> dict[str, str] | None:
    """Fields of the best document-id of a reference: docdb format first (country, doc-number,
    kind, date), with an epodoc number split into country and number when nothing better exists.
    A date missing from the chosen format is taken from another (OPS dates only the epodoc one)."""
    if ref is None:
        return None
    by_format: dict[str, dict[str, str]] = {}
    for did in ref.findall("document-id"):
        fields = {local(c.tag): clean_text(flat_text(c)) or "" for c in did if isinstance(c.tag, str)}
        by_format.setdefault(_format_of(did, ref), {k: v for k, v in fields.items() if v})
    dates = [f["date"] for f in by_format.values() if f.get("date")]
    for fmt in _FORMAT_PREFERENCE:
        fields = dict(by_format.get(fmt) or {})
        if not fields.get("doc-number"):
            continue
        if fmt == "epodoc" and "country" not in fields and re.match(r"^[A-Z]{2}\w", fields["doc-number"]):
            fields["country"], fields["doc-number"] = fields["doc-number"][:2], fields["doc-number"][2:]
        if "date" not in fields and dates:
            fields["date"] = dates[0]
        return fields
    return None


def _language(doc: etree._Element, biblio: etree._Element | None) -> str | None:
    if biblio is not None:
        for tag in ("language-of-publication", "language-of-filing"):
            value = flat_text(biblio.find(tag))
            if value:
                return lang_code(value)
        ref = biblio.find("publication-reference")
        did = ref.find("document-id") if ref is not None else None
        if did is not None and did.get("lang"):
            return lang_code(did.get("lang"))
    return None


def _granted(biblio: etree._Element | None) -> bool | None:
    """DOCDB's dates-of-public-availability says whether the document was printed with a grant."""
    dates = biblio.find("dates-of-public-availability") if biblio is not None else None
    if dates is None:
        return None
    tags = {local(c.tag) for c in dates if isinstance(c.tag, str)}
    if "printed-with-grant" in tags:
        return True
    if any(t.endswith("without-grant") for t in tags):
        return False
    return None


def _priorities(biblio: etree._Element | None) -> tuple[Priority, ...]:
    if biblio is None:
        return ()
    claims = biblio.findall("priority-claims/priority-claim")
    # DOCDB repeats every claim per data-format and numbers them per format in different orders:
    # keep one format. OPS marks formats on the document-ids inside each claim instead.
    formats = {(c.get("data-format") or "").lower() for c in claims} - {""}
    chosen = next((f for f in _FORMAT_PREFERENCE if f in formats), None)
    out: list[Priority] = []
    for claim in claims:
        if chosen and (claim.get("data-format") or "").lower() != chosen:
            continue
        fields = document_id(claim)
        if not fields:
            continue
        out.append(Priority(country=fields.get("country"), number=fields["doc-number"],
                            date=lenient_date(fields.get("date")), kind=fields.get("kind")))
    return renumber(out)


def _texts(doc: etree._Element, biblio: etree._Element | None) -> tuple[Text, ...]:
    texts: list[Text] = []
    if biblio is not None:
        texts.extend(_by_language("title", biblio.findall("invention-title"), inline=True))
    texts.extend(_by_language("abstract", doc.findall("abstract"), inline=False))
    return tuple(texts)


def _by_language(kind: str, elements: list[etree._Element], *, inline: bool) -> list[Text]:
    """One text per language; elements with a language win over the untagged original (which
    often concatenates several languages)."""
    tagged = [e for e in elements if e.get("lang")]
    chosen = tagged or elements[:1]
    out: list[Text] = []
    seen: set[str] = set()
    for el in chosen:
        lang = text_lang(el.get("lang"))
        if lang in seen:
            continue
        text = flat_text(el) if inline else block_lines(el, ("p",))
        if text:
            seen.add(lang)
            out.append(Text(kind, lang, text))
    return out


def text_lang(value: str | None) -> str:
    """Language of a title or abstract; OPS writes "ol" for "original language", which names none."""
    return "und" if (value or "").strip().lower() == "ol" else lang_code(value)


_ROLES = (("applicants/applicant", "applicant-name", "applicant"),
          ("inventors/inventor", "inventor-name", "inventor"),
          ("agents/agent", "agent-name", "agent"))
_BRACKET_COUNTRY = re.compile(r"\s*\[([A-Z]{2})\]\s*$")


def _parties(biblio: etree._Element | None) -> tuple[Party, ...]:
    if biblio is None:
        return ()
    out: list[Party] = []
    for path, name_tag, role in _ROLES:
        entries = biblio.findall(f"parties/{path}")
        by_format: dict[str, list[etree._Element]] = {}
        for e in entries:
            by_format.setdefault(_format_of(e), []).append(e)
        chosen = next((f for f in _FORMAT_PREFERENCE if by_format.get(f)), None)
        if chosen is None:
            continue
        # the standardized format carries the residence; other formats borrow it by sequence
        residence = {e.get("sequence"): flat_text(e.find("residence/country"))
                     for fmt in ("docdb", "epodoc") for e in by_format.get(fmt, [])}
        seen: set[str] = set()
        for e in by_format[chosen]:
            name = clean_name(flat_text(e.find(f"{name_tag}/name")) or flat_text(e.find("name")))
            if not name:
                continue
            country = flat_text(e.find("residence/country")) or residence.get(e.get("sequence"))
            m = _BRACKET_COUNTRY.search(name)
            if m:
                country = country or m.group(1)
                name = clean_name(name[:m.start()]) or name
            if name.casefold() in seen:
                continue
            seen.add(name.casefold())
            out.append(Party(name=name, role=role, sequence=len(seen), country=country or None))
    return tuple(out)


def _classes(biblio: etree._Element | None) -> tuple[Classification, ...]:
    if biblio is None:
        return ()
    found: list[Classification] = []
    for el in biblio.findall("classifications-ipcr/classification-ipcr"):
        c = classification_from_text("ipc", flat_text(el.find("text")) or flat_text(el))
        if c:
            found.append(c)
    for ipc in biblio.findall("classification-ipc"):
        for tag, value in (("main-classification", "F"), ("further-classification", "L"), ("text", None)):
            for el in ipc.findall(tag):
                c = classification_from_text("ipc", flat_text(el))
                if c:
                    found.append(Classification(scheme="ipc", symbol=c.symbol, value=value))
    for el in biblio.findall("patent-classifications/patent-classification"):
        c = _patent_classification(el)
        if c:
            found.append(c)
    return unique_classes(found)


def _patent_classification(el: etree._Element) -> Classification | None:
    scheme_el = el.find("classification-scheme")
    scheme = (scheme_el.get("scheme") if scheme_el is not None else None) or ""
    symbol_text = flat_text(el.find("classification-symbol"))
    if scheme.upper().startswith("CPC"):
        parsed = classification_from_text("cpc", symbol_text)
        symbol = parsed.symbol if parsed else None
        if symbol is None:
            # OPS spells the symbol out in parts
            symbol = ipc_from_parts(*(flat_text(el.find(t)) for t in ("section", "class", "subclass", "main-group",
                                                                        "subgroup")))
        if not symbol:
            return None
        return Classification(scheme="cpc", symbol=symbol, value=flat_text(el.find("classification-value")))
    if scheme.upper() in ("UC", "USC") and symbol_text:
        return Classification(scheme="national", symbol=symbol_text.replace(" ", ""), country="US")
    if scheme.upper() == "FI" and symbol_text:
        return Classification(scheme="fi", symbol=symbol_text)
    return None


_CITED_BY_PHASE = {
    "app": "applicant", "applicant": "applicant",
    "sea": "examiner", "isr": "examiner", "exa": "examiner", "sup": "examiner", "isa": "examiner",
    "ipe": "examiner", "prs": "examiner", "search": "examiner", "examination": "examiner",
    "national-search-report": "examiner", "national-examination": "examiner",
    "international-search-report": "examiner", "examiner": "examiner",
    "opp": "third-party", "tpo": "third-party", "opposition": "third-party", "third-party": "third-party",
}


def cited_by_of(citation: etree._Element) -> str | None:
    for value in (citation.get("cited-by"), citation.get("cited-phase")):
        mapped = _CITED_BY_PHASE.get((value or "").lower())
        if mapped:
            return mapped
    return None


def _citations(biblio: etree._Element | None) -> tuple[Citation, ...]:
    if biblio is None:
        return ()
    out: list[Citation] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for cit in biblio.findall("references-cited/citation"):
        c = citation_of(cit)
        if c is None:
            continue
        key = (c.cited_number or c.text or "", c.cited_by, c.category)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return renumber(out)


def citation_of(cit: etree._Element) -> Citation | None:
    """One `<citation>` (patcit or nplcit), with who cited it and the search-report category."""
    categories: list[str] = []
    for el in cit.findall("category"):
        value = flat_text(el)
        if value and value not in categories:
            categories.append(value)
    category = "".join(categories) or None
    cited_by = cited_by_of(cit)
    patcit = cit.find("patcit")
    if patcit is not None:
        fields = document_id(patcit) or {}
        cc = fields.get("country")
        num = fields.get("doc-number")
        cited_number = None
        if cc and num:
            try:
                cited_number = canonical_parts(cc, num, fields.get("kind"))[0]
            except InvalidNumber:
                cited_number = None
        # the register's patcit text is the search-report passage: the number reads better
        text = patcit.get("dnum") or "".join(p for p in (cc, num, fields.get("kind")) if p) or \
            flat_text(patcit.find("text"))
        if not (cited_number or text):
            return None
        return Citation(kind="patent", cited_number=cited_number, cited_country=cc,
                        cited_date=lenient_date(fields.get("date")), text=text, cited_by=cited_by,
                        category=category)
    nplcit = cit.find("nplcit")
    if nplcit is not None:
        text = flat_text(nplcit.find("text")) or flat_text(nplcit)
        if text:
            return Citation(kind="npl", text=text, cited_by=cited_by, category=category)
    return None


# ------------------------------------------------------------------ the reader

@register
class EpoDocdbReader(XmlReader):
    name: ClassVar[str] = "epo-docdb"
    description: ClassVar[str] = "EPO DOCDB exchange XML (<exch:exchange-documents>, <exch:exchange-document>)"
    roots: ClassVar[tuple[str, ...]] = ("exchange-documents", "exchange-document")
    concatenated: ClassVar[bool] = False

    def sniff(self, source: Source, head: bytes) -> bool:
        # DOCDB deliveries ship their entity DTD beside the data: recognise it to say what it is
        if source.name.lower().endswith(".dtd"):
            return b"<!ENTITY" in head or b"<!ELEMENT" in head
        return super().sniff(source, head)

    def read(self, source: Source) -> Iterator[Outcome]:
        if source.name.lower().endswith(".dtd"):
            yield Skipped(1, None, "document type definition (DTD): declarations used by XML files, "
                                   "not a patent document")
            return
        yield from super().read(source)

    def documents(self, source: Source) -> Iterator[tuple[int, int, bytes]]:
        head = source.head(65536)
        check_prolog(head)
        encoding = _declared_encoding(head)
        found = False
        with source.open() as stream:
            for position, fragment in split_exchange_documents(stream):
                found = True
                data = declare_prefixes(resolve_entities(fragment))
                if encoding:
                    data = b'<?xml version="1.0" encoding="%s"?>' % encoding + data
                yield position, 1, data
        if not found:
            raise RecordError("no <exchange-document> element in this DOCDB file")

    def record_label(self, root: etree._Element) -> str | None:
        parts = [root.get("country"), root.get("doc-number"), root.get("kind")]
        return "".join(p for p in parts if p) or None

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        strip_ns(root)
        if local(root.tag) != "exchange-document":
            raise RecordError(f"expected <exchange-document>, found <{local(root.tag)}>")
        return exchange_publication(
            root, source_rank=SOURCE_RANK["official-biblio"],
            provenance=Provenance(source=self.name, file=source.name, position=position))


__all__ = ["EpoDocdbReader", "citation_of", "cited_by_of", "declare_prefixes", "document_id", "entity_text",
           "exchange_publication", "resolve_entities", "split_exchange_documents"]
