"""Text analysis shared by indexing and querying, so that both sides cut words the same way.

One tokenizer for every language, then a per-language normalization:

* words are maximal runs of letters and digits (``_`` and punctuation separate words); each word is
  NFKC-normalized (full-width letters become ASCII), case-folded and stripped of accents;
* runs of Han characters are folded from traditional to simplified Chinese (OpenCC ``t2s``) and
  segmented with jieba; a word of several characters also yields the dictionary words and the
  single characters inside it, at its own position, so that 电池 finds 锂电池 and 烟 finds 烟用;
* English (and undetermined) text is also indexed Snowball-stemmed, Portuguese text
  Portuguese-stemmed; the unstemmed words are always indexed too (truncation and exact words).

Positions count words. Sentences are separated by a gap of `SENTENCE_GAP` positions, so phrases and
word proximity never reach across a sentence, and "same sentence" is "less than `SENTENCE_GAP` apart".
A sentence ends at a line break, after ``.``, ``!`` or ``?`` followed by white space, and after
``。！？``. A sentence longer than `MAX_SENTENCE` words is cut there.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple

SENTENCE_GAP = 1000
MAX_SENTENCE = SENTENCE_GAP - 1

# Han ideographs (CJK unified, extension A, compatibility, extension B-F)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_TOKEN_RE = re.compile(
    rf"(?P<han>[{_HAN}]+)"
    rf"|(?P<word>[^\W_{_HAN}]+)"
    r"|(?P<brk>\n|[.!?](?=\s)|[。！？])"
)
_WORD_CHARS_RE = re.compile(rf"[^\W_{_HAN}]")
_HAN_RE = re.compile(rf"[{_HAN}]")

STEMMED_LANGS: dict[str, str] = {"en": "english", "pt": "portuguese"}
"""Languages indexed with a stemmer: ISO 639-1 code -> Snowball algorithm."""


class Token(NamedTuple):
    text: str  # normalized form (not stemmed)
    position: int
    start: int  # character offsets in the original text
    end: int


# NamedTuple's generated __new__ is a Python function; tuple.__new__ on the class gives the same
# object several times faster (a rebuild makes millions of tokens)
_new = tuple.__new__


def stem_language(lang: str | None) -> str | None:
    """The stemmed variant a text of this language is indexed under ("und" counts as English)."""
    if lang in (None, "", "und"):
        return "en"
    return lang if lang in STEMMED_LANGS else None


# ---------------------------------------------------------------------------- normalization
@functools.lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """NFKC, case-fold, strip accents: the unstemmed form of a word."""
    w = unicodedata.normalize("NFKC", word).casefold()
    if w.isascii():
        return w
    decomposed = unicodedata.normalize("NFD", w)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


@functools.lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1)
def _jieba() -> object:
    import rjieba

    return rjieba


@functools.lru_cache(maxsize=50_000)
def fold_han(run: str) -> str:
    """Traditional -> simplified. Keeps the length when OpenCC does (it nearly always does)."""
    return _t2s()(run)


@functools.lru_cache(maxsize=50_000)
def _segment(run: str) -> tuple[tuple[str, int, int, tuple[str, ...]], ...]:
    """jieba words of a simplified Han run: (word, start, end, the dictionary words and single
    characters inside it)."""
    jb = _jieba()
    words = jb.tokenize(run)  # type: ignore[attr-defined]
    inner: dict[tuple[int, int], list[str]] = {}
    starts = [s for _, s, _ in words]
    for w, s, e in jb.tokenize(run, mode="search"):  # type: ignore[attr-defined]
        _, ws, we = words[bisect.bisect_right(starts, s) - 1]  # the word that contains it
        if e <= we and (s, e) != (ws, we):
            inner.setdefault((ws, we), []).append(w)
    # single characters too, so that a one-character query finds the words it is part of
    return tuple((w, s, e, tuple(dict.fromkeys([*inner.get((s, e), ()), *(list(w) if len(w) > 1 else [])])))
                 for w, s, e in words)


class _Stems(dict[str, str]):
    """word -> folded stem, filled on first use (``map(cache.__getitem__, words)`` runs in C)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        import snowballstemmer

        self.algo = snowballstemmer.stemmer(STEMMED_LANGS[lang])

    def __missing__(self, word: str) -> str:
        value = self[word] = fold_word(self.algo.stemWord(word))
        return value


