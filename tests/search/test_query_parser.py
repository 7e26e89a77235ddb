"""The query language: what each construct reads as, and a distinct error for each malformed query."""

from __future__ import annotations

import pytest

from patentdesk.errors import QuerySyntaxError
from patentdesk.search import fields as F
from patentdesk.search.query import Bool, ClassMatch, Match, Not, Prox, Range, describe, parse


def reads(query: str) -> str:
    return describe(parse(query))


# ------------------------------------------------------------------------------------ reading
@pytest.mark.parametrize("query, expected", [
    ('"jet engine" bird', '("jet engine" and bird)'),
    ("ti=(neural and network) and pd within \"2005,2013\" and ipc=G06N",
     '(ti=neural and ti=network and pd within "20050101,20131231" and ipc=G06N)'),
    ('ta all "lithium battery" not pa=samsung', "(ta=lithium and ta=battery and not pa=samsung)"),
    ("cl=(rotor prox/distance<=3 blade)", "(cl=rotor prox/distance<=3 cl=blade)"),
    # Espacenet: operators have equal precedence and are read left to right
    ("a or b and c", "((a or b) and c)"),
    ("a and b or c", "((a and b) or c)"),
    ("a not b or c", "((a and not b) or c)"),
    ("a b", "(a and b)"),
    ("a and not b", "(a and not b)"),
    ("not cc=US", "not cc=US"),
    ("A AND B Or c", "((A and B) or c)"),
    ("ti any \"motor engine\"", "(ti=motor or ti=engine)"),
    ("TI=Motor", "ti=Motor"),
    ("ti:motor", "ti=motor"),
    ("ftxt=rotor", "txt=rotor"),
    ("country=EP", "cc=EP"),
    ("ti=(a or (b and c))", "(ti=a or (ti=b and ti=c))"),
    ('ti="electric motor"', 'ti="electric motor"'),
    ("ti=(a pa=b)", "(ti=a and pa=b)"),
])
def test_reads(query: str, expected: str) -> None:
    assert reads(query) == expected


@pytest.mark.parametrize("query, low, high", [
    ("pd=2010", 20100101, 20101231),
    ("pd=201002", 20100201, 20100228),
    ("pd=2012-02", 20120201, 20120229),
    ("pd=20100315", 20100315, 20100315),
    ("pd=2010-03-15", 20100315, 20100315),
    ("pd=15.03.2010", 20100315, 20100315),
    ("pd>=2010", 20100101, None),
    ("pd>2010", 20110101, None),
    ("pd<2010", None, 20091231),
    ("pd<=201012", None, 20101231),
    ("pd<20100301", None, 20100228),
    ('pd within "2005,2013"', 20050101, 20131231),
    ('pd within "2005 2013"', 20050101, 20131231),
    ("ad within 200501,200502", 20050101, 20050228),
    ("prd>=1999-12-31", 19991231, None),
    ("py>2010", 2011, None),
    ('nct within "5,10"', 5, 10),
    ("nct=3", 3, 3),
])
def test_ranges(query: str, low: int | None, high: int | None) -> None:
    node = parse(query)
    assert isinstance(node, Range)
    assert (node.low, node.high) == (low, high)


@pytest.mark.parametrize("query, symbol, low, pattern", [
    ("ipc=H01M", "H01M", False, False),
    ("ipc=H01M10", "H01M10", False, False),
    ("ipc=H01M10/05", "H01M10/05", False, False),
    ("ipc=H01M10/05/low", "H01M10/05", True, False),
    ('ipc="H01M 10/05"', "H01M10/05", False, False),
    ("cpc=h01m010/0525", "H01M10/0525", False, False),
    ("ipc=H", "H", False, False),
    ("ipc=H01M10/05*", "H01M10/05*", False, True),
])
def test_classification(query: str, symbol: str, low: bool, pattern: bool) -> None:
    node = parse(query)
    assert isinstance(node, ClassMatch)
    assert (node.symbol, node.low, node.pattern) == (symbol, low, pattern)


