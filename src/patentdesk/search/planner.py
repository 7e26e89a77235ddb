"""From the query AST to a tantivy query, one exact translation per node.

A word in a text zone matches the unstemmed word, or its English stem in English (and
undetermined-language) texts, or its Portuguese stem in Portuguese texts. A word that analysis
cuts into several tokens (``lithium-ion``, a Chinese compound) is a phrase. Truncated words and
phrases or proximities that contain one match unstemmed words only.

A phrase in a stemmed variant is looked up through the word pair fields: two words are one pair
term, and a longer phrase checks positions only in the documents holding all its pairs. The
unstemmed form of a phrase or proximity without truncation or accents is checked only in the
zones marked ``rz`` (a text without a stemmed variant, or accented words): elsewhere a stemmed
variant already matches whatever those unstemmed words match, since stems are taken word by word
at the same positions. A single word is matched unstemmed everywhere, as a plain term (cheap, and
its exact form adds to the ranking).

Proximity uses tantivy phrase queries with explicit offsets: a phrase with terms at offsets
0 and k and slop s matches when the second term lies k-s to k+s positions after the first, so
each distance interval [lo, hi] is one or two such phrases. A phrase operand is matched exactly
by one slop-free phrase per possible distance.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..errors import QuerySyntaxError
from ..index import analysis as A
from ..index.fulltext import (
    RAW_ZONES,
    STEM_VARIANTS,
    alnum,
    class_terms,
    pair_field,
    pair_term,
)
from . import fields as F
from .query import Bool, ClassMatch, Match, Node, Not, Prox, Range

ZONE_BOOSTS = {"ti": 3.0, "ab": 1.5, "pa": 2.0, "in": 2.0}


@dataclass
class Highlight:
    """What the positive parts of a query match, for marking snippets."""

    words: set[str] = field(default_factory=set)
    stems: dict[str, set[str]] = field(default_factory=dict)
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    _needles: list[str] | None = field(default=None, repr=False)
    _finder: re.Pattern[str] | bool | None = field(default=None, repr=False)

    def matches(self, token: str, casefolded: str, stem_variant: str | None) -> bool:
        """Whether a document token (unstemmed form, case-folded form) is one the query matched."""
        if token in self.words:
            return True
        stems = self.stems.get(stem_variant or "")
        # stemming is costly on cold words: a stem keeps the first letter of its word (Porter2's
        # exceptions too: tying -> tie), so only tokens starting like a query stem are stemmed
        if stems and token[:1] in {s[:1] for s in stems} and A.stem(stem_variant or "", casefolded) in stems:
            return True
        return any(p.fullmatch(token) for p in self.patterns)

    def needle_finder(self) -> re.Pattern[str] | None:
        """A pattern finding the needles of `may_match` in a lower-cased ASCII line; None when a
        query term has no needle (every chunk must then be read)."""
        if self._finder is None:
            self.may_match("")
            needles = self._needles or []
            self._finder = re.compile("|".join(map(re.escape, sorted(needles, key=len, reverse=True)))) \
                if needles else False
        return self._finder or None

    def may_match(self, line: str) -> bool:
        """A cheap test that an ASCII line cannot contain a match, to skip tokenizing it: every
        match contains a query word, a stem less its last letter (batteri: batter-y), or the
        letters before a truncation (Porter2's dying/lying/tying are the exceptions; they go
        unmarked in such lines)."""
        if not line.isascii():
            return True
        if self._needles is None:
            needles = set(self.words)
            needles.update(s[:-1] or s for stems in self.stems.values() for s in stems)
            needles.update(re.split(r"[.\\\[(]", p.pattern, maxsplit=1)[0] for p in self.patterns)
            self._needles = sorted(n for n in needles if n) if all(needles) else []
        low = line.lower()
        return not self._needles or any(n in low for n in self._needles)

    def empty(self) -> bool:
        return not (self.words or self.patterns or any(self.stems.values()))


class Planner:
    def __init__(self, schema: Any) -> None:
        import tantivy

        self.t = tantivy
        self.schema = schema
        self.highlight = Highlight()
        # whether the query checks word positions over documents at large (phrases and proximity
        # outside the raw-zone marks): evaluating it is then the dear part of any pass over it
        self.positional = False
        self._gating = 0

    @contextlib.contextmanager
    def _gated(self) -> Iterator[None]:
        """Positional queries built inside are checked only in marked documents (`_raw_only`)."""
        self._gating += 1
        try:
            yield
        finally:
            self._gating -= 1

    # ------------------------------------------------------------------ entry
    def plan(self, node: Node) -> Any:
        return self._plan(node, positive=True)

    def _plan(self, node: Node, positive: bool) -> Any:
        Q, Occur = self.t.Query, self.t.Occur
        if isinstance(node, Match):
            return self._match(node, positive)
        if isinstance(node, ClassMatch):
            return self._const(self._class(node))
        if isinstance(node, Range):
            return self._const(Q.range_query(self.schema, node.field.targets[0], self.t.FieldType.Integer,
                                             node.low, node.high))
        if isinstance(node, Not):
            return Q.boolean_query([(Occur.Must, Q.all_query()),
                                    (Occur.MustNot, self._plan(node.child, not positive))])
        if isinstance(node, Prox):
            return self._prox(node, positive)
        assert isinstance(node, Bool)
        if node.op == "or":
            return Q.boolean_query([(Occur.Should, self._plan(c, positive)) for c in node.children])
        clauses = []
        for c in node.children:
            if isinstance(c, Not):
                clauses.append((Occur.MustNot, self._plan(c.child, not positive)))
            else:
                clauses.append((Occur.Must, self._plan(c, positive)))
        if all(o == Occur.MustNot for o, _ in clauses):
            clauses.insert(0, (Occur.Must, Q.all_query()))
        return Q.boolean_query(clauses)

    def _const(self, q: Any) -> Any:
        # filters (dates, classes, codes) select without changing the relevance of text matches
        return self.t.Query.const_score_query(q, 0.0)

    def _or(self, queries: list[Any]) -> Any:
        if len(queries) == 1:
            return queries[0]
        return self.t.Query.boolean_query([(self.t.Occur.Should, q) for q in queries])

    # ------------------------------------------------------------------ words and phrases
    def _tokens(self, node: Match) -> list[A.QueryToken]:
        toks = [t for w in node.text.split() for t in A.analyze_query_word(w)]
        if not toks:  # the parser refuses these; kept as a guard for direct AST use
            raise QuerySyntaxError(f"no searchable word in {node.text!r}", node.pos)
        return toks

    def _match(self, node: Match, positive: bool) -> Any:
        kind = node.field.kind
        if kind == "number":
            return self._const(self._or([self._number(t, node.text) for t in node.field.targets]))
        if kind == "keyword":
            return self._const(self._keyword(node))
        toks = self._tokens(node)
        if positive:
            self._remember(toks)
        several = len(node.field.targets) > 1
        queries = [self._boost(zone, q, several) for zone in node.field.targets
                   for q in self._zone_sequence(zone, toks)]
        if node.field is F.DEFAULT_FIELD and not node.phrase and re.search(r"\d", node.text):
            queries.append(self._const(self._or([self._number(t, node.text) for t in ("pn", "ap", "pr")])))
        return self._or(queries)

    def _boost(self, zone: str, q: Any, several: bool) -> Any:
        """Across several zones, a match in a short, telling zone weighs more (ranking only)."""
        boost = ZONE_BOOSTS.get(zone, 1.0) if several else 1.0
        return q if boost == 1.0 else self.t.Query.boost_query(q, boost)

    def _zone_sequence(self, zone: str, toks: list[A.QueryToken]) -> list[Any]:
        """A word or phrase in one zone: unstemmed, and per stemmed variant when it has no truncation."""
        items = [(i, t.text, t.pattern) for i, t in enumerate(toks)]
        if zone not in F.STEMMED_ZONES or any(t.pattern for t in toks):
            return [self._sequence(zone, items)]
        if len(toks) == 1 or not _plain_forms(toks):
            # a word alone stays a term of its own: tantivy unites plain terms far faster than terms
            # each limited to marked zones, and its exact form adds to the ranking
            out = [self._sequence(zone, items)]
        else:
            with self._gated():
                out = [self._raw_only(zone, self._sequence(zone, items))]
        for variant in STEM_VARIANTS:
            out.append(self._stemmed_sequence(zone, variant,
                                              [(i, A.stem(variant, t.casefolded), False) for i, t in enumerate(toks)]))
        return out

    def _raw_only(self, zone: str, q: Any) -> Any:
        """An unstemmed phrase or proximity, checked only where a stemmed variant cannot stand in."""
        Q, Occur = self.t.Query, self.t.Occur
        mark = self._const(Q.term_query(self.schema, RAW_ZONES, zone, "basic"))
        return Q.boolean_query([(Occur.Must, mark), (Occur.Must, q)])

    def _stemmed_sequence(self, zone: str, variant: str, items: list[tuple[int, str, bool]], slop: int = 0) -> Any:
        """Stems at offsets in a stemmed variant; neighbouring stems go through the pair field."""
        fname = f"{zone}_{variant}"
        if slop or len(items) < 2:
            return self._sequence(fname, items, slop)
        Q, Occur = self.t.Query, self.t.Occur
        pairs = list(dict.fromkeys(pair_term(a[1], b[1]) for a, b in itertools.pairwise(items) if b[0] == a[0] + 1))
        if not pairs:
            return self._sequence(fname, items)
        pfield = pair_field(zone, variant)
        if len(items) == 2:  # the whole phrase is one pair
            return Q.term_query(self.schema, pfield, pairs[0], "freq")
        clauses = [(Occur.Must, self._const(Q.term_query(self.schema, pfield, p, "basic"))) for p in pairs]
        return Q.boolean_query([*clauses, (Occur.Must, self._sequence(fname, items))])

    def _sequence(self, fname: str, items: list[tuple[int, str, bool]], slop: int = 0) -> Any:
        """Terms at offsets; one term is a term (or regex) query, more are a phrase."""
        Q = self.t.Query
        if len(items) == 1 and slop == 0:
            _, text, pattern = items[0]
            if pattern:
                return Q.regex_query(self.schema, fname, text)
            return Q.term_query(self.schema, fname, text)
        if not self._gating:
            self.positional = True
        if any(p for _, _, p in items):
            words = [(off, text if p else _rx_literal(text)) for off, text, p in items]
            return Q.regex_phrase_query(self.schema, fname, words, slop)
        return Q.phrase_query(self.schema, fname, [(off, text) for off, text, _ in items], slop)

    def _remember(self, toks: Iterable[A.QueryToken]) -> None:
        for t in toks:
            if t.pattern:
                self.highlight.patterns.append(re.compile(t.text))
            else:
                self.highlight.words.add(t.text)
                for variant in STEM_VARIANTS:
                    self.highlight.stems.setdefault(variant, set()).add(A.stem(variant, t.casefolded))

    # ------------------------------------------------------------------ codes
    def _number(self, target: str, value: str) -> Any:
        Q = self.t.Query
        if any(c in A.WILDCARDS for c in value):
            return Q.regex_query(self.schema, target, A.wildcard_regex(alnum_keep_wildcards(value)))
        terms = _number_query_terms(value) if target in ("pn", "ct") else [(alnum(value), False)]
        return self._or([Q.regex_query(self.schema, target, t) if rx else Q.term_query(self.schema, target, t, "basic")
                         for t, rx in dict.fromkeys(terms) if t])

    def _keyword(self, node: Match) -> Any:
        Q = self.t.Query
        target = node.field.targets[0]
        value = node.text.strip().lower()
        if any(c in A.WILDCARDS for c in value):
            return Q.regex_query(self.schema, target,
                                 "".join({"*": ".*", "?": ".?", "#": "."}.get(c, _rx_char(c)) for c in value))
        return Q.term_query(self.schema, target, value, "basic")

    def _class(self, node: ClassMatch) -> Any:
        Q = self.t.Query
        target = node.field.targets[0]
        s = node.symbol.lower()
        if node.pattern:
            return Q.regex_query(self.schema, target,
                                 "".join({"*": ".*", "?": ".?", "#": "."}.get(c, _rx_char(c)) for c in s))
        if node.low and "/" in s:
            head, sub = s.split("/")
            if sub.strip("0") == "":  # H01M10/00/low: the whole main group
                return Q.term_query(self.schema, target, head, "basic")
            return Q.regex_query(self.schema, target, _rx_literal(s) + "[0-9]*")
        return Q.term_query(self.schema, target, class_terms(s)[-1], "basic")

    # ------------------------------------------------------------------ proximity
    def _prox(self, node: Prox, positive: bool) -> Any:
        lefts = _alternatives(node.left)
        rights = _alternatives(node.right)
        queries = []
        for lm in lefts:
            for rm in rights:
                lt, rt = self._tokens(lm), self._tokens(rm)
                if positive:
                    self._remember(lt + rt)
                several = len(lm.field.targets) > 1
                for zone in lm.field.targets:
                    queries.extend(self._boost(zone, q, several) for q in self._prox_zone(zone, lt, rt, node))
        return self._or(queries)

    def _prox_zone(self, zone: str, lt: list[A.QueryToken], rt: list[A.QueryToken], node: Prox) -> list[Any]:
        left, right = [(t.text, t.pattern) for t in lt], [(t.text, t.pattern) for t in rt]
        if zone not in F.STEMMED_ZONES or any(t.pattern for t in lt + rt):
            return self._prox_terms(zone, None, left, right, node)
        if _plain_forms(lt + rt):
            with self._gated():
                raw = self._prox_terms(zone, None, left, right, node)
            out = [self._raw_only(zone, self._or(raw))] if raw else []
        else:
            out = self._prox_terms(zone, None, left, right, node)
        for v in STEM_VARIANTS:
            out.extend(self._prox_terms(zone, v, [(A.stem(v, t.casefolded), False) for t in lt],
                                        [(A.stem(v, t.casefolded), False) for t in rt], node))
        return out

    def _prox_terms(self, zone: str, variant: str | None, left: list[tuple[str, bool]],
                    right: list[tuple[str, bool]], node: Prox) -> list[Any]:
        """The phrases of a proximity in one zone, unstemmed (`variant` None) or in a stemmed variant."""
        fname = zone if variant is None else f"{zone}_{variant}"
        span = node.distance if node.distance is not None else A.SENTENCE_GAP - 1
        if len(left) == 1 and len(right) == 1:
            # d = position(right) - position(left); never 0 (one word cannot be both operands)
            intervals = [(1, span)] if node.ordered else [(1, span), (-span, -1)]
            return [q for lo, hi in intervals for q in self._interval(fname, left[0], right[0], lo, hi)]
        # a phrase operand: one exact phrase per distance between the facing ends
        def exact(items: list[tuple[int, str, bool]]) -> Any:
            return self._sequence(fname, items) if variant is None else self._stemmed_sequence(zone, variant, items)

        out = []
        for d in range(1, span + 1):
            out.append(exact(_placed(left, 0) + _placed(right, len(left) - 1 + d)))
            if not node.ordered:
                out.append(exact(_placed(right, 0) + _placed(left, len(right) - 1 + d)))
        return out

    def _interval(self, fname: str, a: tuple[str, bool], b: tuple[str, bool], lo: int, hi: int) -> list[Any]:
        """Phrases matching position(b) - position(a) in [lo, hi] (lo, hi same sign)."""
        if lo < 0:  # b before a: mirror
            a, b, lo, hi = b, a, -hi, -lo
        pieces = [(lo, hi)] if (hi - lo) % 2 == 0 else [(lo, hi - 1), (lo + 1, hi)]
        out = []
        for plo, phi in pieces:
            center, slop = (plo + phi) // 2, (phi - plo) // 2
            out.append(self._sequence(fname, [(0, a[0], a[1]), (center, b[0], b[1])], slop))
        return out


def _plain_forms(toks: list[A.QueryToken]) -> bool:
    """Whether each word's folded form is the form its stem is taken from (no accents): such words
    match unstemmed, in a stemmed text, only where their stems match too, except in zones marked
    `RAW_ZONES`."""
    return all(t.text == t.casefolded for t in toks)


def _placed(terms: list[tuple[str, bool]], start: int) -> list[tuple[int, str, bool]]:
    return [(start + i, text, pattern) for i, (text, pattern) in enumerate(terms)]


def _alternatives(node: Node) -> list[Match]:
    if isinstance(node, Match):
        return [node]
    assert isinstance(node, Bool)
    return [m for c in node.children for m in _alternatives(c)]


def _rx_char(c: str) -> str:
    return c if c.isalnum() else "\\" + c


def _rx_literal(text: str) -> str:
    return "".join(_rx_char(c) for c in text)


def alnum_keep_wildcards(value: str) -> str:
    return re.sub(r"[^\w*?#]+|_", "", value).lower()


def _number_query_terms(value: str) -> list[tuple[str, bool]]:
    """Index terms (or regexes) a typed publication number can be: parsed when it parses (a
    one-letter kind matches every kind starting with it), else its letters and digits."""
    from ..errors import InvalidNumber
    from ..normalize import parse_number

    flat = alnum(value)
    try:
        pn = parse_number(value)
    except InvalidNumber:
        digits = flat.lstrip("0")
        return [(flat, False), (digits, False)] if digits.isdigit() else [(flat, False)]
    base = (pn.country + pn.number).lower()
    if not pn.kind:
        return [(base, False)]
    if len(pn.kind) == 1:
        return [(_rx_literal(base + pn.kind.lower()) + "[0-9]?", True)]
    return [(base + pn.kind.lower(), False)]