_STEMS: dict[str, _Stems] = {}
_CACHE_LIMIT = 2_000_000


def _stems(lang: str) -> _Stems:
    cache = _STEMS.get(lang)
    if cache is None or len(cache) > _CACHE_LIMIT:
        cache = _STEMS[lang] = _Stems(lang)
    return cache


def _stemmer(lang: str) -> Callable[[str], str]:
    return _stems(lang).__getitem__


def stem(lang: str, word: str) -> str:
    """Stem a case-folded word (accents kept: the Portuguese stemmer needs them), then fold it."""
    return _stems(lang)[word]


def is_han(text: str) -> bool:
    return bool(_HAN_RE.search(text))


# ---------------------------------------------------------------------------- tokenizing
def tokenize(text: str, start_position: int = 0) -> tuple[list[Token], list[str], int]:
    """Tokens of `text` with positions from `start_position`, the case-folded word of each token
    (accents kept, for stemming), and the next free position (after a sentence gap)."""
    tokens: list[Token] = []
    casefolded: list[str] = []
    add, add_word = tokens.append, casefolded.append
    pos = start_position
    in_sentence = 0
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "brk":
            if in_sentence:
                pos += SENTENCE_GAP
                in_sentence = 0
            continue
        if in_sentence >= MAX_SENTENCE:
            pos += SENTENCE_GAP
            in_sentence = 0
        if kind == "word":
            folded, cf = _word_forms(m.group())
            add(_new(Token, (folded, pos, m.start(), m.end())))
            add_word(cf)
            pos += 1
            in_sentence += 1
            continue
        run = m.group()
        simple = fold_han(run)
        same_length = len(simple) == len(run)
        base = m.start()
        for word, s, e, inner in _segment(simple):
            a, b = (base + s, base + e) if same_length else (base, m.end())
            add(_new(Token, (word, pos, a, b)))
            add_word(word)
            for sub in inner:
                add(_new(Token, (sub, pos, a, b)))
                add_word(sub)
            pos += 1
            in_sentence += 1
    if in_sentence:
        pos += SENTENCE_GAP
    return tokens, casefolded, pos


@functools.lru_cache(maxsize=200_000)
def _word_forms(word: str) -> tuple[str, str]:
    """(unstemmed index form, case-folded form with accents for the stemmers)."""
    return fold_word(word), unicodedata.normalize("NFKC", word).casefold()


