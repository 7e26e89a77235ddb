"""One shared normalization module: publication numbers, dates, names, classification symbols.

Every reader and the lookup code go through these functions, so there is exactly one opinion on
what `US 7,783,348 B2` means.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from .errors import InvalidNumber

# Kind codes seen in the wild: A, A1, B2, S1, E, P2, H, U, Y, C1 ...
_KIND_RE = r"[A-Z][0-9]?"


@dataclass(frozen=True)
class PubNumber:
    country: str
    number: str  # without separators or leading zeros; may start with a series letter (D, RE, PP, H)
    kind: str | None = None

    @property
    def canonical(self) -> str:
        return f"{self.country}{self.number}{self.kind or ''}"

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.canonical


_SERIES_PREFIXES = ("RE", "PP", "RX", "AI", "D", "H", "T", "X", "P")
_NUMBER_SEPARATORS = re.compile(r"[\s,.\-_/]")
_HAS_DIGIT = re.compile(r"\d")
_LEADING_COUNTRY = re.compile(r"^([A-Z]{2})(.*)$")


def clean_doc_number(country: str, number: str) -> str:
    """Strip separators and leading zeros: ``07783348`` -> ``7783348``, ``D0586076`` -> ``D586076``,
    ``2011/0185700`` (US) -> ``20110185700``, ``2008/155316`` (WO) -> ``2008155316``."""
    s = unicodedata.normalize("NFKC", number).upper().strip()
    if country == "WO":
        expanded = _wo_number(s)
        if expanded:
            return expanded
    prefix = ""
    if not (s.isascii() and s.isdigit()):  # plain digits (the usual case) have nothing to strip
        s = _NUMBER_SEPARATORS.sub("", s)
        for p in _SERIES_PREFIXES:
            if s.startswith(p) and len(s) > len(p) and s[len(p)].isdigit():
                prefix, s = p, s[len(p):]
                break
    if country == "US" and not prefix and len(s) == 11 and s[:2] in ("19", "20"):
        return s  # application publication: year + 7-digit serial, zeros are significant
    s = s.lstrip("0") or "0"
    return prefix + s


def _wo_year(yy: str) -> str | None:
    """Two-digit WO years were printed from 1978 to 2003; from 2004 on the year has four digits."""
    n = int(yy)
    if n >= 78:
        return "19" + yy
    if n <= 3:
        return "20" + yy
    return None


def _wo_number(s: str) -> str | None:
    """WO numbers as year + 6-digit serial: ``2008/155316``, ``02/054790``, ``9937368`` (yy + 5-digit
    serial, before 2002), ``02054790`` (yy + 6 digits), ``09937368`` (a zero-padded ``9937368``)."""
    m = re.fullmatch(r"(\d{4}|\d{2})\s*/\s*(\d{1,6})", s)
    if m:
        year = m.group(1) if len(m.group(1)) == 4 else _wo_year(m.group(1))
        return year + m.group(2).zfill(6) if year else None
    if not s.isdigit():
        return None
    if len(s) == 10 and s[:2] in ("19", "20"):
        return s
    if len(s) == 8:
        year = _wo_year(s[:2])
        if year:
            return year + s[2:]
        if s[0] == "0":
            s = s[1:]
    if len(s) == 7:
        year = _wo_year(s[:2])
        if year:
            return year + s[2:].zfill(6)
    return None


_NUMBER_RE = re.compile(
    r"""^\s*(?P<cc>[A-Z]{2})[\s_\-]*
        (?P<num>(?:RE|PP|RX|AI|[DHTXP])?[\s_\-]*[0-9][0-9,./\s_\-]*?)
        (?:[\s_\-]*(?P<kind>%s))?
        (?:[\s_\-]+(?P<date>(?:19|20)\d{6}))?\s*$""" % _KIND_RE,
    re.VERBOSE,
)


def parse_number(text: str, default_country: str | None = None) -> PubNumber:
    """Parse any common spelling of a publication number.

    Accepts ``US7783348B2``, ``US 7,783,348 B2``, ``US07783348``, ``WO 2008/155316 A1``,
    ``CN_218289675_U_20230113`` (Lens doc keys), ``USD586076S1``, ``US 2011/0185700 A1``.
    """
    if text is None:
        raise InvalidNumber("empty publication number")
    s = unicodedata.normalize("NFKC", str(text)).upper().strip()
    if not s:
        raise InvalidNumber("empty publication number")
    if default_country and not re.match(r"^[A-Z]{2}", s):
        s = default_country.upper() + s
    m = _NUMBER_RE.match(s)
    if not m:
        raise InvalidNumber(f"not a publication number: {text!r}")
    cc = m.group("cc")
    raw = m.group("num")
    kind = m.group("kind")
    num = clean_doc_number(cc, raw)
    if not re.search(r"\d", num):
        raise InvalidNumber(f"not a publication number: {text!r}")
    return PubNumber(cc, num, kind)


def canonical_number(country: str | None, number: str, kind: str | None = None) -> str:
    """Canonical key from parts as found in XML (`<country>`, `<doc-number>`, `<kind>`)."""
    cc = (country or "").strip().upper()
    num = str(number).strip()
    if not cc:
        m = _LEADING_COUNTRY.match(num.upper())
        if not m:
            raise InvalidNumber(f"publication number without a country: {number!r}")
        cc, num = m.group(1), m.group(2)
    if not _HAS_DIGIT.search(num):
        raise InvalidNumber(f"not a publication number: {number!r}")
    k = (kind or "").strip().upper()
    # the same string as PubNumber(cc, number, kind).canonical, without building one
    return f"{cc}{clean_doc_number(cc, num)}{k}"


# ------------------------------------------------------------------------------------- dates

_DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y.%m.%d")


def parse_date(value: object, *, dayfirst: bool = True) -> dt.date | None:
    """Parse dates as they occur in patent data; ``None``/empty/zero dates give ``None``.

    Raises ``ValueError`` for a non-empty value that is not a date, so that readers can say so.
    ``YYYYMM00`` (day unknown, common in old records) becomes the first of the month.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if len(s) == 8 and s.isascii() and s.isdigit() and s != "00000000":
        # YYYYMMDD, by far the most common spelling: what the steps below give (the day-00 rule, then
        # strptime("%Y%m%d")), without their cost
        day = s[6:]
        try:
            return dt.date(int(s[:4]), int(s[4:6]), 1 if day == "00" else int(day))
        except ValueError:
            pass  # not a calendar date: the formats below refuse it too, with the usual error
    if not s or s in ("0", "00000000", "0000-00-00"):
        return None
    s = s.split("T", 1)[0]
    if re.fullmatch(r"\d{8}", s) and s.endswith("00"):
        s = s[:6] + "01"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?", s):
        s = s[:10]
    formats = _DATE_FORMATS if dayfirst else ("%Y%m%d", "%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d")
    for fmt in formats:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def lenient_date(value: object) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