@pytest.mark.parametrize("query, distance, ordered", [
    ("a prox/distance<=3 b", 3, False),
    ("a prox/distance<3 b", 2, False),
    ("a prox/distance=4 b", 4, False),
    ("a prox/ordered/distance<=2 b", 2, True),
    ("a prox/distance<=2/ordered b", 2, True),
    ("a prox/unit=sentence b", None, False),
    ("a prox/unit=word/distance<=5 b", 5, False),
    ("a w/5 b", 5, False),
    ("a NEAR/5 b", 5, False),
    ("a pre/5 b", 5, True),
    ("a adj/1 b", 1, True),
    ("a w/s b", None, False),
])
def test_proximity(query: str, distance: int | None, ordered: bool) -> None:
    node = parse(query)
    assert isinstance(node, Prox)
    assert (node.distance, node.ordered) == (distance, ordered)
    assert isinstance(node.left, Match) and node.left.text == "a"


def test_proximity_binds_tighter_than_boolean_operators() -> None:
    assert reads("x and a w/2 b or c") == "((x and (a prox/distance<=2 b)) or c)"


def test_proximity_operands_may_be_phrases_and_or_groups() -> None:
    node = parse('cl=("rotor blade" w/3 (tip or edge))')
    assert isinstance(node, Prox)
    assert isinstance(node.left, Match) and node.left.phrase
    assert isinstance(node.right, Bool) and node.right.op == "or"


def test_field_group_sets_the_field_of_its_words() -> None:
    node = parse("ti=(neural and network)")
    assert isinstance(node, Bool)
    assert [c.field.name for c in node.children if isinstance(c, Match)] == ["ti", "ti"]


def test_words_without_field_use_the_default_field() -> None:
    node = parse("battery")
    assert isinstance(node, Match) and node.field is F.DEFAULT_FIELD


def test_known_field_name_as_plain_word() -> None:
    # "in" is the inventor field only when a relation follows it
    assert reads("in vitro") == "(in and vitro)"


def test_not_alone_is_everything_but() -> None:
    node = parse("not pa=samsung")
    assert isinstance(node, Not)


def test_truncation_is_kept_in_the_word() -> None:
    node = parse("ti=batter*")
    assert isinstance(node, Match) and node.text == "batter*"


def test_every_field_in_the_table_parses() -> None:
    for f in F.FIELDS:
        node = parse(f.example)
        assert node is not None, f.name