# ---------------------------------------------------------------------------- indexing
# The index needs words and positions, not character offsets: a faster path than `tokenize`
# that cuts exactly the same words (tests/search/test_search_analysis.py compares them on real texts).
_SENTENCE_SPLIT = re.compile(r"\n|[.!?](?=\s)|[。！？]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_GENERAL_WORD = re.compile(rf"([{_HAN}]+)|[^\W_{_HAN}]+")


@dataclass
class IndexZone:
    """Index terms of one zone: unstemmed words with positions, and per stemmed variant."""

    words: list[str]
    positions: list[int]
    stemmed: dict[str, tuple[list[str], list[int]]]


def index_tokens(text: str, start_position: int = 0) -> tuple[list[str], list[str], list[int], int]:
    """(unstemmed words, case-folded words, positions, next free position) as `tokenize` cuts them."""
    words: list[str] = []
    folded: list[str] = []
    positions: list[int] = []
    pos = start_position
    for sentence in _SENTENCE_SPLIT.split(text):
        if sentence.isascii():
            ws = _ASCII_WORD.findall(sentence.lower())
            n = len(ws)
            if not n:
                continue
            words += ws
            folded += ws
            if n <= MAX_SENTENCE:
                positions += range(pos, pos + n)
                pos += n + SENTENCE_GAP
                continue
            for i in range(0, n, MAX_SENTENCE):
                k = min(MAX_SENTENCE, n - i)
                positions += range(pos, pos + k)
                pos += k + SENTENCE_GAP
            continue
        pos = _general_sentence(sentence, pos, words, folded, positions)
    return words, folded, positions, pos


def _general_sentence(sentence: str, pos: int, words: list[str], folded: list[str], positions: list[int]) -> int:
    in_sentence = 0
    for m in _GENERAL_WORD.finditer(sentence):
        if in_sentence >= MAX_SENTENCE:
            pos += SENTENCE_GAP
            in_sentence = 0
        run = m.group(1)
        if run is None:
            w, cf = _word_forms(m.group())
            words.append(w)
            folded.append(cf)
            positions.append(pos)
            pos += 1
            in_sentence += 1
            continue
        for word, _, _, inner in _segment(fold_han(run)):
            words.append(word)
            folded.append(word)
            positions.append(pos)
            for sub in inner:
                words.append(sub)
                folded.append(sub)
                positions.append(pos)
            pos += 1
            in_sentence += 1
    if in_sentence:
        pos += SENTENCE_GAP
    return pos


def index_zone(texts: Iterable[tuple[str, str | None]], stem: bool = True) -> IndexZone:
    """Index terms of several texts (text, language) of one zone, kept a sentence apart."""
    zone = IndexZone([], [], {})
    pos = 0
    for text, lang in texts:
        ws, cfs, ps, pos = index_tokens(text, pos)
        zone.words += ws
        zone.positions += ps
        variant = stem_language(lang) if stem else None
        if variant is not None:
            got = zone.stemmed.setdefault(variant, ([], []))
            got[0].extend(map(_stems(variant).__getitem__, cfs))
            got[1].extend(ps)
    return zone


# ---------------------------------------------------------------------------- query words
WILDCARDS = "*?#"


class QueryToken(NamedTuple):
    """One token of a query word: `text` is the unstemmed form, or a regex when `pattern`."""

    text: str
    pattern: bool
    casefolded: str  # for stemming; "" for patterns


def analyze_query_word(word: str) -> list[QueryToken]:
    """Cut a query word the way documents are cut. Wildcards (``*`` any number of characters,
    ``?`` zero or one, ``#`` exactly one) turn the piece they are in into an anchored regex."""
    out: list[QueryToken] = []
    for piece in re.findall(rf"(?:[^\W_]|[{re.escape(WILDCARDS)}])+", word):
        if any(c in WILDCARDS for c in piece):
            out.append(QueryToken(wildcard_regex(piece), True, ""))
            continue
        toks, words, _ = tokenize(piece)
        # query words use the plain segmentation: sub-words share positions and are index-only
        seen_positions: set[int] = set()
        for t, w in zip(toks, words):
            if t.position in seen_positions:
                continue
            seen_positions.add(t.position)
            out.append(QueryToken(t.text, False, w))
    return out


def wildcard_regex(piece: str) -> str:
    parts: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            text = "".join(literal)
            text = fold_han(text) if is_han(text) else fold_word(text)
            parts.append("".join(_rx_escape(c) for c in text))
            literal.clear()

    for c in piece:
        if c in WILDCARDS:
            flush()
            parts.append({"*": ".*", "?": ".?", "#": "."}[c])
        else:
            literal.append(c)
    flush()
    return "".join(parts)


def _rx_escape(c: str) -> str:
    return c if c.isalnum() else "\\" + c


def literal_length(word: str) -> int:
    """Letters and digits in a query word, wildcards excluded."""
    return len(_WORD_CHARS_RE.findall(word)) + len(_HAN_RE.findall(word))
