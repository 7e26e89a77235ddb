"""The query language: a CQL dialect compatible with Espacenet's smart search.

`parse(text)` turns a query into an AST or raises `QuerySyntaxError` with the 1-based character
position of the problem and a hint. Nothing is guessed: a query is either read exactly as
`GRAMMAR` says or refused.

Boolean operators have equal precedence and are read from left to right, as in Espacenet
(``a or b and c`` is ``(a or b) and c``); proximity binds tighter than any of them. A word
without a field searches all text and party names (`fields.DEFAULT_FIELD`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Union

from ..errors import QuerySyntaxError
from ..index.analysis import WILDCARDS, analyze_query_word, literal_length
from . import fields as F
from .fields import Field

GRAMMAR = r"""
query      = expression EOF ;
expression = unit { [ "and" | "or" | "not" ] unit } ;        (* left to right; no operator: and *)
unit       = "not" unit | proximity ;
proximity  = primary [ PROX primary ] ;                       (* operands: words, phrases, or (a or b) *)
primary    = "(" expression ")" | clause | PHRASE | WORD ;
clause     = FIELD relation value ;
relation   = "=" | ":" | "all" | "any" | "within" | "<" | "<=" | ">" | ">=" ;
value      = WORD | PHRASE | "(" expression ")" ;              (* a group: its words take the field *)
PROX       = "prox" { "/distance" ( "<=" | "<" | "=" ) N | "/unit=" ( "word" | "sentence" ) | "/ordered" }
           | "w/" N | "near/" N | "pre/" N | "adj/" N | "w/s" ;
