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
    """word -> folded stem, filled on first use (``map(cache.__getitem__, words)`` runs in C).
    `odd` holds the words whose stem is not a plain word (see `plain_words`)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        import snowballstemmer

        self.algo = snowballstemmer.stemmer(STEMMED_LANGS[lang])
        self.odd: set[str] = set()

    def __missing__(self, word: str) -> str:
        value = self[word] = fold_word(self.algo.stemWord(word))
        if not plain_words([value]):
            self.odd.add(word)
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
# A rebuild analyzes every text of the catalogue, so the common case, English text whose letters
# and digits are all ASCII, is cut with string methods that run in C: one translate lower-cases
# it and makes every white space a blank, ". " "! " "? " become line breaks (a break at punctuation
# before white space, as in `_SENTENCE_SPLIT`; the white space after it separates words either
# way), a second translate makes every other character that is not a letter or digit a blank, and
# `split` cuts the words. Non-ASCII characters of such a text (°, µ, dashes, quotes) are first
# replaced by ASCII stand-ins that play the same part: a blank for white space, a line break for
# 。！？, ``_`` (a separator that is neither white space nor a sentence mark) for the rest.
_SENTENCE_SPLIT = re.compile(r"\n|[.!?](?=\s)|[。！？]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_GENERAL_WORD = re.compile(rf"([{_HAN}]+)|[^\W_{_HAN}]+")
_NON_HAN_WORD = re.compile(rf"[^\W_{_HAN}]+")
_NON_ASCII_WORD_CHAR = re.compile(r"[^\W_\x00-\x7f]")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# ASCII white space as `\s` knows it, line feed excepted: it is a sentence break of its own
_ASCII_BLANKS = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"
_LOWER_BLANK = str.maketrans({**{chr(c): chr(c).lower() for c in range(65, 91)}, **dict.fromkeys(_ASCII_BLANKS, " ")})
_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if chr(c) not in _ASCII_ALNUM and chr(c) != "\n"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _NotAsciiWords(Exception):
    """A text has a letter or digit outside ASCII: it takes the general path."""


@functools.lru_cache(maxsize=4096)
def _ascii_stand_in(char: str) -> str:
    """The ASCII character that cuts words and sentences the way this non-ASCII one does."""
    if char.isalnum():
        raise _NotAsciiWords
    if char.isspace():
        return " "
    return "\n" if char in "。！？" else "_"


def _stand_in(m: re.Match[str]) -> str:
    return _ascii_stand_in(m.group())


@dataclass
class IndexZone:
    """Index terms of one zone: unstemmed words with positions, and per stemmed variant.

    `runs` lists the zone's sentences as (first position, number of words): the words are those
    runs in order, one position each, so the zone can be written as text with the gaps marked
    (`index.fulltext`); `stemmed_runs` the same per stemmed variant. Both are None when some
    position holds several words (Chinese sub-words) or a word is not plain (`plain_words`)."""

    words: list[str]
    positions: list[int]
    stemmed: dict[str, tuple[list[str], list[int]]]
    runs: list[tuple[int, int]] | None = None
    stemmed_runs: dict[str, list[tuple[int, int]]] | None = None
    # whether an unstemmed word can match where no stemmed one does: a text of a language without
    # a stemmed variant, or a word of a stemmed text whose accents (or other marks that folding
    # drops) make the stem of the folded form uncertain (see `search.planner`)
    unstemmed_only: bool = False


_BLANK_OR_MARK = re.compile(r"[\s\x01\x02]")


def plain_words(words: list[str]) -> bool:
    """Whether every word is non-empty, without white space and without the gap mark ``\\x01``:
    then blanks between words, and ``\\x01`` for positions left empty, spell them out unambiguously.
    (A few compatibility characters fold to a blank or to nothing: ﷺ, ﾞ.)"""
    return "" not in words and not _BLANK_OR_MARK.search("".join(words))


def index_tokens(text: str, start_position: int = 0) -> tuple[list[str], list[str], list[int], int]:
    """(unstemmed words, case-folded words, positions, next free position) as `tokenize` cuts them."""
    words: list[str] = []
    folded: list[str] = []
    positions: list[int] = []
    pos, _ = _index_text(text, start_position, words, folded, positions, [])
    return words, folded, positions, pos


def _index_text(text: str, pos: int, words: list[str], folded: list[str], positions: list[int],
                runs: list[tuple[int, int]]) -> tuple[int, bool]:
    """Append the words of `text` (unstemmed, case-folded), their positions and its sentences
    (`IndexZone.runs`); the next free position, and whether the runs and plain words describe it."""
    if not text.isascii():
        try:
            text = _NON_ASCII.sub(_stand_in, text)
        except _NotAsciiWords:
            return _index_general(text, pos, words, folded, positions, runs)
    t = text.translate(_LOWER_BLANK)
    for mark in ".!?":
        if mark in t:
            t = t.replace(mark + " ", "\n")
    for sentence in t.translate(_SEPARATORS).split("\n"):
        ws = sentence.split()
        if ws:
            pos = _add_sentence(ws, ws, pos, words, folded, positions, runs)
    return pos, True


def _index_general(text: str, pos: int, words: list[str], folded: list[str], positions: list[int],
                   runs: list[tuple[int, int]]) -> tuple[int, bool]:
    """`_index_text` of a text with letters or digits outside ASCII, sentence by sentence."""
    plain = True
    for sentence in _SENTENCE_SPLIT.split(text):
        if sentence.isascii():
            ws = sentence.lower().translate(_SEPARATORS).split()
            if ws:
                pos = _add_sentence(ws, ws, pos, words, folded, positions, runs)
        elif not _NON_ASCII_WORD_CHAR.search(sentence):
            # letters and digits all ASCII (the rest: dashes, quotes, symbols): lower() folds them
            ws = _ASCII_WORD.findall(sentence.lower())
            if ws:
                pos = _add_sentence(ws, ws, pos, words, folded, positions, runs)
        elif not _HAN_RE.search(sentence):
            ws = _NON_HAN_WORD.findall(sentence)
            if ws:
                unstemmed = list(map(fold_word, ws))
                plain = plain and plain_words(unstemmed)
                pos = _add_sentence(unstemmed, list(map(_casefold, ws)), pos, words, folded, positions, runs)
        else:
            pos = _general_sentence(sentence, pos, words, folded, positions)
            plain = False
    return pos, plain


def _add_sentence(ws: list[str], cfs: list[str], pos: int, words: list[str], folded: list[str],
                  positions: list[int], runs: list[tuple[int, int]]) -> int:
    """Append the words of one sentence from `pos`, cut every `MAX_SENTENCE` words; the position
    after the sentence and its gap."""
    words += ws
    folded += cfs
    n = len(ws)
    if n <= MAX_SENTENCE:
        positions += range(pos, pos + n)
        runs.append((pos, n))
        return pos + n + SENTENCE_GAP
    for i in range(0, n, MAX_SENTENCE):
        k = min(MAX_SENTENCE, n - i)
        positions += range(pos, pos + k)
        runs.append((pos, k))
        pos += k + SENTENCE_GAP
    return pos


@functools.lru_cache(maxsize=200_000)
def _casefold(word: str) -> str:
    """The case-folded form of a word with its accents, for the stemmers."""
    return unicodedata.normalize("NFKC", word).casefold()


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
    runs: list[tuple[int, int]] = []
    stemmed_runs: dict[str, list[tuple[int, int]]] = {}
    zone = IndexZone([], [], {}, runs, stemmed_runs)
    folded: list[str] = []
    pos = 0
    plain = True
    for text, lang in texts:
        start, first_run = len(zone.words), len(runs)
        pos, plain_text = _index_text(text, pos, zone.words, folded, zone.positions, runs)
        plain = plain and plain_text
        variant = stem_language(lang) if stem else None
        if variant is None:
            zone.unstemmed_only = True
        else:
            stems = _stems(variant)
            cfs = folded[start:]
            if not zone.unstemmed_only and zone.words[start:] != cfs:
                zone.unstemmed_only = True
            got = zone.stemmed.setdefault(variant, ([], []))
            got[0].extend(map(stems.__getitem__, cfs))
            got[1].extend(zone.positions[start:])
            stemmed_runs.setdefault(variant, []).extend(runs[first_run:])
            if stems.odd and not stems.odd.isdisjoint(cfs):
                plain = False
    if not plain:
        zone.runs = zone.stemmed_runs = None
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
