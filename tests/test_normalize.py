"""The one normalization module: publication numbers, dates, classification symbols, family keys."""

from __future__ import annotations

import datetime as dt

import pytest

from patentdesk.errors import InvalidNumber, UserError
from patentdesk.normalize import (
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
    parse_number,
)

# ------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "country", "number", "kind", "canonical"),
    [
        ("US7783348B2", "US", "7783348", "B2", "US7783348B2"),
        ("US 7,783,348 B2", "US", "7783348", "B2", "US7783348B2"),
        ("US07783348", "US", "7783348", None, "US7783348"),
        ("us 07783348 b2", "US", "7783348", "B2", "US7783348B2"),
        ("US 6,836,899 B1", "US", "6836899", "B1", "US6836899B1"),
        ("WO 2008/155316 A1", "WO", "2008155316", "A1", "WO2008155316A1"),
        ("WO2008155316A1", "WO", "2008155316", "A1", "WO2008155316A1"),
        # Lens document keys carry the publication date after the kind
        ("CN_218289675_U_20230113", "CN", "218289675", "U", "CN218289675U"),
        ("CN 101234567 A", "CN", "101234567", "A", "CN101234567A"),
        ("EP 1 234 567 A1", "EP", "1234567", "A1", "EP1234567A1"),
        ("EP1234567B1", "EP", "1234567", "B1", "EP1234567B1"),
        ("JP 2005-123456 A", "JP", "2005123456", "A", "JP2005123456A"),
        ("KR 10-2010-0012345 A", "KR", "1020100012345", "A", "KR1020100012345A"),
        # US series letters keep their letter, lose the zero padding
        ("USD0586076", "US", "D586076", None, "USD586076"),
        ("USD586076S1", "US", "D586076", "S1", "USD586076S1"),
        ("usd0586076", "US", "D586076", None, "USD586076"),
        ("USRE043210", "US", "RE43210", None, "USRE43210"),
        ("USPP012345", "US", "PP12345", None, "USPP12345"),
        # US application publications: year + 7-digit serial, the zeros are significant
        ("US 2011/0185700 A1", "US", "20110185700", "A1", "US20110185700A1"),
        ("US20060288462A1", "US", "20060288462", "A1", "US20060288462A1"),
    ],
)
def test_parse_number_spellings(text: str, country: str, number: str, kind: str | None, canonical: str) -> None:
    pn = parse_number(text)
    assert (pn.country, pn.number, pn.kind) == (country, number, kind)
    assert pn.canonical == canonical


def test_parse_number_default_country() -> None:
    assert parse_number("7,783,348 B2", default_country="US").canonical == "US7783348B2"
    assert parse_number("EP1234567B1", default_country="US").canonical == "EP1234567B1"


@pytest.mark.parametrize("garbage", ["", "   ", "foo", "US", "XX", "USXYZ", "US-B2", "7783348",
                                     "US 7783348 B2 extra", "12345", None])
def test_parse_number_garbage(garbage: str | None) -> None:
    with pytest.raises(InvalidNumber):
        parse_number(garbage)  # type: ignore[arg-type]


def test_invalid_number_is_a_user_error() -> None:
    # the CLI and the web layer turn it into a 400, not a crash
    assert issubclass(InvalidNumber, UserError)
    assert InvalidNumber.status == 400


@pytest.mark.parametrize(
    ("country", "number", "kind", "canonical"),
    [
        ("US", "07783348", "B2", "US7783348B2"),
        ("US", "D0586076", "S1", "USD586076S1"),
        ("US", "RE043210", "E", "USRE43210E"),
        ("US", "2006/0288462", "A1", "US20060288462A1"),
        ("wo", "2008/155316", " a1 ", "WO2008155316A1"),
        (None, "WO2008155316", "A1", "WO2008155316A1"),
        ("CN", "218289675", "U", "CN218289675U"),
        ("EP", "1234567", "", "EP1234567"),
    ],
)
def test_canonical_number_from_parts(country: str | None, number: str, kind: str, canonical: str) -> None:
    assert canonical_number(country, number, kind) == canonical


@pytest.mark.parametrize(("country", "number"), [(None, "1234567"), ("US", "ABC"), ("US", "")])
def test_canonical_number_refuses(country: str | None, number: str) -> None:
    with pytest.raises(InvalidNumber):
        canonical_number(country, number, "A")