WORD       = letters, digits and * ? # (truncation), without spaces, quotes, parentheses or = < > ;
PHRASE     = '"' any characters but '"' '"' ;
""".strip()

MAX_DISTANCE = 999  # below the sentence gap of the index, so word distance never spans sentences
PHRASE_PROXIMITY_LIMIT = 50  # a phrase operand is matched exactly by enumerating its offsets

PROX_FORMS: dict[str, str] = {
    "a prox/distance<=n b": "a and b at most n words apart, in any order",
    "a prox/distance<n b": "a and b less than n words apart, in any order",
    "a prox/ordered/distance<=n b": "b follows a, at most n words after it",
    "a prox/unit=sentence b": "a and b in the same sentence",
    "a w/n b, a near/n b": "same as prox/distance<=n",
    "a pre/n b, a adj/n b": "same as prox/ordered/distance<=n",
    "a w/s b": "same as prox/unit=sentence",
}


# ----------------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Match:
    """A word (maybe truncated) or a quoted phrase in a field."""

    field: Field
    text: str
    phrase: bool
    pos: int


@dataclass(frozen=True)
class ClassMatch:
    field: Field
    symbol: str  # compact, upper case: H01M10/05
    low: bool  # /low: the symbol and everything below it
    pattern: bool  # symbol contains truncation
    pos: int


@dataclass(frozen=True)
class Range:
    """Inclusive bounds; dates as YYYYMMDD integers."""

    field: Field
    low: int | None
    high: int | None
    pos: int


@dataclass(frozen=True)
class Bool:
    op: str  # and | or
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class Prox:
    left: "Node"  # Match, or Bool("or") of Matches
    right: "Node"
    distance: int | None  # None: same sentence
    ordered: bool
    pos: int


Node = Union[Match, ClassMatch, Range, Bool, Not, Prox]


# ----------------------------------------------------------------------------------- lexer
@dataclass(frozen=True)
class Tok:
    kind: str  # LP RP PHRASE WORD REL PROX AND OR NOT EOF
    value: str
    pos: int  # 1-based
    end: int  # 1-based, exclusive
    prox: tuple[int | None, bool] | None = None  # (distance or None for sentence, ordered)


_REL_RE = re.compile(r"<>|==|<=|>=|=|<|>")
_WORD_STOP = set(' \t\r\n()"“”=<>')
_QUOTES = {'"': '"', "“": "”", "”": "”"}


def _err(message: str, pos: int | None, hint: str | None, query: str) -> QuerySyntaxError:
    return QuerySyntaxError(message, pos, hint, query)


def tokenize(query: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(Tok("LP", c, i + 1, i + 2))
            i += 1
            continue
        if c == ")":
            toks.append(Tok("RP", c, i + 1, i + 2))
            i += 1
            continue
        if c in _QUOTES:
            close = _QUOTES[c]
            j = query.find(close, i + 1)
            if close != '"' and j < 0:
                j = query.find('"', i + 1)
            if j < 0:
                raise _err("unclosed quote", i + 1, "add the closing \" at the end of the phrase", query)
            toks.append(Tok("PHRASE", query[i + 1:j], i + 1, j + 2))
            i = j + 1
            continue
        m = _REL_RE.match(query, i)
        if m:
            rel = m.group()
            if rel in ("==", "<>"):
                raise _err(f"relation {rel!r} is not supported", i + 1,
                           "use = (or 'not' to exclude)", query)
            toks.append(Tok("REL", rel, i + 1, m.end() + 1))
            i = m.end()
            continue
        prox = _lex_prox(query, i)
        if prox is not None:
            toks.append(prox)
            i = prox.end - 1
            continue
        j = i
        while j < n and query[j] not in _WORD_STOP:
            j += 1
        word = query[i:j]
        low = word.lower()
        if low in ("and", "or", "not"):
            toks.append(Tok(low.upper(), low, i + 1, j + 1))
        elif ":" in word and F.lookup(word.split(":", 1)[0]) is not None and not word.endswith(":"):
            name, rest = word.split(":", 1)
            toks.append(Tok("WORD", name, i + 1, i + 1 + len(name)))
            toks.append(Tok("REL", ":", i + 1 + len(name), i + 2 + len(name)))
            toks.append(Tok("WORD", rest, i + 2 + len(name), j + 1))
        elif word.endswith(":") and len(word) > 1 and F.lookup(word[:-1]) is not None:
            toks.append(Tok("WORD", word[:-1], i + 1, j))
            toks.append(Tok("REL", ":", j, j + 1))
        else:
            toks.append(Tok("WORD", word, i + 1, j + 1))
        i = j
    toks.append(Tok("EOF", "", n + 1, n + 1))
    return toks


_PROX_START = re.compile(r"(?i)(prox)(?=[/\s()\"]|$)|(w|near|pre|adj)/")
_PROX_END = re.compile(r"[\s()\"]|$")


def _lex_prox(query: str, i: int) -> Tok | None:
    m = _PROX_START.match(query, i)
    if not m:
        return None
    end = _PROX_END.search(query, m.end()).start()  # type: ignore[union-attr]
    text = query[i:end]
    pos = i + 1
    if m.group(1):
        spec = _parse_prox_modifiers(text, pos, query)
    else:
        spec = _parse_prox_short(m.group(2).lower(), text[m.end() - i:], pos, query)
    return Tok("PROX", text, pos, end + 1, spec)


def _parse_prox_short(op: str, arg: str, pos: int, query: str) -> tuple[int | None, bool]:
    if arg.lower() == "s" and op in ("w", "near"):
        return None, False
    if not arg.isdigit():
        raise _err(f"bad proximity operator {op}/{arg}", pos,
                   f"write {op}/n with a number of words n, e.g. {op}/5" + (", or w/s for the same sentence"
                                                                              if op == "w" else ""), query)
    return _distance(int(arg), pos, query), op in ("pre", "adj")


def _parse_prox_modifiers(text: str, pos: int, query: str) -> tuple[int | None, bool]:
    distance: int | None = None
    unit = "word"
    ordered = False
    offset = len("prox")
    for mod in text[offset:].split("/")[1:]:
        mpos = pos + offset + 1
        offset += len(mod) + 1
        low = mod.lower().replace(" ", "")
        dm = re.fullmatch(r"distance(<=|<|=)(\d+)", low)
        um = re.fullmatch(r"unit=(\w+)", low)
        if dm:
            n = int(dm.group(2))
            distance = _distance(n - 1 if dm.group(1) == "<" else n, mpos, query)
        elif um:
            unit = um.group(1)
            if unit == "paragraph":
                raise _err("prox/unit=paragraph is not supported", mpos,
                           "use prox/unit=sentence or prox/distance<=n", query)
            if unit not in ("word", "sentence"):
                raise _err(f"unknown proximity unit {um.group(1)!r}", mpos, "units: word, sentence", query)
        elif low == "ordered":
            ordered = True
        elif low == "unordered":
            ordered = False
        else:
            raise _err(f"unknown proximity modifier {mod!r}", mpos,
                       "modifiers: /distance<=n, /distance<n, /unit=sentence, /ordered", query)
    if unit == "sentence":
        if distance is not None:
            raise _err("prox/unit=sentence takes no distance", pos,
                       "sentence proximity means: in the same sentence", query)
        return None, ordered
    if distance is None:
        raise _err("prox needs a distance or a unit", pos,
                   "write prox/distance<=n (n words) or prox/unit=sentence", query)
    return distance, ordered


def _distance(n: int, pos: int, query: str) -> int:
    if not 1 <= n <= MAX_DISTANCE:
        raise _err(f"proximity distance {n} is out of range", pos, f"use a distance from 1 to {MAX_DISTANCE}",
                   query)
    return n


# ----------------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = tokenize(query)
        self.i = 0
        self.open_parens: list[int] = []

    # -- helpers
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, message: str, pos: int | None, hint: str | None = None) -> QuerySyntaxError:
        return _err(message, pos, hint, self.query)

    # -- grammar
    def parse(self) -> Node:
        if self.tok.kind == "EOF":
            raise self.error("empty query", None, 'type words to search, e.g. ti=battery or "jet engine"')
        node = self.expression(F.DEFAULT_FIELD)
        t = self.tok
        if t.kind == "RP":
            raise self.error("unexpected ')'", t.pos, "remove it or add the matching '(' before it")
        if t.kind != "EOF":  # pragma: no cover - expression() consumes everything else
            raise self.error(f"unexpected {t.value!r}", t.pos)
        return node

    def expression(self, field: Field) -> Node:
        node = self.unit(field)
        while True:
            t = self.tok
            if t.kind in ("EOF", "RP"):
                return node
            if t.kind in ("AND", "OR", "NOT"):
                self.take()
                if self.tok.kind in ("EOF", "RP", "AND", "OR") or (t.kind == "NOT" and self.tok.kind == "NOT"):
                    raise self.error(f"'{t.value}' needs a search term after it", self.tok.pos,
                                     "remove the operator or add a term")
                if t.kind == "AND" and self.tok.kind == "NOT":  # "a and not b"
                    self.take()
                    if self.tok.kind in ("EOF", "RP", "AND", "OR", "NOT"):
                        raise self.error("'not' needs a search term after it", self.tok.pos,
                                         "remove the operator or add a term")
                    node = _and(node, Not(self.unit(field)))
                    continue
                right = self.unit(field)
                if t.kind == "AND":
                    node = _and(node, right)
                elif t.kind == "OR":
                    node = _or(node, right)
                else:
                    node = _and(node, Not(right))
                continue
            if t.kind == "PROX":
                raise self.error("chained proximity is not supported", t.pos,
                                 "combine pairs instead: (a w/3 b) and (b w/3 c)")
            if t.kind == "REL":
                raise self.error(f"unexpected {t.value!r}", t.pos, "a relation needs a field name before it, "
                                 "e.g. ti=word")
            node = _and(node, self.unit(field))  # no operator: and

    def unit(self, field: Field) -> Node:
        t = self.tok
        if t.kind == "NOT":
            self.take()
            if self.tok.kind in ("EOF", "RP", "AND", "OR", "NOT"):
                raise self.error("'not' needs a search term after it", self.tok.pos,
                                 "remove the operator or add a term")
            return Not(self.unit(field))
        if t.kind in ("AND", "OR"):
            raise self.error(f"'{t.value}' needs a search term before it", t.pos,
                             "remove the operator or add a term")
        left = self.primary(field)
        if self.tok.kind != "PROX":
            return left
        op = self.take()
        if self.tok.kind in ("EOF", "RP", "AND", "OR", "NOT", "PROX"):
            raise self.error(f"'{op.value}' needs a word or phrase after it", self.tok.pos)
        right_tok = self.tok
        right = self.primary(field)
        assert op.prox is not None
        distance, ordered = op.prox
        self._check_prox_operand(left, t)
        self._check_prox_operand(right, right_tok)
        lf, rf = _operand_fields(left), _operand_fields(right)
        if lf != rf:
            raise self.error("proximity operands must be in the same field", op.pos,
                             f"both sides use one field, e.g. {lf[0]}=(a {op.value} b)")
        if distance is not None and distance > PHRASE_PROXIMITY_LIMIT and (_has_phrase(left) or _has_phrase(right)):
            raise self.error(f"a phrase in a proximity takes a distance up to {PHRASE_PROXIMITY_LIMIT}", op.pos,
                             "shorten the distance or use single words")
        if distance is None and (_has_phrase(left) or _has_phrase(right)):
            raise self.error("a phrase cannot be an operand of sentence proximity", op.pos,
                             "use single words: (a w/s b) and \"a phrase\"")
        return Prox(left, right, distance, ordered, op.pos)

    def _check_prox_operand(self, node: Node, at: Tok) -> None:
        ok = isinstance(node, Match) and node.field.kind in F.POSITIONAL_KINDS or (
            isinstance(node, Bool) and node.op == "or" and all(
                isinstance(c, Match) and c.field.kind in F.POSITIONAL_KINDS for c in node.children))
        if not ok:
            raise self.error("proximity operands must be words or phrases", at.pos,
                             "use a word, a \"phrase\" or (word or word) of a text field on each side")

    def primary(self, field: Field) -> Node:
        t = self.tok
        if t.kind == "LP":
            self.take()
            self.open_parens.append(t.pos)
            if self.tok.kind == "RP":
                raise self.error("empty parentheses", t.pos, "put a search term inside or remove them")
            node = self.expression(field)
            if self.tok.kind != "RP":
                raise self.error("unclosed parenthesis", t.pos, "add ')' to close it")
            self.take()
            self.open_parens.pop()
            return node
        if t.kind == "RP":
            raise self.error("unexpected ')'", t.pos, "remove it or add the matching '(' before it")
        if t.kind == "PHRASE":
            self.take()
            return self.value_node(field, t.value, True, t.pos)
        if t.kind == "WORD":
            nxt = self.peek()
            if nxt.kind == "REL" or (nxt.kind == "WORD" and nxt.value.lower() in ("all", "any", "within")
                                     and F.lookup(t.value) is not None):
                return self.clause()
            self.take()
            return self.value_node(field, t.value, False, t.pos)
        if t.kind == "REL":
            raise self.error(f"unexpected {t.value!r}", t.pos,
                             "a relation needs a field name before it, e.g. ti=word")
        if t.kind == "PROX":
            raise self.error(f"'{t.value}' needs a word or phrase before it", t.pos)
        raise self.error("missing search term", t.pos, "the query ends too early")

    def clause(self) -> Node:
        name_tok = self.take()
        rel_tok = self.take()
        field = F.lookup(name_tok.value)
        if field is None:
            close = difflib.get_close_matches(name_tok.value.lower(), F.field_names(), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise self.error(f"unknown field {name_tok.value!r}", name_tok.pos,
                             hint + "fields: " + ", ".join(f.name for f in F.FIELDS))
        rel = rel_tok.value.lower()
        if rel not in F.RELATIONS_BY_KIND[field.kind]:
            raise self.error(f"relation {rel_tok.value!r} does not apply to {field.name} ({field.kind})",
                             rel_tok.pos, f"{field.name} takes " + ", ".join(F.RELATIONS_BY_KIND[field.kind]))
        v = self.tok
        if v.kind in ("EOF", "RP", "AND", "OR", "NOT", "PROX", "REL"):
            raise self.error(f"missing value after {name_tok.value}{'' if rel in '=:<>' else ' '}{rel_tok.value}",
                             v.pos, f"e.g. {field.example}")
        if rel in ("all", "any"):
            self.take()
            if v.kind == "LP":
                raise self.error(f"'{rel}' takes a quoted list of words", v.pos, f'e.g. {field.name} {rel} "a b c"')
            words = v.value.split()
            if not words:
                raise self.error("empty word list", v.pos, f'e.g. {field.name} {rel} "a b c"')
            nodes = []
            offset = 0
            for w in words:
                offset = v.value.index(w, offset)
                nodes.append(self.value_node(field, w, False, v.pos + 1 + offset if v.kind == "PHRASE" else v.pos))
                offset += len(w)
            if len(nodes) == 1:
                return nodes[0]
            return Bool("and" if rel == "all" else "or", tuple(nodes))
        if rel == "within":
            self.take()
            return self.within(field, v)
        if rel in ("<", "<=", ">", ">="):
            self.take()
            if v.kind not in ("WORD", "PHRASE"):
                raise self.error(f"missing value after {rel}", v.pos, f"e.g. {field.name}{rel}2010")
            return self.compare(field, rel, v)
        if v.kind == "LP":
            if field.kind in F.RANGE_KINDS:
                raise self.error(f"{field.name} takes a single value, not a group", v.pos,
                                 f'use {field.name} within "from,to" or combine clauses with or')
            return self.primary(field)
        self.take()
        return self.value_node(field, v.value, v.kind == "PHRASE", v.pos)

    # -- values
    def value_node(self, field: Field, text: str, quoted: bool, pos: int) -> Node:
        kind = field.kind
        value = text.strip()
        if not value:
            raise self.error("empty phrase", pos, "put words between the quotes")
        if kind in F.RANGE_KINDS:
            low, high = self.bounds(field, value, pos)
            return Range(field, low, high, pos)
        if kind == "class":
            return self.class_node(field, value, pos)
        if kind in ("number", "keyword"):
            if any(c in WILDCARDS for c in value) and literal_length(value) < 2:
                raise self.error(f"truncated value {value!r} needs at least 2 letters or digits", pos)
            if not re.search(r"[^\W_]", value):
                raise self.error(f"no searchable value in {value!r}", pos)
            return Match(field, value, quoted, pos)
        # text and name
        for word in value.split():
            if any(c in WILDCARDS for c in word) and literal_length(word) < 2:
                raise self.error(f"truncated word {word!r} needs at least 2 letters or digits", pos,
                                 "write more of the word before * ? or #")
        if not any(analyze_query_word(w) for w in value.split()):
            raise self.error(f"no searchable word in {value!r}", pos, "use letters or digits")
        return Match(field, value, quoted or len(value.split()) > 1, pos)

    def class_node(self, field: Field, value: str, pos: int) -> ClassMatch:
        s = value.upper().replace(" ", "")
        low = False
        if s.endswith("/LOW"):
            low, s = True, s[: -len("/LOW")]
        pattern = any(c in WILDCARDS for c in s)
        valid = r"[A-HY](\d{2}([A-Z](\d{1,4}(/\d{1,6})?)?)?)?"
        if pattern:
            if low:
                raise self.error("/low cannot be combined with truncation", pos, f"{field.name}={s}/low")
            if not re.fullmatch(r"[A-Z0-9/*?#]+", s) or literal_length(s) < 2:
                raise self.error(f"{value!r} is not a classification pattern", pos, "e.g. H01M10/05*")
        elif not re.fullmatch(valid, s):
            raise self.error(f"{value!r} is not a classification symbol", pos,
                             "write a section, class, subclass, group or subgroup: H, H01, H01M, H01M10, H01M10/05")
        if not pattern and "/" not in s and len(s) > 4:
            s = s[:4] + str(int(s[4:]))  # H01M010 -> H01M10
        elif not pattern and "/" in s:
            head, sub = s.split("/")
            s = head[:4] + str(int(head[4:])) + "/" + sub
        return ClassMatch(field, s, low, pattern, pos)

    def bounds(self, field: Field, value: str, pos: int) -> tuple[int, int]:
        if field.kind == "date":
            return date_bounds(value, pos, self.query)
        if not re.fullmatch(r"-?\d+", value):
            raise self.error(f"{field.name} takes a whole number, not {value!r}", pos, f"e.g. {field.example}")
        n = int(value)
        return n, n

    def compare(self, field: Field, rel: str, v: Tok) -> Range:
        low, high = self.bounds(field, v.value.strip(), v.pos)
        if rel == ">=":
            return Range(field, low, None, v.pos)
        if rel == "<=":
            return Range(field, None, high, v.pos)
        if rel == ">":
            return Range(field, after(field, high), None, v.pos)
        return Range(field, None, before(field, low), v.pos)

    def within(self, field: Field, v: Tok) -> Range:
        if v.kind not in ("WORD", "PHRASE"):
            raise self.error("within takes two values", v.pos, f'e.g. {field.name} within "2005,2013"')
        parts = [p for p in re.split(r"[,\s]+", v.value.strip()) if p]
        if len(parts) != 2:
            raise self.error(f"within takes two values, not {len(parts)}", v.pos,
                             f'e.g. {field.name} within "2005,2013"')
        low, _ = self.bounds(field, parts[0], v.pos)
        _, high = self.bounds(field, parts[1], v.pos)
        if low > high:
            raise self.error(f"empty range: {parts[0]} is after {parts[1]}", v.pos, "put the earlier value first")
        return Range(field, low, high, v.pos)


def _and(a: Node, b: Node) -> Node:
    if isinstance(a, Bool) and a.op == "and":
        return Bool("and", a.children + (b,))
    return Bool("and", (a, b))


def _or(a: Node, b: Node) -> Node:
    if isinstance(a, Bool) and a.op == "or":
        return Bool("or", a.children + (b,))
    return Bool("or", (a, b))


def _operand_fields(node: Node) -> tuple[str, ...]:
    if isinstance(node, Match):
        return node.field.targets
    assert isinstance(node, Bool)
    return _operand_fields(node.children[0])


def _has_phrase(node: Node) -> bool:
    if isinstance(node, Match):
        return len(analyze_query_word(node.text)) > 1 or len(node.text.split()) > 1
    return isinstance(node, Bool) and any(_has_phrase(c) for c in node.children)


_DATE_FORMATS = (
    (re.compile(r"(\d{4})"), "y"),
    (re.compile(r"(\d{4})-?(\d{2})"), "ym"),
    (re.compile(r"(\d{4})-?(\d{2})-?(\d{2})"), "ymd"),
    (re.compile(r"(\d{2})[./](\d{2})[./](\d{4})"), "dmy"),
)


def date_bounds(value: str, pos: int, query: str) -> tuple[int, int]:
    """First and last day (YYYYMMDD) a date value stands for: a year, a month or a day."""
    hint = "dates are YYYY, YYYYMM, YYYYMMDD, YYYY-MM-DD or DD.MM.YYYY"
    for rx, form in _DATE_FORMATS:
        m = rx.fullmatch(value)
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        try:
            if form == "y":
                first, last = dt.date(g[0], 1, 1), dt.date(g[0], 12, 31)
            elif form == "ym":
                first = dt.date(g[0], g[1], 1)
                last = (dt.date(g[0] + (g[1] == 12), g[1] % 12 + 1, 1) - dt.timedelta(days=1))
            elif form == "ymd":
                first = last = dt.date(g[0], g[1], g[2])
            else:
                first = last = dt.date(g[2], g[1], g[0])
        except ValueError:
            raise _err(f"invalid date {value!r}", pos, hint, query) from None
        if first.year < 1700:
            raise _err(f"invalid date {value!r}", pos, "years start at 1700", query)
        return _ymd(first), _ymd(last)
    raise _err(f"invalid date {value!r}", pos, hint, query)


def _ymd(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _from_ymd(n: int) -> dt.date:
    return dt.date(n // 10000, n // 100 % 100, n % 100)


def after(field: Field, value: int) -> int:
    if field.kind == "date":
        return _ymd(_from_ymd(value) + dt.timedelta(days=1))
    return value + 1


def before(field: Field, value: int) -> int:
    if field.kind == "date":
        return _ymd(_from_ymd(value) - dt.timedelta(days=1))
    return value - 1


def parse(query: str) -> Node:
    """The AST of a query; `QuerySyntaxError` (message, 1-based position, hint) when it cannot be read."""
    return _Parser(query).parse()


# ----------------------------------------------------------------------------------- printing
def describe(node: Node) -> str:
    """The query as the engine reads it, fully parenthesized: what `search --explain` prints."""
    if isinstance(node, Match):
        name = node.field.name
        value = f'"{node.text}"' if node.phrase else node.text
        return value if name == F.DEFAULT_FIELD.name else f"{name}={value}"
    if isinstance(node, ClassMatch):
        return f"{node.field.name}={node.symbol}{'/low' if node.low else ''}"
    if isinstance(node, Range):
        name = node.field.name
        if node.low is not None and node.high is not None:
            return f"{name}={node.low}" if node.low == node.high else f'{name} within "{node.low},{node.high}"'
        return f"{name}>={node.low}" if node.low is not None else f"{name}<={node.high}"
    if isinstance(node, Bool):
        return "(" + f" {node.op} ".join(describe(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"not {describe(node.child)}"
    assert isinstance(node, Prox)
    if node.distance is None:
        op = "prox/unit=sentence" + ("/ordered" if node.ordered else "")
    else:
        op = ("prox/ordered" if node.ordered else "prox") + f"/distance<={node.distance}"
    return f"({describe(node.left)} {op} {describe(node.right)})"