# ------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("query, message, position, hint", [
    ("", "empty query", None, "type words"),
    ("   ", "empty query", None, "type words"),
    ("ti=(neural and network", "unclosed parenthesis", 4, "add ')'"),
    ("(a or (b and c)", "unclosed parenthesis", 1, "add ')'"),
    ("ti=neural)", "unexpected ')'", 10, "matching '('"),
    ("a) or (b", "unexpected ')'", 2, "matching '('"),
    ("()", "empty parentheses", 1, "put a search term"),
    ('ti="neural network', "unclosed quote", 4, 'closing "'),
    ("xx=3", "unknown field 'xx'", 1, "fields: ti"),
    ("tti=motor", "unknown field 'tti'", 1, "did you mean ti?"),
    ("pd=2013-13-01", "invalid date '2013-13-01'", 4, "YYYY-MM-DD"),
    ("pd=20130230", "invalid date '20130230'", 4, "YYYY-MM-DD"),
    ("pd>=yesterday", "invalid date 'yesterday'", 5, "YYYY"),
    ('pd within "2013,2005"', "empty range: 2013 is after 2005", 11, "earlier value first"),
    ('pd within "2013"', "within takes two values, not 1", 11, 'within "2005,2013"'),
    ("pd=1066", "invalid date '1066'", 4, "years start at 1700"),
    ("ti within 2005,2013", "relation 'within' does not apply to ti (text)", 4, "ti takes =, :, all, any"),
    ("ti>=motor", "relation '>=' does not apply to ti (text)", 3, "ti takes"),
    ("py=twenty", "py takes a whole number, not 'twenty'", 4, "py>=2010"),
    ("ti=", "missing value after ti=", 4, "ti=\"electric motor\""),
    ("ti= and ab=x", "missing value after ti=", 5, "e.g."),
    ("ti all (a b)", "'all' takes a quoted list of words", 8, 'ti all "a b c"'),
    ('ti=""', "empty phrase", 4, "between the quotes"),
    ("ti=--", "no searchable word in '--'", 4, "letters or digits"),
    ("a and", "'and' needs a search term after it", 6, "remove the operator"),
    ("a or or b", "'or' needs a search term after it", 6, "remove the operator"),
    ("and a", "'and' needs a search term before it", 1, "remove the operator"),
    ("a not", "'not' needs a search term after it", 6, "remove the operator"),
    ("=motor", "unexpected '='", 1, "field name before it"),
    ("ti==motor", "relation '==' is not supported", 3, "use ="),
    ("ti=a*", "truncated word 'a*' needs at least 2 letters or digits", 4, "more of the word"),
    ("pn=U*", "truncated value 'U*' needs at least 2 letters or digits", 4, None),
    ("ipc=X99", "'X99' is not a classification symbol", 5, "H01M10/05"),
    ("ipc=H01M10/05/lower", "'H01M10/05/lower' is not a classification symbol", 5, "H01M10"),
    ("ipc=H01M*/low", "/low cannot be combined with truncation", 5, None),
    ("ipc=(H01M or H02J)", None, None, None),  # a group of symbols is fine
    ("a prox b", "prox needs a distance or a unit", 3, "prox/distance<=n"),
    ("a prox/distanse<=3 b", "unknown proximity modifier 'distanse<=3'", 8, "/distance<=n"),
    ("a prox/unit=paragraph b", "prox/unit=paragraph is not supported", 8, "prox/unit=sentence"),
    ("a prox/unit=page b", "unknown proximity unit 'page'", 8, "sentence"),
    ("a prox/unit=sentence/distance<=3 b", "prox/unit=sentence takes no distance", 3, "same sentence"),
    ("a w/0 b", "proximity distance 0 is out of range", 3, "from 1 to 999"),
    ("a w/1000 b", "proximity distance 1000 is out of range", 3, "from 1 to 999"),
    ("a w/x b", "bad proximity operator w/x", 3, "w/5"),
    ("a w/3 b w/3 c", "chained proximity is not supported", 9, "(a w/3 b) and (b w/3 c)"),
    ("w/3 b", "'w/3' needs a word or phrase before it", 1, None),
    ("a w/3", "'w/3' needs a word or phrase after it", 6, None),
    ("ti=a w/3 ab=b", "proximity operands must be in the same field", 6, "one field"),
    ("(a and b) w/3 c", "proximity operands must be words or phrases", 1, "(word or word)"),
    ("pd=2010 w/3 c", "proximity operands must be words or phrases", 1, "(word or word)"),
    ('"a b" w/s c', "a phrase cannot be an operand of sentence proximity", 7, "single words"),
    ('"a b" w/60 c', "a phrase in a proximity takes a distance up to 50", 7, "shorten"),
    ("pd=(2010 or 2011)", "pd takes a single value, not a group", 4, "within"),
])
def test_errors(query: str, message: str | None, position: int | None, hint: str | None) -> None:
    if message is None:
        parse(query)
        return
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    e = info.value
    assert e.message == message
    assert e.position == position
    if hint is not None:
        assert e.hint is not None and hint in e.hint, e.hint
    assert e.query == query
    # the printed form carries position and hint, and is never a traceback
    assert str(e).startswith(message)


def test_each_malformed_case_has_its_own_message() -> None:
    cases = ["", "(a", "a)", "xx=1", "pd=2013-13-01", '"a']
    messages = set()
    for q in cases:
        with pytest.raises(QuerySyntaxError) as info:
            parse(q)
        messages.add(info.value.message.split("'")[0])
    assert len(messages) == len(cases)
