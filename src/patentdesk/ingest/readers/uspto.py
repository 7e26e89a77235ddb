"""USPTO full-text XML: grants and application publications as the weekly bulk files ship them.

* ICE XML, DTD v4.0 (2005) to v4.7: roots `us-patent-grant` (weekly `ipgYYMMDD` files) and
  `us-patent-application` (`ipaYYMMDD`). Every document of a weekly file starts with its own
  `<?xml ...?>`; the files also hold sequence listings (`sequence-cwu`), which are skipped.
* The 2002-2004 grant format, ST.32 DTD v2.5 (root `PATDOC`, SGML-style element names such as
  B110 / B540 / B721), from the weekly `pgYYMMDD` files.
* The 2001-2004 application format pap-v1.5/v1.6 lives in `uspto_pap.py` and reuses the helpers here.

What a record holds, and where it comes from:

* number, kind, date: `publication-reference`; doc_type from the kind (B grant, S design, P plant,
  E reissue, H statutory invention registration, A application) and the `appl-type`.
* application number and date: `application-reference` (the 8-digit series + serial, "29381217").
* priorities: Paris priority claims (`priority-claims`), then the US domestic benefit claims of
  `us-related-documents`: provisional applications (kind "provisional") and the parent applications
  of continuations, continuations-in-part and divisions (kind = the relation). Including the
  domestic parents follows DOCDB, whose US priority lists carry them, so that the earliest
  priority date means what analysts expect of a US continuation. A reissue's original application
  is listed the same way (kind "reissue").
* parties: v4.0-v4.2 `parties/applicants/applicant` (app-type "applicant-inventor" makes the person
  both applicant and inventor, as the pre-2012 law had it), v4.3+ `us-parties/us-applicants` and
  `inventors`, `assignees`, attorneys (`agents`, role agent) and examiners (role examiner).
  Person names are written "Last, First".
* classifications: IPCR (version date, level, value), the older edition-7 IPC, CPC (v4.4+), US
  national classes as "class/subclass" ("D1/128", "24/30.5R", "257/E21.334"), Locarno for designs.
* citations: patent citations with a canonical number where the cited number's shape is
  unambiguous (all US numbers, WO, EP and most other offices' plain numbers; Japanese era-year
  numbers keep only their printed text), NPL text; `category` "cited by examiner / applicant /
  other / third party" becomes `cited_by`.
* identifiers: the application's earlier publication (`related-publication`), the PCT filing and
  publication, and the patent a reissue replaces.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html.entities
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar, TypeVar

from lxml import etree

from ...errors import InvalidNumber, RecordError
from ...model import (
    SOURCE_RANK,
    Citation,
    Classification,
    DocType,
    Identifier,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
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
    lenient_date,
    parse_date,
)
from ..base import Outcome, Quarantined, Source, register
from ..xmlreader import NotAPatent, XmlReader
from ..xmlsafe import local

_Numbered = TypeVar("_Numbered", Party, Classification, Citation, Priority)

GRANT_V4 = "uspto-grant-v4"
APPLICATION_V4 = "uspto-application-v4"
GRANT_V25 = "uspto-grant-v2"
APPLICATION_PAP = "uspto-application-pap"

# ------------------------------------------------------------------------------------- text

# Elements that begin a new block of text. Everything else (sub, sup, i, b, claim-ref, PDAT ...)
# is inline and joins its neighbours without a space, so "H<sub>2</sub>O" stays "H2O".
_BLOCK_TAGS = frozenset({
    "p", "heading", "claim-text", "li", "ul", "ol", "dl", "dt", "dd", "table", "tables", "row", "entry",
    "tr", "td", "th", "br", "maths", "math", "chemistry", "figure", "img", "description-of-drawings",
    "paragraph", "section", "title", "abstract", "claim", "othercit",
    # ST.32 v2.5
    "para", "h", "clm", "clmstep", "ptext", "stext", "chem-us", "math-us", "tbl", "emi",
})

# ISO 8879 Greek names used by 2001-2004 USPTO documents that HTML5 does not define ("&mgr;" = mu).
_ISO_GREEK = dict(zip(
    ("agr", "bgr", "ggr", "dgr", "egr", "zgr", "eegr", "thgr", "igr", "kgr", "lgr", "mgr", "ngr", "xgr",
     "ogr", "pgr", "rgr", "sgr", "sfgr", "tgr", "ugr", "phgr", "khgr", "psgr", "ohgr"),
    "αβγδεζηθικλμνξοπρσςτυφχψω",
))
# capitals: "Agr", "EEgr", "THgr" ...
_ISO_GREEK.update({k[:-2].upper() + "gr": v.upper() for k, v in list(_ISO_GREEK.items()) if k != "sfgr"})
# an entity reference that reached the text as characters (after the lenient repair of a document)
_LITERAL_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def entity_text(name: str) -> str:
    """The character of a named entity left unexpanded (the DTD that defines it is never loaded)."""
    bare = name.strip("&;")
    found = html.entities.html5.get(bare + ";") or _ISO_GREEK.get(bare)
    return found if found else f"&{bare};"


def _literal_entity(m: re.Match[str]) -> str:
    return entity_text(m.group(1))


# What a node's tag makes it to `flat`: an inline element (joins its neighbours), a block element
# (spaced off), an entity reference (its character), or a comment or processing instruction (no
# text). Tags repeat endlessly across documents, so the answer is kept per tag.
_INLINE, _BLOCK, _ENTITY, _NO_TEXT = 0, 1, 2, 3
_TAG_KINDS: dict[object, int] = {etree.Entity: _ENTITY, etree.Comment: _NO_TEXT, etree.ProcessingInstruction: _NO_TEXT}
_TAG_NAMES: dict[str, str] = {}
_CACHE_LIMIT = 20000  # distinct tags remembered (hostile input could invent any number)


def _tag_kind(tag: object) -> int:
    kind = _TAG_KINDS.get(tag)
    if kind is None:
        kind = (_BLOCK if _tag_name(tag) in _BLOCK_TAGS else _INLINE) if isinstance(tag, str) else _NO_TEXT
        if len(_TAG_KINDS) < _CACHE_LIMIT:
            _TAG_KINDS[tag] = kind
    return kind


def _tag_name(tag: str) -> str:
    """Local name, lower case: "{ns}P" -> "p"."""
    name = _TAG_NAMES.get(tag)
    if name is None:
        name = local(tag).lower()
        if len(_TAG_NAMES) < _CACHE_LIMIT:
            _TAG_NAMES[tag] = name
    return name


def flat(el: etree._Element | None, skip: frozenset[str] = frozenset(), pcdata: str | None = None) -> str | None:
    """All text below `el` on one line: block elements are separated by a space, inline ones are not.

    `pcdata` names the one element that holds character data in formats whose DTD gives every
    other element element-only content (PDAT in ST.32 v2.5): text outside it is layout whitespace."""
    if el is None:
        return None
    if pcdata is None and not skip:
        if type(el) is etree._Element:
            return _text(el)
        if isinstance(el.tag, str):  # an element of another class
            return _cleaned(_subtree_text(el) if len(el) else el.text or "")
    parts: list[str] = []
    _walk(el, parts, skip, pcdata, pcdata is None)
    return _cleaned("".join(parts))


def _text(el: etree._Element | None) -> str | None:
    """`flat(el)` without skips or PCDATA element: the way the ICE reader asks for every value."""
    if el is None:
        return None
    if type(el) is not etree._Element:  # a comment, entity reference, processing instruction
        return flat(el)
    if len(el):
        text = _subtree_text(el)
    else:
        text = el.text
        if not text:
            return None
    if "&" in text:
        text = _LITERAL_ENTITY.sub(_literal_entity, text)
    # clean_text, inline: this runs for every value of a document
    if text.isprintable() and "  " not in text:
        return text.strip() or None
    return " ".join(text.split()) or None


def _cleaned(text: str) -> str | None:
    """Entity names left in the text replaced by their characters, whitespace collapsed."""
    if "&" in text:
        text = _LITERAL_ENTITY.sub(_literal_entity, text)
    return clean_text(text)


def _subtree_text(el: etree._Element) -> str:
    """What `_walk` collects from an element with children (no skips, no PCDATA element): libxml2's
    own text serialization when every node below is an inline element, else `_spaced`."""
    kinds = _TAG_KINDS
    for node in el.iterdescendants():
        kind = kinds.get(node.tag)
        if kind is None:
            kind = _tag_kind(node.tag)
        if kind != _INLINE:
            parts: list[str] = []
            _spaced(el, parts)
            return "".join(parts)
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _spaced(el: etree._Element, parts: list[str]) -> None:
    """`_walk` of an element without skips or PCDATA element (everything below is text)."""
    append = parts.append
    text = el.text
    if text:
        append(text)
    kinds = _TAG_KINDS
    for child in el:
        kind = kinds.get(child.tag)
        if kind is None:
            kind = _tag_kind(child.tag)
        if kind == _INLINE or kind == _BLOCK:
            if kind == _BLOCK:
                append(" ")
            if len(child):
                _spaced(child, parts)
            else:
                text = child.text
                if text:
                    append(text)
            if kind == _BLOCK:
                append(" ")
        elif kind == _ENTITY:
            append(entity_text(str(child.text)))
        tail = child.tail
        if tail:
            append(tail)


def _walk(el: etree._Element, parts: list[str], skip: frozenset[str], pcdata: str | None, inside: bool) -> None:
    if isinstance(el, etree._Entity):
        if inside:
            parts.append(entity_text(str(el.text)))
        return
    tag = el.tag
    if not isinstance(tag, str):
        return
    name = _tag_name(tag)
    if name in skip:
        return
    inside = inside or name == pcdata
    block = name in _BLOCK_TAGS
    if block:
        parts.append(" ")
    if inside and el.text:
        parts.append(el.text)
    for child in el:
        _walk(child, parts, skip, pcdata, inside)
        if inside and child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


def blocks(el: etree._Element | None, tags: Iterable[str], skip: frozenset[str] = frozenset(),
           pcdata: str | None = None) -> list[str]:
    """Text of each outermost element named in `tags` below `el`, in document order."""
    wanted = {t.lower() for t in tags}
    out: list[str] = []
    plain = pcdata is None and not skip
    names = _TAG_NAMES

    def visit(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = names.get(tag)
            if name is None:
                name = _tag_name(tag)
            if name in wanted:
                t = _text(child) if plain else flat(child, skip, pcdata)
                if t:
                    out.append(t)
            else:
                visit(child)

    if el is not None:
        visit(el)
    return out


def lines(el: etree._Element | None, tags: Iterable[str], skip: frozenset[str] = frozenset(),
          pcdata: str | None = None) -> str | None:
    """Block texts one per line; the whole element's text when it has no such blocks."""
    if el is None:
        return None
    found = blocks(el, tags, skip, pcdata)
    if found:
        return "\n".join(found)
    return flat(el, skip, pcdata)