# ------------------------------------------------------------------------------------- text

def clean_text(value: str | None) -> str | None:
    """Whitespace runs collapsed to one space, ends stripped; None when nothing is left."""
    if value is None:
        return None
    s = str(value)
    # Every whitespace character but the plain space is non-printable, so a printable text without a
    # double space has nothing to collapse: only its ends need stripping (most texts, and far cheaper
    # than the substitution). `str.split()` and `\s` agree on what whitespace is.
    if s.isprintable() and "  " not in s:
        s = s.strip()
    else:
        s = " ".join(s.split())
    return s or None


def clean_name(value: str | None) -> str | None:
    """A party name as printed, with whitespace tidied and stray trailing punctuation removed."""
    s = clean_text(value)
    if s is None:
        return None
    s = s.strip(" ;,")
    return s or None


_LANG_ALIASES = {"eng": "en", "english": "en", "chi": "zh", "zho": "zh", "cn": "zh", "chinese": "zh",
                 "ger": "de", "deu": "de", "fre": "fr", "fra": "fr", "por": "pt", "jpn": "ja", "jp": "ja",
                 "kor": "ko", "kr": "ko", "spa": "es", "rus": "ru"}


def lang_code(value: str | None, default: str = "und") -> str:
    if not value:
        return default
    s = value.strip().lower().replace("_", "-")
    s = _LANG_ALIASES.get(s, s)
    if "-" in s and not s.startswith("zh"):
        s = s.split("-", 1)[0]
    return s or default


# ------------------------------------------------------------------------------------- classes

_IPC_RE = re.compile(r"^([A-HY])\s*(\d{2})\s*([A-Z])\s*(?:(\d{1,4})\s*(?:/\s*(\d{1,6}))?)?")


def ipc_symbol(value: str | None) -> str | None:
    """Compact IPC/CPC symbol: ``H01M 10/052`` / ``H01M  10/0525`` / ``H01M0010052500`` -> ``H01M10/0525``."""
    if not value:
        return None
    s = unicodedata.normalize("NFKC", value).upper().strip()
    # fixed-width form used in IPCR fields of some exports: H01M0010052500 (group 4 digits, subgroup 6)
    m = re.fullmatch(r"([A-HY]\d{2}[A-Z])(\d{4})(\d{6})", s.replace(" ", ""))
    if m:
        group = m.group(2).lstrip("0") or "0"
        sub = m.group(3).rstrip("0")
        sub = sub.ljust(2, "0") if sub else "00"
        return f"{m.group(1)}{group}/{sub}"
    m = _IPC_RE.match(s)
    if not m:
        return None
    sec, cls, sub, group, subgroup = m.groups()
    out = f"{sec}{cls}{sub}"
    if group:
        out += str(int(group))
        if subgroup:
            out += "/" + subgroup
    return out


def ipc_from_parts(section: str | None, klass: str | None, subclass: str | None, group: str | None,
                   subgroup: str | None) -> str | None:
    if not (section and klass and subclass):
        return None
    out = f"{section.strip()}{klass.strip()}{subclass.strip()}".upper()
    if group and group.strip():
        out += str(int(group.strip())) if group.strip().isdigit() else group.strip()
        if subgroup and subgroup.strip():
            out += "/" + subgroup.strip()
    return out


# ------------------------------------------------------------------------------------- families

def family_key_from_priorities(priorities: list[tuple[str | None, str]]) -> str | None:
    """A simple-family key derived from the set of priority claims (country + cleaned number)."""
    keys = sorted({f"{(cc or '').upper()}{re.sub(r'[^0-9A-Z]', '', num.upper())}" for cc, num in priorities if num})
    if not keys:
        return None
    return "P:" + hashlib.sha1("|".join(keys).encode()).hexdigest()[:16]