def test_clean_doc_number() -> None:
    assert clean_doc_number("US", "07783348") == "7783348"
    assert clean_doc_number("US", "D0586076") == "D586076"
    assert clean_doc_number("US", "2011/0185700") == "20110185700"
    assert clean_doc_number("WO", "2008/155316") == "2008155316"
    assert clean_doc_number("EP", "0 123 456") == "123456"


# ------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize(
    "value",
    ["20050104", "2005-01-04", "04/01/2005", "04.01.2005", "2005/01/04", "04-01-2005", "2005.01.04",
     "2005-01-04T10:00:00Z", "2005-01-04 10:22", "2005-01-04 10:22:33", " 20050104 ", 20050104,
     dt.date(2005, 1, 4), dt.datetime(2005, 1, 4, 3, 0)],
)
def test_parse_date_formats(value: object) -> None:
    assert parse_date(value) == dt.date(2005, 1, 4)


def test_parse_date_unknown_day_is_first_of_month() -> None:
    assert parse_date("20050100") == dt.date(2005, 1, 1)
    assert parse_date("19991200") == dt.date(1999, 12, 1)


def test_parse_date_month_first() -> None:
    assert parse_date("01/13/2005", dayfirst=False) == dt.date(2005, 1, 13)
    assert parse_date("04/01/2005", dayfirst=False) == dt.date(2005, 4, 1)


@pytest.mark.parametrize("empty", [None, "", "  ", "0", "00000000", "0000-00-00"])
def test_parse_date_empty_is_none(empty: object) -> None:
    assert parse_date(empty) is None


@pytest.mark.parametrize("junk", ["junk", "2005-13-01", "20051301", "2005", "01/13/2005", "2005-02-30", "n/a"])
def test_parse_date_junk_raises(junk: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(junk)


def test_lenient_date() -> None:
    assert lenient_date("junk") is None
    assert lenient_date("20050104") == dt.date(2005, 1, 4)


# ------------------------------------------------------------------------------------- classes

@pytest.mark.parametrize(
    ("value", "symbol"),
    [
        ("H01M 10/052", "H01M10/052"),
        ("H01M  10/0525", "H01M10/0525"),
        ("H01M10/0525", "H01M10/0525"),
        ("h01m10/0525", "H01M10/0525"),
        ("G06N 3/0454", "G06N3/0454"),
        # fixed-width IPCR field: 4-digit main group, 6-digit subgroup padded with zeros
        ("H01M0010052500", "H01M10/0525"),
        ("G06N0003080000", "G06N3/08"),
        ("H01M0010000000", "H01M10/00"),
        ("B64C", "B64C"),
    ],
)
def test_ipc_symbol(value: str, symbol: str) -> None:
    assert ipc_symbol(value) == symbol


@pytest.mark.parametrize("junk", [None, "", "xyz", "12/34"])
def test_ipc_symbol_junk(junk: str | None) -> None:
    assert ipc_symbol(junk) is None


def test_ipc_from_parts() -> None:
    assert ipc_from_parts("H", "01", "M", "10", "0525") == "H01M10/0525"
    assert ipc_from_parts("H", "01", "M", "010", None) == "H01M10"
    assert ipc_from_parts(None, "01", "M", "10", "0525") is None


# ------------------------------------------------------------------------------------- families

def test_family_key_is_order_and_spelling_independent() -> None:
    a = family_key_from_priorities([("US", "60/123,456"), ("EP", "03123456")])
    b = family_key_from_priorities([("EP", "03123456"), ("us", "60123456")])
    assert a == b
    assert a is not None and a.startswith("P:")


def test_family_key_differs_for_other_priorities() -> None:
    a = family_key_from_priorities([("US", "60123456")])
    b = family_key_from_priorities([("US", "60123457")])
    assert a != b


def test_family_key_without_priorities() -> None:
    assert family_key_from_priorities([]) is None
    assert family_key_from_priorities([("US", "")]) is None


# ------------------------------------------------------------------------------------- text

def test_clean_text_and_names() -> None:
    assert clean_text("  a \n\t b ") == "a b"
    assert clean_text("   ") is None
    assert clean_text(None) is None
    assert clean_name("  ACME,  Inc. ; ") == "ACME, Inc."
    assert clean_name(" ; ") is None


@pytest.mark.parametrize(("value", "code"), [("EN", "en"), ("eng", "en"), ("chi", "zh"), ("de-DE", "de"),
                                             ("jpn", "ja"), (None, "und"), ("", "und")])
def test_lang_code(value: str | None, code: str) -> None:
    assert lang_code(value) == code