_CLAIM_NUMBER = re.compile(r"^\s*(\[?)\s*(\d+)\s*[.)]\s*")


def numbered_claim(number: int, text: str) -> str:
    """"1. A method ..." whether or not the source prints the number itself. A printed number wins;
    a bracketed one ("[1. A method ...]", a claim cancelled by reissue) keeps its print."""
    m = _CLAIM_NUMBER.match(text)
    if m:
        if m.group(1):
            return text
        return f"{m.group(2)}. {text[m.end():]}"
    return f"{number}. {text}"


def claims_text(claims: list[tuple[int, str]]) -> str | None:
    """One claim per line, each starting with its number."""
    return "\n".join(numbered_claim(num, text) for num, text in claims) or None


_NOT_DIGITS = re.compile(r"\D")


def int_or_none(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit():
        return int(value)  # nothing to strip
    digits = _NOT_DIGITS.sub("", value or "")
    return int(digits) if digits else None


# ------------------------------------------------------------------------------------- dates

def required_date(value: str | None, what: str) -> dt.date | None:
    """A date the record depends on: junk quarantines the record with a reason."""
    try:
        return parse_date(value)
    except ValueError:
        raise RecordError(f"{what} {value!r} is not a date") from None


# ------------------------------------------------------------------------------------- numbers

def us_application_number(value: str | None) -> str | None:
    """US application numbers as series + serial without separators: "09/505,123" -> "09505123"."""
    if not value:
        return None
    s = _NOT_ALNUM.sub("", value)
    return s.upper() or None


_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def _wo_number(raw: str, kind: str | None) -> str | None:
    """WO publication numbers in the year + 6-digit serial form: "WO 98/32856" -> WO1998032856."""
    s = re.sub(r"^W[O0][\s/-]*", "", raw.strip().upper())
    m = re.fullmatch(r"((?:19|20)\d{2})\s*/?\s*(\d{1,6})", s)
    if m:
        year, serial = m.group(1), m.group(2)
    else:
        m = re.fullmatch(r"(\d{2})\s*[/ -]?\s*(\d{5,6})", s)
        if not m:
            return None
        yy = int(m.group(1))
        # PCT publications began in 1978; two-digit years below that are 20xx
        year, serial = (f"19{yy:02d}" if yy >= 78 else f"20{yy:02d}"), m.group(2)
    return canonical_number("WO", f"{year}{int(serial):06d}", kind)


_PLAIN_DIGITS = re.compile(r"[0-9][0-9 ]*")


def cited_patent_number(country: str | None, raw: str | None, kind: str | None) -> str | None:
    """Canonical number of a cited patent document, or None when the printed number is ambiguous
    (the citation then keeps its printed text only)."""
    if not raw or not country:
        return None
    cc = country.strip().upper()
    s = raw.strip().upper()
    try:
        if cc == "US":
            return canonical_number(cc, s, kind)
        if cc == "WO":
            return _wo_number(s, kind)
        s = re.sub(rf"^{re.escape(cc)}[\s/-]*", "", s)
        digits = re.sub(r"[-\s]", "", s)
        if cc == "JP":
            # year-numbered publications ("2001-172806"); era-year numbers ("09-240426" = Heisei 9)
            # and bare 7-digit numbers without a kind (patent or design?) cannot be told apart safely
            m = re.fullmatch(r"((?:19|20)\d{2})[-/ ]?(\d{1,6})", s)
            if m and (len(m.group(2)) == 6 or not s[4].isdigit()):
                return canonical_number(cc, f"{m.group(1)}{int(m.group(2)):06d}", kind)
            if kind and re.fullmatch(r"[1-9]\d{6}", s):
                return canonical_number(cc, s, kind)
            return None
        if cc == "KR":
            # 10-2002-0080711 (13 digits), 2001-0083551 (year + 7), 10-0721515 (registration)
            ok = re.fullmatch(r"\d{13}|(?:19|20)\d{9}|\d{7,9}", digits)
            return canonical_number(cc, digits, kind) if ok else None
        if cc == "AU":
            # "199918524" is an application number (year + 5), not a publication
            ok = re.fullmatch(r"\d{5,7}|(?:19|20)\d{8}", digits) and _PLAIN_DIGITS.fullmatch(s)
            return canonical_number(cc, digits, kind) if ok else None
        if _PLAIN_DIGITS.fullmatch(s) and len(digits) <= 12:
            return canonical_number(cc, s, kind)
    except InvalidNumber:
        return None
    return None


def printed_reference(country: str | None, number: str | None, kind: str | None) -> str:
    """"US 675108 A"; the country is not repeated when the number already carries it ("WO 98/39984")."""
    num = clean_text(number) or ""
    cc = (country or "").upper()
    head = num if cc and num.upper().startswith(cc) else _spaced_pair(cc, num)
    return _spaced_pair(head, clean_text(kind))


def _spaced_pair(a: str | None, b: str | None) -> str:
    """`" ".join(x for x in (a, b) if x)`."""
    if a and b:
        return f"{a} {b}"
    return a or b or ""


_CITED_BY: dict[str | None, str | None] = {}  # a handful of categories, asked thousands of times


def cited_by(category: str | None) -> str | None:
    """"cited by examiner" -> "examiner"; also applicant, other, third party."""
    try:
        return _CITED_BY[category]
    except KeyError:
        pass
    c = (clean_text(category) or "").lower()
    if c:
        c = c.removeprefix("cited by ").strip()
    found = {"third party": "third-party"}.get(c, c) or None
    if len(_CITED_BY) < _CACHE_LIMIT:
        _CITED_BY[category] = found
    return found


# ------------------------------------------------------------------------------------- classes

def uspc_symbol(raw: str | None) -> str | None:
    """US national class from the fixed-width form of the XML: 3 characters class, 3 subclass, then
    the decimal or alpha extension. "D 1128" -> "D1/128", " 24 305 R" -> "24/30.5R",
    " 7245306" -> "72/453.06", "257E21334" -> "257/E21.334", "156DIG 14" -> "156/DIG14".
    A few files drop the class padding ("D1106" for "D 1106"); a 5-character value is read so."""
    if raw is None:
        return None
    s = raw.rstrip("\r\n\t ")
    if not s.strip():
        return None
    if "/" in s:
        cls, _, sub = s.partition("/")
        return f"{_uspc_class(cls)}/{sub.strip().replace(' ', '')}" if sub.strip() else _uspc_class(cls)
    if len(s) < 6:
        t = s.strip()
        if len(t) <= 3:
            return _uspc_class(t)
        cls, main, ext = t[:-3], t[-3:], ""
    else:
        cls, main, ext = s[:3], s[3:6], s[6:]
    return _uspc_join(_uspc_class(cls), main, ext)


def _uspc_class(cls: str) -> str:
    c = cls.strip().replace(" ", "").upper()
    m = re.fullmatch(r"([A-Z]*)0*(\d*)", c)
    if m and m.group(2):
        return m.group(1) + m.group(2)
    return c


def _uspc_join(cls: str, main: str, ext: str) -> str:
    sub = main.strip()
    if sub.isdigit():
        sub = str(int(sub))
    ext = ext.replace(" ", "")
    if not sub:
        return cls
    if sub.upper() == "DIG":
        return f"{cls}/DIG{ext.lstrip('0') or ext}"
    m = re.fullmatch(r"(\d*)(.*)", ext)
    # decimal subclasses are decimals: "1.000" in zero-padded files is subclass 1, "30.50" is 30.5
    digits, alpha = (m.group(1).rstrip("0"), m.group(2)) if m else ("", ext)
    out = f"{cls}/{sub}"
    if digits:
        out += "." + digits
    return out + alpha


def ipc_fixed_width(raw: str | None) -> str | None:
    """IPC (edition 1-7) as printed in USPTO files: "A45F  504" -> "A45F5/04", "H01L 21302" -> H01L21/302."""
    if raw is None:
        return None
    s = raw.rstrip("\r\n\t ")
    if "/" in s:
        return ipc_symbol(s)
    s = s.lstrip()
    if len(s) < 4:
        return None
    sub = s[:4].upper()
    if not re.fullmatch(r"[A-HY]\d{2}[A-Z]", sub):
        return ipc_symbol(s)
    group, subgroup = s[4:7].strip(), s[7:].strip()
    if not group:
        return sub
    return ipc_from_parts(sub[0], sub[1:3], sub[3], group, subgroup or "00")


# ------------------------------------------------------------------------------------- records

def doc_type_for(kind: str | None, appl_type: str | None, application: bool) -> str:
    if application:
        return DocType.APPLICATION.value
    k = (kind or "").upper()
    by_kind = {"B": DocType.GRANT, "S": DocType.DESIGN, "P": DocType.PLANT, "E": DocType.REISSUE,
               "H": DocType.SIR, "A": DocType.APPLICATION}
    if k[:1] in by_kind:
        return by_kind[k[:1]].value
    by_appl = {"utility": DocType.GRANT, "design": DocType.DESIGN, "plant": DocType.PLANT,
               "reissue": DocType.REISSUE, "sir": DocType.SIR}
    return by_appl.get((appl_type or "").lower(), DocType.OTHER).value


def family_of(priorities: list[Priority], app_country: str | None, app_number: str | None) -> str | None:
    keys = [(p.country, p.number) for p in priorities if p.number]
    if not keys and app_number:
        keys = [(app_country or "US", app_number)]
    return family_key_from_priorities(keys)


def finish(*, number: str, country: str, doc_number: str, kind: str | None, doc_type: str,
           publication_date: dt.date | None, application_number: str | None, application_date: dt.date | None,
           priorities: list[Priority], texts: list[Text], parties: list[Party],
           classifications: list[Classification], citations: list[Citation], identifiers: list[Identifier],
           lang: str, provenance: Provenance) -> Publication:
    """Number everything, derive the family and earliest priority, and build the record."""
    prios = list(_renumber(priorities))
    dates = [p.date for p in prios if p.date]
    earliest = min(dates) if dates else application_date
    return Publication(
        number=number, country=country, doc_number=doc_number, kind=kind, doc_type=doc_type,
        publication_date=publication_date, application_number=application_number,
        application_date=application_date, application_country="US" if application_number else None,
        priorities=tuple(prios), earliest_priority_date=earliest,
        texts=tuple(t for t in texts if t.text),
        parties=_number_parties(parties),
        classifications=_renumber(_dedupe(classifications)),
        citations=_renumber(citations),
        family_id=family_of(prios, "US", application_number), family_source="priorities",
        identifiers=tuple(dict.fromkeys(identifiers)),
        lang=lang, source_rank=SOURCE_RANK["official-fulltext"], provenance=provenance,
    )


def _number_parties(parties: list[Party]) -> tuple[Party, ...]:
    counters: dict[str, int] = {}
    out = []
    for p in parties:
        counters[p.role] = counters.get(p.role, 0) + 1
        out.append(_with_sequence(p, counters[p.role]))
    return tuple(out)


def _renumber(items: Iterable[_Numbered]) -> tuple[_Numbered, ...]:
    """`model.renumber`, for records built here: 1-based `sequence` in the order given."""
    return tuple(_with_sequence(x, i) for i, x in enumerate(items, 1))


def _with_sequence(record: _Numbered, sequence: int) -> _Numbered:
    """The record with its `sequence` set: itself when already so numbered, else a copy made the
    way `dataclasses.replace` makes one (every field an init argument), without its introspection."""
    if record.sequence == sequence:
        return record
    return type(record)(**{**record.__dict__, "sequence": sequence})


def _dedupe(classes: list[Classification]) -> list[Classification]:
    """Drop exact repeats (the same symbol printed twice with the same attributes)."""
    return list(dict.fromkeys(classes))


def person_name(last: str | None, first: str | None, middle: str | None = None,
                suffix: str | None = None) -> str | None:
    """"Last, First" as the front page lists people; a qualifier printed with the last name
    ("Lowry, legal representative") moves to the end: "Lowry, Deborah R., legal representative"."""
    last_s = clean_name(last)
    first_s = clean_name(" ".join(x for x in (first, middle) if x and x.strip()))
    if not last_s:
        return first_s
    qualifier = None
    if "," in last_s:
        last_s, qualifier = (x.strip() for x in last_s.split(",", 1))
    name = f"{last_s}, {first_s}" if first_s else last_s
    for extra in (clean_name(suffix), clean_name(qualifier)):
        if extra:
            name += f", {extra}"
    return clean_name(name)


def join_address(*parts: str | None) -> str | None:
    return clean_text(", ".join([p for p in map(clean_text, parts) if p])) or None


# ============================================================================ ICE v4.x documents
#
# The ICE front page is read by walking children once per element: `_kids` gives what `find(tag)`
# would for every tag at once, `_path` what `findall("a/b/c")` gives. ElementPath costs a microsecond
# or two per call, and a grant asks it a few hundred questions.

def _kids(el: etree._Element) -> dict[object, etree._Element]:
    """The first child of each tag: `_kids(el).get(tag)` is `el.find(tag)`."""
    out: dict[object, etree._Element] = {}
    for child in el:
        tag = child.tag
        if tag not in out:
            out[tag] = child
    return out


def _path(el: etree._Element | None, *tags: str) -> list[etree._Element]:
    """`el.findall("a/b/...")` for plain tag names, in the same (document) order."""
    if el is None:
        return []
    found = [el]
    for tag in tags:
        found = [child for parent in found for child in parent if child.tag == tag]
    return found


def _first(el: etree._Element | None, *tags: str) -> etree._Element | None:
    """`el.find("a/b/...")` for plain tag names."""
    if el is not None and len(tags) == 1:
        tag = tags[0]
        for child in el:
            if child.tag == tag:
                return child
        return None
    found = _path(el, *tags)
    return found[0] if found else None


def _t(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return flat(found) if found is not None else None


def _docid(did: etree._Element | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(country, doc-number, kind, date) of a `document-id`."""
    if did is None:
        return None, None, None, None
    k = _kids(did)
    return _text(k.get("country")), _text(k.get("doc-number")), _text(k.get("kind")), _text(k.get("date"))


def _ice_bib(root: etree._Element) -> etree._Element:
    for name in ("us-bibliographic-data-grant", "us-bibliographic-data-application"):
        bib = root.find(name)
        if bib is not None:
            return bib
    raise RecordError(f"<{root.tag}> has no bibliographic data (us-bibliographic-data-grant/-application)")


def ice_number(root: etree._Element) -> tuple[str, str, str, str | None, str | None]:
    """(canonical, country, doc_number, kind, date text) of an ICE document."""
    return _ice_number(root, _ice_bib(root))


def _ice_number(root: etree._Element, bib: etree._Element) -> tuple[str, str, str, str | None, str | None]:
    did = _first(bib, "publication-reference", "document-id")
    if did is None:
        raise RecordError("no publication-reference/document-id")
    cc, num, kind, date = _docid(did)
    if not num:
        raise RecordError("publication-reference has no doc-number")
    country = (cc or root.get("country") or "US").upper()
    number = canonical_number(country, num, kind)
    return number, country, clean_doc_number(country, num), (kind.upper() if kind else None), date


def _addressbook(holder: etree._Element) -> tuple[str | None, str | None, etree._Element | None]:
    """(name, kind, address element) from an `addressbook` (or the holder itself when the data sits
    directly in it, as some assignees have it)."""
    ab = _kids(holder).get("addressbook")
    if ab is None:
        ab = holder
    k = _kids(ab)
    org = _text(k.get("orgname"))
    if org:
        return clean_name(org), "organization", k.get("address")
    last, first = _text(k.get("last-name")), _text(k.get("first-name"))
    if last or first:
        return (person_name(last, first, _text(k.get("middle-name")), _text(k.get("suffix"))), "person",
                k.get("address"))
    return clean_name(_text(k.get("name"))), None, k.get("address")


_ADDRESS_PARTS = ("address-1", "address-2", "address-3", "address-4", "address-5", "street", "mailcode", "pobox",
                  "city", "county", "state", "postcode")
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


def _ice_party(holder: etree._Element, role: str) -> Party | None:
    name, kind, adr = _addressbook(holder)
    if not name:
        return None
    k = _kids(adr) if adr is not None else {}
    country = _text(k.get("country"))
    if country and not _COUNTRY_CODE.fullmatch(country):
        country = None  # "omitted" and the like
    # the parts the address has, in the order of _ADDRESS_PARTS (join_address drops missing ones)
    parts = [_text(k[p]) for p in _ADDRESS_PARTS if p in k]
    return Party(name=name, role=role, country=country.upper() if country else None, city=_text(k.get("city")),
                 address=join_address(*parts, country), kind=kind)


def _in_role(party: Party, role: str) -> Party:
    """The same party in another role (what `_ice_party` gives for the same holder and that role)."""
    return Party(name=party.name, role=role, sequence=party.sequence, country=party.country, city=party.city,
                 address=party.address, kind=party.kind)


def _ice_parties(bib: etree._Element, bk: dict[object, etree._Element]) -> list[Party]:
    out: list[Party] = []
    holders = [el for el in (bk.get("us-parties"), bk.get("parties")) if el is not None]
    applicants = [a for h in holders
                  for a in _path(h, "us-applicants", "us-applicant") + _path(h, "applicants", "applicant")]
    inventors = [i for h in holders for i in _path(h, "inventors", "inventor")]
    agents = [a for h in holders for a in _path(h, "agents", "agent")]
    applicant_parties = [_ice_party(a, "applicant") for a in applicants]
    out += [p for p in applicant_parties if p]
    if inventors:
        out += [p for p in (_ice_party(i, "inventor") for i in inventors) if p]
    else:
        # before v4.3 (and in some later documents) inventors are the applicants marked so
        out += [_in_role(p, "inventor") for a, p in zip(applicants, applicant_parties)
                if a.get("app-type") == "applicant-inventor" and p]
    out += [p for p in (_ice_party(a, "assignee") for a in _path(bib, "assignees", "assignee")) if p]
    out += [p for p in (_ice_party(a, "agent") for a in agents) if p]
    exam = bk.get("examiners")
    if exam is not None:
        ek = _kids(exam)
        for tag in ("primary-examiner", "assistant-examiner"):
            e = ek.get(tag)
            if e is not None:
                k = _kids(e)
                name = person_name(_text(k.get("last-name")), _text(k.get("first-name")))
                if name:
                    out.append(Party(name=name, role="examiner", kind="person"))
    return out


def _ice_priorities(bib: etree._Element, bk: dict[object, etree._Element]) -> list[Priority]:
    out: list[Priority] = []
    for pc in _path(bib, "priority-claims", "priority-claim"):
        k = _kids(pc)
        cc, num, date = _text(k.get("country")), _text(k.get("doc-number")), _text(k.get("date"))
        if not num:
            continue
        out.append(Priority(country=(cc or "").upper() or None, number=num,
                            date=required_date(date, "priority date"), kind=pc.get("kind")))
    related = bk.get("us-related-documents")
    if related is None:
        return out
    for prov in _path(related, "us-provisional-application"):
        cc, num, _k, date = _docid(_kids(prov).get("document-id"))
        if num:
            out.append(Priority(country=(cc or "US").upper(), number=us_application_number(num) or num,
                                date=required_date(date, "provisional application date"), kind="provisional"))
    # a reissue keeps the original's filing: its parent application counts as a priority too
    for relation_type in ("continuation", "continuation-in-part", "division", "reissue", "continuing-reissue"):
        for holder in _path(related, relation_type):
            for rel in holder.iter("relation"):
                cc, num, _k, date = _docid(_first(rel, "parent-doc", "document-id"))
                if not num:
                    continue
                country = (cc or "US").upper()
                out.append(Priority(country=country,
                                    number=(us_application_number(num) or num) if country == "US" else num,
                                    date=required_date(date, f"{relation_type} parent date"), kind=relation_type))
    return out


def _ice_identifiers(bib: etree._Element, bk: dict[object, etree._Element]) -> list[Identifier]:
    out: list[Identifier] = []
    related = bk.get("us-related-documents")
    if related is not None:
        for rp in _path(related, "related-publication"):
            cc, num, kind, _d = _docid(_kids(rp).get("document-id"))
            n = cited_patent_number(cc or "US", num, kind)
            if n:
                out.append(Identifier("related-publication", n))
        for tag in ("reissue", "us-reexamination-reissue-merger", "continuing-reissue"):
            for holder in _path(related, tag):
                for g in holder.iter("parent-grant-document"):
                    cc, num, kind, _d = _docid(_kids(g).get("document-id"))
                    n = cited_patent_number(cc or "US", num, kind)
                    if n:
                        out.append(Identifier("reissue-of", n))
    cc, num, _k, _d = _docid(_first(bib, "pct-or-regional-filing-data", "document-id"))
    if num:
        out.append(Identifier("pct-application", clean_text(num) or num))
    cc, num, kind, _d = _docid(_first(bib, "pct-or-regional-publishing-data", "document-id"))
    if num:
        n = cited_patent_number(cc or "WO", num, kind)
        out.append(Identifier("pct-publication", n or clean_text(num) or num))
    return out


def _ipcr(el: etree._Element, scheme: str) -> Classification | None:
    k = _kids(el)
    sym = ipc_from_parts(_text(k.get("section")), _text(k.get("class")), _text(k.get("subclass")),
                         _text(k.get("main-group")), _text(k.get("subgroup")))
    if not sym:
        return None
    version = (_text(_first(el, "ipc-version-indicator", "date"))
               or _text(_first(el, "cpc-version-indicator", "date")))
    return Classification(scheme=scheme, symbol=sym, version=version,
                          level=_text(k.get("classification-level")) if scheme == "ipc" else None,
                          value=_text(k.get("classification-value")))


_CLASS_ENTRIES = ("main-classification", "further-classification")


def _national(holder: etree._Element | None) -> list[Classification]:
    if holder is None:
        return []
    cc = (_text(_kids(holder).get("country")) or "US").upper()
    out = []
    for el in holder:
        if el.tag in _CLASS_ENTRIES:
            sym = uspc_symbol("".join(el.itertext()))
            if sym:
                out.append(Classification(scheme="national", symbol=sym, country=cc))
    return out


def ipc_edition(value: str | None) -> str | None:
    """IPC edition as a plain number: "07" -> "7"."""
    return value.lstrip("0") or value if value else None


_LOCARNO_NOISE = re.compile(r"[\s-]")


def _ice_classes(bib: etree._Element, bk: dict[object, etree._Element]) -> list[Classification]:
    out: list[Classification] = []
    for el in _path(bib, "classifications-ipcr", "classification-ipcr"):
        c = _ipcr(el, "ipc")
        if c:
            out.append(c)
    old = bk.get("classification-ipc")
    if old is not None:
        edition = ipc_edition(_text(_kids(old).get("edition")))
        for el in old:
            if el.tag in _CLASS_ENTRIES:
                sym = ipc_fixed_width("".join(el.itertext()))
                if sym:
                    out.append(Classification(scheme="ipc", symbol=sym, version=edition))
    for group in ("main-cpc", "further-cpc"):
        for el in _path(bib, "classifications-cpc", group, "classification-cpc"):
            c = _ipcr(el, "cpc")
            if c:
                out.append(c)
    for loc in _path(bib, "classification-locarno"):
        edition = _text(_kids(loc).get("edition"))
        for el in loc:
            if el.tag in _CLASS_ENTRIES:
                sym = _LOCARNO_NOISE.sub("", "".join(el.itertext()))
                if sym:
                    out.append(Classification(scheme="locarno", symbol=sym, version=edition))
    for nat in _path(bib, "classification-national"):
        out += _national(nat)
    return out


_CITATION_TAGS = ("citation", "us-citation")


def _ice_citations(bk: dict[object, etree._Element]) -> list[Citation]:
    out: list[Citation] = []
    holder = bk.get("us-references-cited")
    if holder is None:
        holder = bk.get("references-cited")
    if holder is None:
        return out
    for cit in holder:
        if cit.tag not in _CITATION_TAGS:
            continue
        k = _kids(cit)
        by = cited_by(_text(k.get("category")))
        pat = k.get("patcit")
        if pat is not None:
            did = _first(pat, "document-id")
            if did is None:
                cc = num = kind = date = name = None
            else:
                dk = _kids(did)
                cc, num, kind, date = (_text(dk.get("country")), _text(dk.get("doc-number")), _text(dk.get("kind")),
                                       _text(dk.get("date")))
                # the name of the first document-id that has one, as find("document-id/name") has it
                name_el = dk.get("name")
                name = _text(name_el if name_el is not None else _first(pat, "document-id", "name"))
            printed = printed_reference(cc, num, kind)
            # printed and name are clean already (single spaces, no ends), and so is their join
            out.append(Citation(sequence=len(out) + 1, kind="patent", cited_number=cited_patent_number(cc, num, kind),
                                cited_country=(cc or "").upper() or None, cited_date=lenient_date(date),
                                text=f"{printed}, {name}" if name else printed or None, cited_by=by))
            continue
        npl = k.get("nplcit")
        if npl is not None:
            text = _text(_kids(npl).get("othercit")) or _text(npl)
            if text:
                out.append(Citation(sequence=len(out) + 1, kind="npl", text=text, cited_by=by))
    return out


def _ice_texts(root: etree._Element, rk: dict[object, etree._Element], bk: dict[object, etree._Element],
               lang: str) -> list[Text]:
    texts = [Text("title", lang, _text(bk.get("invention-title")) or "")]
    texts.append(Text("abstract", lang, lines(rk.get("abstract"), ("p",)) or ""))
    claims = []
    for i, claim in enumerate(_path(root, "claims", "claim"), 1):
        t = _text(claim)
        if t:
            claims.append((int_or_none(claim.get("num")) or i, t))
    texts.append(Text("claims", lang, claims_text(claims) or ""))
    texts.append(Text("description", lang, lines(rk.get("description"), ("p", "heading")) or ""))
    return texts


def extract_ice(root: etree._Element, source: Source, position: int) -> Publication:
    application = local(root.tag) == "us-patent-application"
    bib = _ice_bib(root)
    number, country, doc_number, kind, date = _ice_number(root, bib)
    rk, bk = _kids(root), _kids(bib)
    app_ref = bk.get("application-reference")
    _acc, app_num, _ak, app_date = _docid(_kids(app_ref).get("document-id") if app_ref is not None else None)
    lang = lang_code(root.get("lang") or bib.get("lang"), default="en")
    return finish(
        number=number, country=country, doc_number=doc_number, kind=kind,
        doc_type=doc_type_for(kind, app_ref.get("appl-type") if app_ref is not None else None, application),
        publication_date=required_date(date or root.get("date-publ"), "publication date"),
        application_number=us_application_number(app_num),
        application_date=required_date(app_date, "application date"),
        priorities=_ice_priorities(bib, bk), texts=_ice_texts(root, rk, bk, lang), parties=_ice_parties(bib, bk),
        classifications=_ice_classes(bib, bk), citations=_ice_citations(bk), identifiers=_ice_identifiers(bib, bk),
        lang=lang,
        provenance=Provenance(source=APPLICATION_V4 if application else GRANT_V4, file=source.name,
                              position=position),
    )


# ============================================================================ ST.32 v2.5 (PATDOC)

def _pdat(el: etree._Element | None, path: str = ".") -> str | None:
    """Text of the element at `path` (its PDAT content, inline markup included)."""
    if el is None:
        return None
    found = el.find(path)
    return flat(found, pcdata="pdat") if found is not None else None


def _pdat_raw(el: etree._Element | None, path: str) -> str | None:
    """PDAT text of one element with its spaces kept (fixed-width classification fields)."""
    if el is None:
        return None
    found = el.find(path)
    if found is None:
        return None
    pdat = found if found.tag == "PDAT" else found.find(".//PDAT")
    return pdat.text if pdat is not None else None


def _v25_doc(doc: etree._Element | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(country, number, kind, date) of a v2.5 DOC element."""
    if doc is None:
        return None, None, None, None
    return _pdat(doc, "CTRY"), _pdat(doc, "DNUM"), _pdat(doc, "KIND"), _pdat(doc, "DATE")


def _v25_party(holder: etree._Element, role: str) -> Party | None:
    nam = holder.find(".//NAM")
    if nam is None:
        return None
    org = _pdat(nam, "ONM")
    if org:
        name, kind = clean_name(org), "organization"
    else:
        name, kind = person_name(_pdat(nam, "SNM"), _pdat(nam, "FNM"), None, _pdat(nam, "SFX")), "person"
    if not name:
        return None
    adr = holder.find(".//ADR")
    country = _pdat(adr, "CTRY")
    if adr is not None and not country:
        country = "US"  # the format prints a country only for addresses outside the US
    return Party(name=name, role=role, country=country.upper() if country else None, city=_pdat(adr, "CITY"),
                 address=join_address(*(_pdat(adr, p) for p in ("OMC", "PBOX", "STR", "CITY", "CNTY", "STATE",
                                                                "PCODE")), country) if adr is not None else None,
                 kind=kind)


def extract_v25(root: etree._Element, source: Source, position: int) -> Publication:
    bi = root.find("SDOBI")
    if bi is None:
        raise RecordError("<PATDOC> has no bibliographic data (SDOBI)")
    b100 = bi.find("B100")
    num, kind, date = _pdat(b100, "B110/DNUM"), _pdat(b100, "B130"), _pdat(b100, "B140/DATE")
    country = (_pdat(b100, "B190") or "US").upper()
    if not num:
        raise RecordError("no publication number (B110)")
    number = canonical_number(country, num, kind)
    b200 = bi.find("B200")
    app_num, app_date = _pdat(b200, "B210/DNUM"), _pdat(b200, "B220/DATE")

    priorities: list[Priority] = []
    for b300 in bi.findall("B300"):
        pnum = _pdat(b300, "B310/DNUM") or _pdat(b300, "B310")
        if pnum:
            priorities.append(Priority(country=(_pdat(b300, "B330/CTRY") or _pdat(b300, "B330") or "").upper() or None,
                                       number=pnum, date=required_date(_pdat(b300, "B320/DATE") or _pdat(b300, "B320"),
                                                                       "priority date"), kind="national"))
    b600 = bi.find("B600")
    if b600 is not None:
        for doc in b600.findall("B680US/DOC"):
            cc, n, _k, d = _v25_doc(doc)
            if n:
                priorities.append(Priority(country=(cc or "US").upper(), number=us_application_number(n) or n,
                                           date=required_date(d, "provisional application date"), kind="provisional"))
        for path, rel in (("B620", "division"), ("B630/B631", "continuation"), ("B630/B632", "continuation-in-part")):
            for holder in b600.findall(path):
                for pdoc in holder.iter("PDOC"):
                    cc, n, _k, d = _v25_doc(pdoc.find("DOC"))
                    if n:
                        c = (cc or "US").upper()
                        priorities.append(Priority(country=c, number=(us_application_number(n) or n) if c == "US" else n,
                                                   date=required_date(d, f"{rel} parent date"), kind=rel))

    b500 = bi.find("B500")
    classes: list[Classification] = []
    b510 = b500.find("B510") if b500 is not None else None
    if b510 is not None:
        edition = ipc_edition(_pdat(b510, "B516"))
        for el in b510:
            if isinstance(el.tag, str) and el.tag in ("B511", "B512"):
                raw = _pdat_raw(el, ".")
                if raw and re.fullmatch(r"\s*\d{2}-?\d{2}\s*", raw):
                    # design patents carry their Locarno class here
                    classes.append(Classification(scheme="locarno", symbol=re.sub(r"\D", "", raw), version=edition))
                    continue
                sym = ipc_fixed_width(raw)
                if sym:
                    classes.append(Classification(scheme="ipc", symbol=sym, version=edition))
    b520 = b500.find("B520") if b500 is not None else None
    if b520 is not None:
        for el in b520:
            if isinstance(el.tag, str) and el.tag in ("B521", "B522", "B522US"):
                sym = uspc_symbol(_pdat_raw(el, "."))
                if sym:
                    classes.append(Classification(scheme="national", symbol=sym, country="US"))

    citations: list[Citation] = []
    b560 = b500.find("B560") if b500 is not None else None
    for cit in (b560 if b560 is not None else ()):
        if not isinstance(cit.tag, str):
            continue
        by = "examiner" if cit.find("CITED-BY-EXAMINER") is not None else (
            "other" if cit.find("CITED-BY-OTHER") is not None else None)
        if cit.tag == "B561":
            cc, n, k, d = _v25_doc(cit.find("PCIT/DOC"))
            cc = (cc or "US").upper()
            name = _pdat(cit, "PCIT/PARTY-US/NAM")
            printed = printed_reference(cc, n, k)
            citations.append(Citation(kind="patent", cited_number=cited_patent_number(cc, n, k), cited_country=cc,
                                      cited_date=lenient_date(d),
                                      text=clean_text(f"{printed}, {name}" if name else printed), cited_by=by))
        elif cit.tag == "B562":
            text = flat(cit.find("NCIT"), pcdata="pdat")
            if text:
                citations.append(Citation(kind="npl", text=text, cited_by=by))

    parties: list[Party] = []
    b700 = bi.find("B700")
    if b700 is not None:
        for path, role in (("B720/B721", "inventor"), ("B730/B731", "assignee"), ("B740/B741", "agent"),
                           ("B745/B746", "examiner"), ("B745/B747", "examiner")):
            parties += [p for p in (_v25_party(h, role) for h in b700.findall(path)) if p]

    identifiers: list[Identifier] = []
    b800 = bi.find("B800")
    if b800 is not None:
        _c, n, _k, _d = _v25_doc(b800.find("B860/B861/DOC"))
        if n:
            identifiers.append(Identifier("pct-application", n))
        cc, n, k, _d = _v25_doc(b800.find("B870/B871/DOC"))
        if n:
            identifiers.append(Identifier("pct-publication", cited_patent_number(cc or "WO", n, k) or n))

    lang = "en"
    claims = []
    for i, clm in enumerate(root.iter("CLM"), 1):
        t = flat(clm, pcdata="pdat")
        if t:
            claims.append((int_or_none(clm.get("ID")) or i, t))
    texts = [
        Text("title", lang, _pdat(b500, "B540") or ""),
        Text("abstract", lang, lines(root.find("SDOAB"), ("PARA",), pcdata="pdat") or ""),
        Text("claims", lang, claims_text(claims) or ""),
        Text("description", lang, lines(root.find("SDODE"), ("H", "PARA"), pcdata="pdat") or ""),
    ]
    return finish(
        number=number, country=country, doc_number=clean_doc_number(country, num), kind=kind.upper() if kind else None,
        doc_type=doc_type_for(kind, None, False), publication_date=required_date(date, "publication date"),
        application_number=us_application_number(app_num), application_date=required_date(app_date, "application date"),
        priorities=priorities, texts=texts, parties=parties, classifications=classes, citations=citations,
        identifiers=identifiers, lang=lang,
        provenance=Provenance(source=GRANT_V25, file=source.name, position=position),
    )


# ============================================================================ readers

_NOT_PATENTS = {
    "sequence-cwu": "sequence listing",
    "us-sequence-listing": "sequence listing",
}
_LABEL_RE = re.compile(rb"<doc-number>\s*([^<\s]+)\s*</doc-number>\s*<kind(?:-code)?>\s*([^<\s]+)\s*</kind"
                       rb"|<B110>\s*<DNUM>\s*<PDAT>([^<]+)</PDAT>")


def label_from_bytes(data: bytes) -> str | None:
    """Best-effort publication number of a document that does not parse (for the quarantine list)."""
    m = _LABEL_RE.search(data[:20000])
    if not m:
        return None
    try:
        if m.group(1):
            return canonical_number("US", m.group(1).decode("ascii", "replace"), m.group(2).decode("ascii", "replace"))
        return canonical_number("US", m.group(3).decode("ascii", "replace"))
    except InvalidNumber:
        return None


class UsptoReaderBase(XmlReader):
    """Shared reader: dispatches on the root element, so a weekly file of any USPTO era reads whole."""

    priority: ClassVar[int] = 30
    _last_doc: bytes = b""

    def documents(self, source: Source) -> Iterator[tuple[int, int, bytes]]:
        for position, line, data in super().documents(source):
            self._last_doc = data
            yield position, line, data

    def read(self, source: Source) -> Iterator[Outcome]:
        for out in super().read(source):
            if isinstance(out, Quarantined) and out.record is None and out.position:
                label = label_from_bytes(self._last_doc)
                if label:
                    out = dataclasses.replace(out, record=label)
            yield out

    def record_label(self, root: etree._Element) -> str | None:
        name = local(root.tag)
        try:
            if name in ("us-patent-grant", "us-patent-application"):
                return ice_number(root)[0]
            if name == "PATDOC":
                b100 = root.find("SDOBI/B100")
                return canonical_number("US", _pdat(b100, "B110/DNUM") or "", _pdat(b100, "B130"))
            if name in _NOT_PATENTS:
                cc, num, kind, _d = _docid(root.find("publication-reference/document-id"))
                return f"{_NOT_PATENTS[name]} of {canonical_number(cc or 'US', num or '', kind)}"
            if name == "patent-application-publication":
                from .uspto_pap import pap_number

                return pap_number(root)[0]
        except (InvalidNumber, RecordError):
            return None
        return None

    def extract(self, root: etree._Element, source: Source, position: int) -> Publication:
        name = local(root.tag)
        if name in ("us-patent-grant", "us-patent-application"):
            return extract_ice(root, source, position)
        if name == "PATDOC":
            return extract_v25(root, source, position)
        if name == "patent-application-publication":
            from .uspto_pap import extract_pap

            return extract_pap(root, source, position)
        if name in _NOT_PATENTS:
            cc, num, kind, _d = _docid(root.find("publication-reference/document-id"))
            of = ""
            try:
                of = f" of {canonical_number(cc or 'US', num or '', kind)}" if num else ""
            except InvalidNumber:
                pass
            raise NotAPatent(f"{_NOT_PATENTS[name]} (<{name}>){of}, not a patent document")
        raise NotAPatent(f"<{name}> is not a patent document")


@register
class UsptoGrantReader(UsptoReaderBase):
    name = GRANT_V4
    description = "USPTO full-text grants, ICE XML v4.0-v4.7 (weekly ipgYYMMDD files, 2005 on)"
    roots = ("us-patent-grant", "sequence-cwu")


@register
class UsptoApplicationReader(UsptoReaderBase):
    name = APPLICATION_V4
    description = "USPTO full-text application publications, ICE XML v4.0-v4.7 (weekly ipaYYMMDD files, 2005 on)"
    roots = ("us-patent-application",)


@register
class UsptoGrantV25Reader(UsptoReaderBase):
    name = GRANT_V25
    description = "USPTO full-text grants, ST.32 XML v2.5 (root PATDOC, weekly pgYYMMDD files, 2002-2004)"
    roots = ("PATDOC",)


__all__ = [
    "UsptoApplicationReader",
    "UsptoGrantReader",
    "UsptoGrantV25Reader",
    "blocks",
    "cited_patent_number",
    "extract_ice",
    "extract_v25",
    "flat",
    "ipc_fixed_width",
    "lines",
    "person_name",
    "uspc_symbol",
]
