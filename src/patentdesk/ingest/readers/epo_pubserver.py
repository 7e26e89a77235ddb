"""EPO publication server full text: one `<ep-patent-document>` per file (DTD v1-0 to v1-5-1).

The bibliography sits in `<SDOBI>` under WIPO ST.9 INID tags: B110/B130/B140 publication,
B210/B220 application, B300 priorities (B310 number, B320 date, B330 country, repeated as flat
siblings), B510EP IPCR text or B511/B512 edition-prefixed IPC, B520EP CPC, B540 titles
(B541 language then B542 text), B560 citations (B561 patents as printed, B562 literature),
B711 applicants, B721 inventors, B731 proprietors, B741 representatives. Abstract, description and
claims (one `<claims lang=..>` per language on grants) follow SDOBI; the `ep-reference-list`
holds the patent documents the applicant cited in the description.

Several helpers here (`flat_text`, `claims_text`, `doc_type_for`, `docdb_number`, `cited_from_text`,
`classification_from_text`) are shared with the DOCDB and OPS readers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar, Iterator

from lxml import etree

from ...errors import InvalidNumber, RecordError, UnsafeInput
from ...model import (
    SOURCE_RANK,
    Citation,
    Classification,
    DocType,
    Party,
    Priority,
    Provenance,
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
    ipc_symbol,
    lang_code,
    lenient_date,
    parse_date,
)
from ..base import Source, register
from ..xmlreader import XmlReader
from ..xmlsafe import local, parse

# ------------------------------------------------------------------ text helpers (shared)

# Elements that separate words; everything else (b, i, sub, sup, figref ...) is inline, so that
# "CF<sub>2</sub>" stays "CF2" while nested claim-texts or list items get a space between them.
_BLOCK_TAGS = frozenset({
    "p", "heading", "claim-text", "claim", "li", "ul", "ol", "dl", "dt", "dd", "br", "table", "tables",
    "tgroup", "row", "entry", "tr", "td", "th", "maths", "chemistry", "img", "figure", "description-of-drawings",
})


def flat_text(el: etree._Element | None) -> str | None:
    """All text below `el` on one line: inline markup joined without spaces, blocks separated."""
    if el is None:
        return None
    parts: list[str] = []
    _walk(el, parts)
    return clean_text("".join(parts))


def _walk(el: etree._Element, parts: list[str]) -> None:
    block = local(el.tag) in _BLOCK_TAGS
    if block:
        parts.append(" ")
    if el.text and isinstance(el.tag, str):
        parts.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


def block_lines(el: etree._Element | None, tags: tuple[str, ...] = ("p", "heading")) -> str | None:
    """One line per outermost block element (paragraphs, headings); inline text otherwise."""
    if el is None:
        return None
    lines: list[str] = []
    _collect_blocks(el, tags, lines)
    if not lines:
        return flat_text(el)
    return "\n".join(lines)


def _collect_blocks(el: etree._Element, tags: tuple[str, ...], lines: list[str]) -> None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if local(child.tag) in tags:
            t = flat_text(child)
            if t:
                lines.append(t)
        else:
            _collect_blocks(child, tags, lines)


# "12." or "12)" followed by text, not "2.5 mm"
CLAIM_NUMBER = re.compile(r"^\s*(\d+)\s*[.)](?=\s|[^\W\d_]|\()")


def claims_text(claims: etree._Element | None) -> str | None:
    """Claims as "1. ...\\n2. ..." from `<claim num=..>` elements; a claim already numbered in its
    text keeps its own number."""
    if claims is None:
        return None
    lines: list[str] = []
    for i, claim in enumerate((c for c in claims if local(c.tag) == "claim"), 1):
        body = flat_text(claim)
        if not body:
            continue
        if CLAIM_NUMBER.match(body):
            lines.append(body)
            continue
        num = (claim.get("num") or "").strip()
        n = int(num) if num.isdigit() else i
        lines.append(f"{n}. {body}")
    return "\n".join(lines) or None


# ------------------------------------------------------------------ numbers and kinds (shared)

def docdb_number(country: str, number: str, kind: str | None) -> str:
    """DOCDB writes US pre-grant publications as year + 6 digits (`2008197955`); the canonical form
    keeps the 7-digit serial (`20080197955`)."""
    digits = re.sub(r"[\s/.,-]", "", number)
    if country == "US" and (kind or "").upper() in ("A1", "A2", "A9") and re.fullmatch(r"(19|20)\d{8}", digits):
        return digits[:4] + "0" + digits[4:]
    return number


def canonical_parts(country: str | None, number: str | None, kind: str | None) -> tuple[str, str, str, str | None]:
    """(canonical number, country, doc_number, kind) for a document-id; raises InvalidNumber."""
    cc = (country or "").strip().upper()
    raw = (number or "").strip()
    k = (kind or "").strip().upper() or None
    if not cc or not raw:
        raise InvalidNumber(f"incomplete publication number: country {country!r}, number {number!r}")
    raw = docdb_number(cc, raw, k)
    canonical = canonical_number(cc, raw, k)
    return canonical, cc, clean_doc_number(cc, raw), k


def doc_type_for(country: str, kind: str | None, granted: bool | None = None) -> str:
    """Document type from office and kind code; `granted` (DOCDB's dates-of-public-availability)
    settles the kinds whose meaning changed over time (an ARIPO A is a grant, a German B of the
    1960s an examined application)."""
    k = (kind or "").upper()
    letter = k[:1]
    if letter in ("U", "Y") and country not in ("US",):
        return DocType.UTILITY_MODEL.value
    if letter == "S":
        return DocType.DESIGN.value
    if country == "US":
        if letter == "E":
            return DocType.REISSUE.value
        if letter == "P":
            return DocType.PLANT.value if k != "P1" else DocType.APPLICATION.value
        if letter == "H":
            return DocType.SIR.value
        if k == "A" and granted is None:
            return DocType.GRANT.value  # US grants before 2001 carry kind A
    if country in ("EP", "WO") and k in ("A3", "A4"):
        return DocType.SEARCH_REPORT.value
    if granted is True:
        return DocType.GRANT.value
    if granted is False and letter in ("A", "B", "C"):
        return DocType.APPLICATION.value
    if letter == "A":
        return DocType.APPLICATION.value
    if letter in ("B", "C"):
        return DocType.GRANT.value
    return DocType.OTHER.value


_PRINTED_CITATION = re.compile(r"^\s*([A-Z]{2})\s*-\s*([A-Z][0-9]?)\s*-\s*(.+?)\s*$")


def cited_from_text(text: str) -> tuple[str | None, str | None]:
    """(canonical number, country) for a citation printed as `EP-A1- 3 109 871` or `WO-A-03/008444`;
    (None, country or None) when it does not parse."""
    m = _PRINTED_CITATION.match(text)
    if not m:
        return None, None
    cc, kind, rest = m.groups()
    number = re.sub(r"[\s/.,]", "", rest)
    try:
        return canonical_parts(cc, number, kind)[0], cc
    except InvalidNumber:
        return None, cc


# IPCR / CPC text form: symbol, version date, level (A/C/S or blank), position (F/L), value (I/N/A)
_CLASS_TEXT = re.compile(r"^\s*([A-HY]\s*\d{2}\s*[A-Z]\s*\d{1,4}\s*/\s*\d{1,6})"
                         r"\s*(\d{8})?\s?([ACS ])?\s*([FL])?\s*([INA])?")
# IPC 1st-7th edition text: edition digit, symbol, A (main) / B (further) / - (index)
_EDITION_IPC = re.compile(r"^\s*(\d{1,2})?\s*([A-HY]\s*\d{2}\s*[A-Z]\s*\d{1,4}\s*/\s*\d{1,6})")


def classification_from_text(scheme: str, text: str | None) -> Classification | None:
    """A classification from its fixed text form (`H01F  27/14  20060101AFI20171122BHEP`,
    `B05B 7/ 00 A I`, ` 7C 07C  29/44   A`); None when no symbol is found."""
    if not text:
        return None
    m = _CLASS_TEXT.match(text)
    if m:
        symbol = ipc_symbol(m.group(1))
        if not symbol:
            return None
        level = (m.group(3) or "").strip() or None
        return Classification(scheme=scheme, symbol=symbol, version=m.group(2), level=level, value=m.group(5))
    m = _EDITION_IPC.match(text)
    if m:
        symbol = ipc_symbol(m.group(2))
        return Classification(scheme=scheme, symbol=symbol) if symbol else None
    symbol = ipc_symbol(text)
    return Classification(scheme=scheme, symbol=symbol) if symbol else None


def unique_classes(items: list[Classification]) -> tuple[Classification, ...]:
    """First occurrence of each (scheme, symbol), renumbered 1..n."""
    seen: set[tuple[str, str]] = set()
    out: list[Classification] = []
    for c in items:
        key = (c.scheme, c.symbol)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return renumber(out)


def required_date(value: str | None, what: str) -> dt.date | None:
    """A date the record needs: junk is a broken record, not a missing value."""
    try:
        return parse_date(value)
    except ValueError:
        raise RecordError(f"{what} is not a date: {value!r}") from None


def family_from(priorities: tuple[Priority, ...], application: tuple[str | None, str | None]) -> str | None:
    """Simple-family key from the priority claims, else from the application itself."""
    keys = [(p.country, p.number) for p in priorities if p.number]
    if not keys and application[1]:
        keys = [(application[0], application[1])]
    return family_key_from_priorities(keys)


# ------------------------------------------------------------------ the reader

# A `<` that is followed by a name but meets another `<` before any `>` cannot start markup: it is
# text whose `&lt;` was decoded by a careless re-serialisation (`<heading><First Embodiment</heading>`).
_STRAY_LT = re.compile(rb"<(?=[A-Za-z][^<>]*<)")


def escape_stray_lt(data: bytes) -> bytes:
    """Escape stray `<` in a document that does not parse; a document that parses is returned as is."""
    if not _STRAY_LT.search(data):
        return data
    try:
        parse(data)
        return data
    except UnsafeInput:
        return data  # refused again, with its reason, when the reader parses it
    except RecordError:
        return _STRAY_LT.sub(b"&lt;", data)


@register
class EpoPubServerReader(XmlReader):
    name: ClassVar[str] = "epo-pubserver"
    description: ClassVar[str] = "EPO publication server full text (<ep-patent-document>, A and B publications)"
    roots: ClassVar[tuple[str, ...]] = ("ep-patent-document",)
    concatenated: ClassVar[bool] = False

    def documents(self, source: Source) -> Iterator[tuple[int, int, bytes]]:
        for position, line, data in super().documents(source):
            yield position, line, escape_stray_lt(data)

    def record_label(self, root: etree._Element) -> str | None:
        parts = [root.get("country"), root.get("doc-number"), root.get("kind")]
        return "".join(p for p in parts if p) or None

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        if local(root.tag) != "ep-patent-document":
            raise RecordError(f"expected <ep-patent-document>, found <{local(root.tag)}>")
        sdobi = root.find("SDOBI")
        if sdobi is None:
            raise RecordError("no SDOBI bibliography in the document")
        country = root.get("country") or _text(sdobi, "B100/B190") or "EP"
        raw_number = root.get("doc-number") or _text(sdobi, "B100/B110")
        kind = root.get("kind") or _text(sdobi, "B100/B130")
        number, country, doc_number, kind = canonical_parts(country, raw_number, kind)
        pub_date = required_date(_text(sdobi, "B100/B140/date") or root.get("date-publ"), "publication date (B140)")
        app_number = _text(sdobi, "B200/B210")
        app_date = required_date(_text(sdobi, "B200/B220/date"), "application date (B220)")
        priorities = _priorities(sdobi)
        dates = [p.date for p in priorities if p.date]
        lang = lang_code(root.get("lang") or sdobi.get("lang") or _text(sdobi, "B200/B260"))
        return Publication(
            number=number, country=country, doc_number=doc_number, kind=kind,
            doc_type=doc_type_for(country, kind),
            publication_date=pub_date,
            application_number=app_number, application_date=app_date,
            application_country=country if app_number else None,
            priorities=priorities,
            earliest_priority_date=min(dates) if dates else app_date,
            texts=_texts(root, sdobi, lang),
            parties=_parties(sdobi),
            classifications=_classes(sdobi),
            citations=_citations(root, sdobi),
            family_id=family_from(priorities, (country, app_number)),
            family_source="priorities",
            lang=lang,
            source_rank=SOURCE_RANK["official-fulltext"],
            provenance=Provenance(source=self.name, file=source.name, position=position),
        )


def _text(el: etree._Element, path: str) -> str | None:
    return clean_text(flat_text(el.find(path)))


def _priorities(sdobi: etree._Element) -> tuple[Priority, ...]:
    """B300 repeats B310/B320/B330 as flat siblings; each B310 starts a new claim."""
    out: list[Priority] = []
    current: dict[str, str | None] = {}

    def flush() -> None:
        if current.get("number"):
            out.append(Priority(country=current.get("country"), number=current["number"] or "",
                                date=lenient_date(current.get("date"))))

    for b300 in sdobi.findall("B300"):
        for el in b300:
            tag = local(el.tag)
            if tag == "B310":
                flush()
                current = {"number": flat_text(el)}
            elif tag == "B320":
                current["date"] = flat_text(el.find("date")) or flat_text(el)
            elif tag == "B330":
                current["country"] = (flat_text(el.find("ctry")) or flat_text(el) or "").upper() or None
        flush()
        current = {}
    return renumber(out)


def _texts(root: etree._Element, sdobi: etree._Element, lang: str) -> tuple[Text, ...]:
    texts: list[Text] = []
    title_lang: str | None = None
    for b540 in sdobi.findall("B500/B540"):
        for el in b540:
            tag = local(el.tag)
            if tag == "B541":
                title_lang = flat_text(el)
            elif tag == "B542":
                t = flat_text(el)
                if t:
                    texts.append(Text("title", lang_code(title_lang or lang), t))
    for abstract in root.findall("abstract"):
        t = block_lines(abstract, ("p",))
        if t:
            texts.append(Text("abstract", lang_code(abstract.get("lang") or lang), t))
    for claims in root.findall("claims"):
        t = claims_text(claims)
        if t:
            texts.append(Text("claims", lang_code(claims.get("lang") or lang), t))
    for description in root.findall("description"):
        t = block_lines(description)
        if t:
            texts.append(Text("description", lang_code(description.get("lang") or lang), t))
    return tuple(texts)


# INID party groups: (group, member, role); opponents (B781) and their agents are not parties here
_PARTY_TAGS = (("B710", "B711", "applicant"), ("B720", "B721", "inventor"), ("B730", "B731", "owner"),
               ("B740", "B741", "agent"))


def _parties(sdobi: etree._Element) -> tuple[Party, ...]:
    parties: list[Party] = []
    for group, member, role in _PARTY_TAGS:
        seq = 0
        for el in sdobi.findall(f"B700/{group}/{member}"):
            name = clean_name(flat_text(el.find("snm")))
            if not name:
                continue
            seq += 1
            adr = el.find("adr")
            country = _text(adr, "ctry") if adr is not None else None
            parties.append(Party(
                name=name, role=role, sequence=seq,
                country=country.upper() if country else None,
                city=_text(adr, "city") if adr is not None else None,
                address=_text(adr, "str") if adr is not None else None,
            ))
    return tuple(parties)


def _classes(sdobi: etree._Element) -> tuple[Classification, ...]:
    found: list[Classification] = []
    for el in sdobi.findall("B500/B510EP/classification-ipcr"):
        c = classification_from_text("ipc", flat_text(el.find("text")) or flat_text(el))
        if c:
            found.append(c)
    for b510 in sdobi.findall("B500/B510"):
        # B511 main, B512 further, B513 indexing symbols, each prefixed with the IPC edition
        for tag, value in (("B511", "F"), ("B512", "L"), ("B513", "L")):
            for el in b510.findall(tag):
                c = classification_from_text("ipc", flat_text(el))
                if c:
                    found.append(Classification(scheme="ipc", symbol=c.symbol, value=value))
    for el in sdobi.findall("B500/B520EP/classifications-cpc/classification-cpc"):
        c = classification_from_text("cpc", flat_text(el.find("text")) or flat_text(el))
        if c:
            found.append(c)
    return unique_classes(found)


def _citations(root: etree._Element, sdobi: etree._Element) -> tuple[Citation, ...]:
    """B560: documents cited in the search and examination (examiner); the `ep-reference-list`:
    documents the applicant cited in the description."""
    cites: list[Citation] = []
    for b560 in sdobi.findall("B500/B560"):
        for el in b560:
            tag = local(el.tag)
            text = flat_text(el)
            if not text:
                continue
            if tag == "B561":
                patcit = el.find("patcit")
                if patcit is not None and patcit.find("document-id") is not None:
                    cites.append(_patcit(patcit, "examiner", text))
                    continue
                number, cc = cited_from_text(text)
                cites.append(Citation(kind="patent", cited_number=number, cited_country=cc, text=text,
                                      cited_by="examiner"))
            elif tag == "B562":
                cites.append(Citation(kind="npl", text=text, cited_by="examiner"))
    for reflist in root.findall("ep-reference-list"):
        for patcit in reflist.iter("patcit"):
            cites.append(_patcit(patcit, "applicant", None))
        for nplcit in reflist.iter("nplcit"):
            text = flat_text(nplcit)
            if text:
                cites.append(Citation(kind="npl", text=text, cited_by="applicant"))
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    unique: list[Citation] = []
    for c in cites:
        key = (c.kind, c.cited_number, None if c.cited_number else c.text, c.cited_by)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return renumber(unique)


def _patcit(patcit: etree._Element, cited_by: str, printed: str | None) -> Citation:
    did = patcit.find("document-id")
    cc = _text(did, "country") if did is not None else None
    num = _text(did, "doc-number") if did is not None else None
    kind = _text(did, "kind") if did is not None else None
    date = lenient_date(_text(did, "date")) if did is not None else None
    text = printed or patcit.get("dnum") or "".join(p for p in (cc, num, kind) if p) or None
    cited_number = None
    # dnum-type="L" marks an application number: it names no publication
    if cc and num and patcit.get("dnum-type") != "L":
        try:
            cited_number = canonical_parts(cc, num, kind)[0]
        except InvalidNumber:
            cited_number = None
    return Citation(kind="patent", cited_number=cited_number, cited_country=cc.upper() if cc else None,
                    cited_date=date, text=text, cited_by=cited_by)
