"""Safe XML for hostile input, and the helpers every XML reader shares.

* Documents that declare entities (`<!ENTITY` in the internal subset) are refused before parsing:
  that is how XXE and entity-expansion ("billion laughs") attacks arrive, and no patent office
  ships documents that need them. The parser itself never loads DTDs, resolves entities or
  touches the network.
* A lenient second pass repairs the two defects seen in real office files, a bare `&` and HTML
  named entities used without their DTD, and nothing else: a truncated or mis-encoded document
  is quarantined with its reason rather than half-loaded.
* `split_concatenated` streams a weekly file (many documents, each starting with `<?xml`) one
  document at a time, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import html.entities
import re
import threading
from typing import IO, Iterator

from lxml import etree

from ..errors import RecordError, UnsafeInput

_PARSER_KW = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                  huge_tree=False, remove_comments=True, remove_pis=True)


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """The thread's parser: one per thread (lxml parsers are not thread-safe), reused for every
    document, since building one costs about as much as parsing a small document."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(**_PARSER_KW)
    return parser


_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\s[^\[>]*(\[(?P<subset>.*?)\])?\s*>", re.S)
_ENTITY_DECL_RE = re.compile(rb"<!ENTITY", re.I)
# Unparsed (NDATA) entities: USPTO 2001-2004 documents name their drawing files this way. A parser
# never reads or expands them (a reference to one in text is a well-formedness error), so they are
# harmless and are the one kind of entity declaration let through.
_UNPARSED_ENTITY_RE = re.compile(
    rb"<!ENTITY\s+[\w.-]+\s+(?:SYSTEM\s+(?:\"[^\"<>]*\"|'[^'<>]*')|PUBLIC\s+(?:\"[^\"<>]*\"|'[^'<>]*')\s+"
    rb"(?:\"[^\"<>]*\"|'[^'<>]*'))\s+NDATA\s+[\w.-]+\s*>")


_HEAD = 65536  # the prolog check looks at the document's first 64 KiB


def _declares_entity(data: bytes) -> bool:
    """Whether the head of `data` holds `<!ENTITY` in any letter case: what `_ENTITY_DECL_RE` finds
    there, without a case-insensitive scan ("!" is rare in patent XML and found at memchr speed)."""
    at = data.find(b"!", 0, _HEAD)
    while at >= 0:
        if at and data[at - 1] == 0x3C and data[at + 1:min(at + 7, _HEAD)].upper() == b"ENTITY":  # 0x3C: "<"
            return True
        at = data.find(b"!", at + 1, _HEAD)
    return False


def check_prolog(data: bytes) -> None:
    """Refuse documents that declare entities (XXE, entity expansion); unparsed image entities pass."""
    if data.find(b"<!DOCTYPE", 0, _HEAD) < 0 and data.find(b"<!doctype", 0, _HEAD) < 0:
        return
    if not _declares_entity(data):
        return  # nothing below could match: the unparsed declarations removed next start with <!ENTITY
    head = _UNPARSED_ENTITY_RE.sub(b"", data[:_HEAD])
    if _ENTITY_DECL_RE.search(head):
        m = re.search(rb"<!ENTITY\s+%?\s*[\w.-]+\s+(SYSTEM|PUBLIC)", head, re.I)
        if m:
            raise UnsafeInput("document declares an external entity (XXE); refused without reading it")
        raise UnsafeInput("document declares internal entities (entity expansion attack); refused")


_BARE_AMP = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][\w.-]*;)")
_NAMED = re.compile(rb"&([A-Za-z][\w.-]*);")
_XML_NAMED = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _repair(data: bytes) -> bytes:
    data = _BARE_AMP.sub(b"&amp;", data)

    def named(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        if name in _XML_NAMED:
            return m.group(0)
        cp = html.entities.name2codepoint.get(name.decode("ascii", "replace"))
        if cp is None:
            return b"&amp;" + name + b";"
        return b"&#%d;" % cp

    return _NAMED.sub(named, data)


def _describe(err: etree.XMLSyntaxError) -> str:
    msg = str(err.msg if hasattr(err, "msg") and err.msg else err)
    return msg.split(", line ")[0] if msg else "XML syntax error"


def _encoding_problem(data: bytes) -> str | None:
    m = re.match(rb"<\?xml[^>]*encoding=[\"']([\w.-]+)[\"']", data[:200])
    declared = (m.group(1).decode("ascii").lower() if m else "utf-8")
    if declared.replace("-", "").replace("_", "") not in ("utf8",):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return (f"declared encoding is UTF-8 but byte 0x{data[e.start]:02x} at offset {e.start} is not UTF-8 "
                "(the file is probably Latin-1/Windows-1252); fix the declaration or re-encode the file")
    return None


def parse(data: bytes, *, lenient: bool = True) -> tuple[etree._Element, bool]:
    """Parse one document. Returns (root, repaired). Raises `UnsafeInput` or `RecordError`."""
    if not data or data.isspace():  # data.strip() is empty, without copying the document
        raise RecordError("empty document")
    if data.find(b"\x00", 0, 1024) >= 0 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RecordError("binary data, not XML")
    check_prolog(data)
    try:
        return etree.fromstring(data, _parser()), False
    except etree.XMLSyntaxError as first:
        enc = _encoding_problem(data)
        if enc:
            raise RecordError(enc) from None
        reason = _describe(first)
        line = getattr(first, "lineno", None)
        where = f" (line {line})" if line else ""
        if lenient:
            fixed = _repair(data)
            if fixed != data:
                try:
                    return etree.fromstring(fixed, _parser()), True
                except etree.XMLSyntaxError:
                    pass
        raise RecordError(f"malformed XML{where}: {reason}") from None


_XML_DECL = re.compile(rb"<\?xml[\s?]")
# what may follow "<?xml" in a declaration (regex \s on bytes, or "?"); "<?xml-stylesheet" is a PI
_AFTER_DECL = frozenset(b" \t\n\r\x0b\x0c?")
_CHUNK = 1 << 20


def _find_decl(buf: bytes, scan: int) -> int:
    """`buf.find(b"\\n<?xml", scan)`, looking for the rare "?" (at memchr speed) and checking around
    it, instead of matching the whole pattern over every byte."""
    q = buf.find(b"?", scan + 2)
    while q >= 0:
        if buf[q - 2:q] == b"\n<" and buf[q + 1:q + 4] == b"xml":
            return q - 2
        q = buf.find(b"?", q + 1)
    return -1


def split_concatenated(stream: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Yield (position, first line, bytes) for each document of a file that concatenates several
    XML documents, each beginning with an XML declaration at the start of a line.

    The file is read in chunks and searched for a line that starts with an XML declaration; memory
    holds the document being collected and one chunk. (The first line needs no test: whether or not
    it is a declaration, it begins the first document.) Blank stretches (only whitespace) are not
    documents and take no position."""
    position = 0
    start_line = 1
    buf = b""
    start = 0  # where the current document begins in buf
    scan = 0  # where to look for the next declaration
    eof = False
    while True:
        at = _find_decl(buf, scan)
        if at < 0 or at + 6 >= len(buf):
            if eof:
                break
            chunk = stream.read(_CHUNK)
            if not chunk:
                eof = True
                continue
            # drop what was yielded; search again from the last bytes, a declaration may straddle chunks
            scan = (at if at >= 0 else max(start, len(buf) - 6)) - start
            buf = buf[start:] + chunk
            start = 0
            continue
        if buf[at + 6] not in _AFTER_DECL:
            scan = at + 1
            continue
        doc = buf[start:at + 1]
        if not doc.isspace():
            position += 1
            yield position, start_line, doc
        start_line += doc.count(b"\n")
        start = scan = at + 1
    rest = buf[start:]
    if rest and not rest.isspace():
        position += 1
        yield position, start_line, rest


# ------------------------------------------------------------------ element helpers

def local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    if "}" not in tag and ":" not in tag:
        return tag
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


_WS = re.compile(r"\s+")


def text_of(el: etree._Element | None, sep: str = " ") -> str | None:
    """All text below `el`, whitespace collapsed; None when there is none."""
    if el is None:
        return None
    s = _WS.sub(" ", sep.join(t for t in el.itertext() if isinstance(t, str))).strip()
    return s or None


def paragraphs(el: etree._Element | None, para_tags: tuple[str, ...] = ("p", "heading", "claim-text")) -> str | None:
    """Text with one line per block element, for claims and descriptions."""
    if el is None:
        return None
    lines: list[str] = []
    for child in el.iter():
        if local(child.tag) in para_tags:
            # only the outermost block elements
            parent = child.getparent()
            nested = False
            while parent is not None and parent is not el:
                if local(parent.tag) in para_tags:
                    nested = True
                    break
                parent = parent.getparent()
            if nested:
                continue
            t = text_of(child)
            if t:
                lines.append(t)
    if not lines:
        return text_of(el)
    return "\n".join(lines)


def first(el: etree._Element | None, path: str) -> etree._Element | None:
    if el is None:
        return None
    found = el.find(path)
    return found


def findtext(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    return text_of(el.find(path))


def strip_ns(root: etree._Element) -> etree._Element:
    """Remove namespaces (and prefixes) in place so that readers can use plain paths."""
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = local(el.tag)
        for k in list(el.attrib):
            if "}" in k:
                el.attrib[local(k)] = el.attrib.pop(k)
    etree.cleanup_namespaces(root)
    return root


def excerpt(data: bytes, limit: int = 600) -> str:
    return data[:limit].decode("utf-8", "replace")
