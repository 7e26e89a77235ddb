"""Applicant name harmonization: raw party names grouped into entities.

``SAMSUNG ELECTRONICS CO., LTD.``, ``Samsung Electronics Co Ltd`` and ``三星電子株式會社`` are
spellings of one applicant. `harmonize` maps every raw name of a list to a group label (the most
frequent spelling of its group, the longest on a tie); `normalize_name` gives the comparison key.

How names are compared (see docs/names.md for the reasoning and the benchmark):

1. Folding: broken UTF-8 decoded as cp1252 is repaired; NFKC; case folded; Latin accents dropped;
   traditional Chinese characters folded to simplified (OpenCC t2s); ``&`` -> ``and``; dotted
   initials joined (``S.A.`` -> ``sa``, ``U.S.`` -> ``us``); elided French articles dropped.
2. Tokens: abbreviations expanded (``corp`` -> ``corporation``, ``intl`` -> ``international``,
   ``mfg`` -> ``manufacturing``, ``univ`` -> ``university``...), plurals folded, stop words of
   several languages dropped; legal forms stripped at the end and the start of the name, in many
   languages and scripts (``Inc``, ``GmbH & Co. KG``, ``S.A.``, ``Ltda``, ``Kabushiki Kaisha``,
   ``有限公司``, ``股份有限公司``, ``株式会社``, ``주식회사``, ``ООО``...), also with a typo
   (``Corporaiton``, ``Aktiengesellshaft``). A parenthesised or dashed acronym of the name itself
   (``(IBM)``, ``- CEA``) is set aside as an alias.
3. Government applicants: ``The United States of America as represented by the Secretary of the
   Navy`` is the Navy of the US government (``usgov navy``); ``... acting by and through ... on
   behalf of Oregon State University`` is the university.
4. Grouping (union-find over distinct keys; docs/names.md has the details and the benchmark):
   * leaders: keys taken most frequent first each join the most similar leader, or lead a group.
     Similarity is a weighted soft Dice over an order-preserving alignment of the words (equal,
     one or two typing errors, abbreviation, glued); generic words weigh less; a pair is refused
     when each keeps a word the other lacks (``Navy`` / ``Army``). Candidates come from blocking
     on words and one-deletion variants, so ten thousand names are grouped in seconds;
   * families: a key starting with the whole key of another group joins it when that is its only
     branch, or when the head is a frequent brand mentioned more than all its branches together
     (``Hoechst`` -> ``Hoechst Celanese``, ``Hoechst Japan``);
   * acronyms: ``IBM`` joins the group whose words have those initials.
5. Overrides of a librarian come last: a name (with the spellings of the same key) or its whole
   group is given a label.

Chinese, Japanese and Korean names are compared on their folded characters only (no typo
tolerance: one character changes the company). Grouping across scripts (三星 and Samsung) is left
to overrides.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "SIMILARITY",
    "NameKey",
    "Override",
    "analyze",
    "baseline_groups",
    "catalogue_names",
    "exact_groups",
    "groups",
    "harmonize",
    "list_overrides",
    "load_overrides",
    "normalize_name",
    "remove_override",
    "save_override",
]

# Weighted soft Jaccard at which two keys are the same applicant; tuned on the AIR-UMass
# benchmark to keep precision per distinct name above 0.95 (see docs/names.md).
SIMILARITY = 0.85
GENERIC_WEIGHT = 0.3
# A word matched by one of its abbreviations (its first three letters or more) counts this much.
ABBREVIATION_SIMILARITY = 0.7
# Blocking keys shared by more names than this are skipped (their names share rarer keys).
MAX_POSTING = 400
# Leaders compared with each key: those sharing the most blocking keys with it.
MAX_CANDIDATES = 20

# ------------------------------------------------------------------------------------- word lists
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset("""
the of and for a an at in on by to as its
de del della dello dei degli delle des du la le les l d el los las lo y e et en da do dos das di al
der die das den dem und zur zum fur von vom im am
""")

# Abbreviations and spelling variants, mapped to one form before comparison.
ABBREVIATIONS = {
    "corp": "corporation", "corpn": "corporation", "incorp": "incorporated", "co": "company",
    "cos": "company", "ltd": "limited", "ltda": "limitada", "intl": "international",
    "internat": "international", "int": "international", "natl": "national", "mfg": "manufacturing",
    "mfrs": "manufacturer", "mfr": "manufacturer", "univ": "university", "universitat": "university",
    "universite": "university", "universidad": "university", "universita": "university",
    "dept": "department", "inst": "institute", "institut": "institute", "tech": "technology",
    "techn": "technology", "technol": "technology", "ind": "industry", "inds": "industry",
    "indus": "industry", "chem": "chemical", "pharm": "pharmaceutical", "pharma": "pharmaceutical",
    "elec": "electric", "eng": "engineering", "engg": "engineering", "engr": "engineering",
    "res": "research", "dev": "development", "devel": "development", "lab": "laboratory",
    "labs": "laboratory", "assn": "association", "assoc": "association", "soc": "society",
    "sci": "science", "govt": "government", "gov": "government", "admin": "administration",
    "secy": "secretary", "sec": "secretary", "calif": "california", "amer": "american",
    "ctr": "center", "centre": "center", "prod": "product", "prods": "product", "sys": "system",
    "syst": "system", "svc": "service", "svcs": "service", "commun": "communication",
    "bros": "brother", "hldg": "holding", "hldgs": "holding", "grp": "group", "org": "organization",
    "organisation": "organization", "defence": "defense", "gt": "great", "mach": "machine",
    "aktiengesellschaften": "aktiengesellschaft", "kabushikigaisha": "kabushikikaisha",
    "industrial": "industry", "electrical": "electric", "uk": "united kingdom",
}

# Legal forms, as token sequences after folding and abbreviation (stripped at the end of a name).
_LEGAL_SUFFIXES = """
incorporated|incorporation|inc|corporation|company|limited|llc|lc|llp|lp|plc|pllc|ltd
gmbh|mbh|ag|kg|kgaa|ohg|ev|eg|se|gbr|ug|aktiengesellschaft|kommanditgesellschaft
gesellschaft mit beschrankter haftung|offene handelsgesellschaft|eingetragener verein
sa|sas|sasu|sarl|snc|sca|scs|spa|srl|sapa|sal|scarl|sc|societe anonyme|societe par action simplifiee
societe a responsabilite limitee|societe en nom collectif|sociedad anonima|sociedad limitada
sociedade anonima|societa per azioni|societa a responsabilita limitata|limitada|sl|slu|sab|cv|sa de cv
s de rl de cv|sab de cv|bv|nv|vof|cva|naamloze vennootschap|besloten vennootschap|ab|aktiebolag|aktiebolaget
as|asa|aps|aktieselskab|oy|oyj|osakeyhtio|kk|yk|gk|kabushiki kaisha|kabushikikaisha|kabushiki
kaisha|yugen kaisha|godo kaisha|gomei kaisha|goshi kaisha|pty|pte|pvt|private|bhd|berhad
sdn bhd|sendirian berhad|tbk|jsc|ojsc|cjsc|pjsc|ooo|zao|oao|pao|ao|dd|doo|ad|sro|spol sro|zrt|kft
nyrt|rt|sp zoo|spolka zoo|public limited company|limited liability company|limited partnership
youxian gongsi|gufen youxian gongsi|youxian zeren gongsi|jusik hoesa|chusik hoesa|jusikhoesa
ооо|зао|оао|пао|ао|тоо
"""
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(sorted(
    {tuple(form.split()) for form in re.split(r"[|\n]", _LEGAL_SUFFIXES) if form.strip()},
    key=len, reverse=True))
_LEGAL_WORDS = frozenset(form[0] for form in LEGAL_SUFFIXES if len(form) == 1 and len(form[0]) >= 3)
# Legal forms also written before the name (``Kabushiki Kaisha Toshiba``, ``OOO Gazprom``).
LEGAL_PREFIXES: tuple[tuple[str, ...], ...] = tuple(sorted(
    {("kabushiki", "kaisha"), ("kabushikikaisha",), ("kk",), ("yugen", "kaisha"), ("pt",),
     ("ooo",), ("zao",), ("oao",), ("pao",), ("jsc",), ("ojsc",), ("cjsc",), ("pjsc",),
     ("ооо",), ("зао",), ("оао",), ("пао",), ("ао",), ("тоо",), ("jusik", "hoesa")}, key=len, reverse=True))
# Long legal words recognised with a typo at the end of a name (``Corporaiton``, ``Kaishi``).
_FUZZY_LEGAL = ("corporation", "incorporated", "incorporation", "company", "limited",
                "aktiengesellschaft", "kabushiki", "kaisha", "kabushikikaisha", "gesellschaft")
# Real words one or two typing errors away from a legal word.
_NOT_LEGAL = frozenset({"cooperation", "corporate", "compact", "compass", "compare", "limiter",
                        "limites", "kaiser", "companion"})
# Legal forms written in CJK scripts, stripped from the end or the start of a run of CJK characters
# (after the traditional -> simplified fold, so 股份有限公司 covers 股份有限公司 and 股份有限公司).
CJK_LEGAL = tuple(sorted({
    "股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团有限公司", "集团股份有限公司", "公司",
    "株式会社", "有限会社", "合同会社", "合资会社", "合名会社", "主式会社",
    "주식회사", "유한회사", "유한책임회사", "(주)", "㈜",
}, key=len, reverse=True))

# Words that say little about which applicant it is: they weigh GENERIC_WEIGHT in comparisons and
# cannot alone make a name the parent of another.
GENERIC = _wordset("""
international national general american america united states state usa us global world
industry industrial manufacturing manufacturer product system technology science scientific
research development laboratory institute university college school foundation association
society center group holding service solution communication network material machine machinery
motor work instrument device equipment enterprise trading engineering electric electrical
electronic chemical pharmaceutical medical health energy power government department secretary
administration administrator director board regent trustee agency office commission ministry
federal republic royal city county council new co partner partnership associate business
kogyo seisakusho denki kagaku sangyo shoji kenkyusho seiko kogaku jidosha kikai kensetsu
gesellschaft werk forschung technik chemie societe nationale compagnie generale recherche etude
industrie fabrik kaisha
gosudarstvennoe federalnoe federal noe obrazovatelnoe obrazovatel noe uchrezhdenie vysshego
professionalnogo professional nogo obrazovanija obrazovaniya byudzhetnoe bjudzhetnoe nauchnoe
issledovatelskij institut akademija akademiya tekhnicheskij universitet gu gtu
daxue gongye keji jishu yanjiusuo jituan gongsi
""")
# Places: they weigh like generic words, but with another word they name an institution
# ("University of California"), so such a pair may head a family; alone they may not.
GEO = _wordset("""
japan japanese china chinese korea korean germany german deutschland deutsche france french uk
britain british england english scotland wales ireland canada canadian europe european asia asian
pacific italia italy italian espana spain spanish nederland netherlands dutch sweden swedish
svenska schweiz suisse switzerland swiss austria india indian australia australian brazil brasil
mexico russia russian taiwan singapore israel belgium denmark danmark norway norge finland suomi
poland polska africa america north south east west northern southern eastern western central
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york carolina
dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah vermont virginia
washington wisconsin wyoming tokyo osaka kyoto paris london berlin munich beijing shanghai
""")
GENERIC = GENERIC | GEO

# Tokens that open the name of the US government; titles of the officer who represents it.
_US_WORDS = {"united", "states", "state", "america", "american", "americas", "us", "usa", "government"}
_GOV_START = {"department", "secretary", "administrator", "administration", "army", "navy",
              "government", "agency", "bureau", "commissioner", "attorney", "director"}
_TITLES = {"secretary", "administrator", "director", "general", "department", "commissioner",
           "minister", "ministry", "chief", "head", "acting", "government", "deputy"}
# Words that start the representative part: "represented by", "acting by and through", "on behalf of".
_REPRESENTED = "represented"

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u2032\u00b4\u0060\u02bc\u02b9\uff07"), "'")
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
                       "\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                       "\u2039\u203a\u20ac\u2122]")
_USPTO_CODES = re.compile(r"\bcnt\s+\w{2,3}\s+cod\s+\d+.*$")
_DOTTED = re.compile(r"(?<![^\W\d_])((?:[^\W\d_]\s?\.\s?){1,}[^\W\d_])(?![^\W\d_])\.?")
_ELISION = re.compile(r"\b(?:l|d|dell|dall|nell|sull|all|qu)\s?'\s?")
_POSSESSIVE = re.compile(r"(?<=\w)'\s?s\b")
_PAREN = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff()㈜]+")
_SPLIT = re.compile(r"(?:_|[^\w\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])+")


# ------------------------------------------------------------------------------------- folding
def _repair_mojibake(text: str) -> str:
    """UTF-8 read as cp1252 (``lÃ¢â‚¬Â²Energie``), possibly twice, decoded back."""
    for _ in range(3):
        if not _MOJIBAKE.search(text):
            break
        try:
            text = b"".join(_cp1252_byte(c) for c in text).decode("utf-8")
        except UnicodeError:
            break
    return text


def _cp1252_byte(char: str) -> bytes:
    # the five bytes cp1252 leaves undefined were passed through as Latin-1 control characters
    try:
        return char.encode("cp1252")
    except UnicodeEncodeError:
        if ord(char) < 256:
            return bytes([ord(char)])
        raise


@functools.lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _fold(text: str) -> str:
    """Repaired, NFKC, case-folded, without Latin accents, traditional Chinese made simplified."""
    text = unicodedata.normalize("NFKC", _repair_mojibake(text)).translate(_APOSTROPHES)
    if _CJK.search(text):
        text = _t2s().convert(text)  # type: ignore[attr-defined]
    text = text.casefold()
    text = text.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe").replace("ø", "o")
    text = text.replace("ł", "l").replace("đ", "d").replace("ı", "i").replace("þ", "th")
    decomposed = unicodedata.normalize("NFD", text)
    # only the combining marks of Latin/Greek/Cyrillic letters: Japanese voicing marks must stay
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F))


# ------------------------------------------------------------------------------------- tokens
@functools.lru_cache(maxsize=200_000)
def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ai = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ai == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        prev2, prev = prev, cur
    return prev[lb]


def _allowed_typos(shortest: int, longest: int) -> int:
    return 0 if shortest < 4 else 1 if longest <= 7 else 2


# Real words that must not be taken for misspellings of each other.
VOCABULARY = frozenset(GENERIC | set(ABBREVIATIONS.values()) | {
    "natural", "nature", "nuclear", "national", "optical", "optic", "dental", "mental", "medical",
    "media", "plastic", "electro", "electronic", "electric", "electrical", "photonic", "tonic",
    "automatic", "automation", "automotive", "dynamic", "dynamics", "system", "systemic", "computer",
    "computing", "component", "data", "design", "designer", "food", "wood", "wool", "tool", "steel",
    "steam", "air", "aircraft", "airline", "craft", "marine", "machine", "mechanic", "mechanical",
    "chemical", "chemistry", "biological", "biology", "genetic", "genetics", "genomic", "energy",
    "engine", "engineering", "metal", "metallic", "mineral", "material", "polymer", "paper",
    "power", "powder", "tower", "water", "filter", "fitter", "laser", "lazer", "radio", "audio",
    "studio", "video", "photo", "motor", "motion", "rotor", "tractor", "track", "truck", "trust",
    "instrument", "implement", "control", "contact", "container", "product", "production", "process",
    "precision", "provision", "vision", "division", "textile", "tactile", "fiber", "fibre", "glass",
    "grass", "gas", "oil", "coil", "soil", "rubber", "lumber", "plumber", "printing", "printer",
    "pointer", "packaging", "package", "packing", "parking", "marking", "washing", "watch",
    "switch", "cable", "table", "label", "light", "lighting", "night", "right", "sight", "health",
    "wealth", "house", "mouse", "horse", "home", "hose", "rose", "nose", "pharmacy", "farm",
    "form", "firm", "film", "foam", "frame", "game", "gene", "genesis", "nemesis", "represented",
    "representative", "america", "kingdom", "britannic", "majesty", "information", "business",
    "administration", "aeronautic", "aeronautics", "space", "human", "agriculture", "interior",
    "commerce", "navy", "army", "force", "recherche", "scientifique", "laboratory",
})


def _is_latin_word(token: str) -> bool:
    return token.isalpha() and token.isascii()


@functools.lru_cache(maxsize=500_000)
def token_similarity(a: str, b: str) -> float:
    """1 for equal tokens; 1 - typos/length for Latin words within one typo (two from 8 letters);
    0 otherwise. CJK runs, digits and words under four letters must be equal."""
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) >= 3 and len(long_) >= len(short) + 2 and long_.startswith(short) and _is_latin_word(long_):
        return ABBREVIATION_SIMILARITY  # "constr" / "construction", "cal" / "california"
    longest = max(len(a), len(b))
    allowed = _allowed_typos(len(short), longest)
    if not allowed or abs(len(a) - len(b)) > allowed or not (_is_latin_word(a) and _is_latin_word(b)):
        return 0.0
    if a in VOCABULARY and b in VOCABULARY:
        return 0.0  # two real words ("electric", "electronic"), not a misspelling of one
    if len(short) <= 5 and a[0] != b[0]:
        return 0.0  # "food" / "wood": a short word with another first letter is another word
    typos = _osa(a, b)
    return 1.0 - typos / longest if typos <= allowed else 0.0


def _fuzzy_in(token: str, words: Iterable[str], threshold: float = 0.75) -> bool:
    return token in words or any(token_similarity(token, w) >= threshold for w in words)


def _stem(token: str) -> str:
    if len(token) > 4 and _is_latin_word(token):
        if token.endswith("ies"):
            return token[:-3] + "y"
        if token.endswith("s") and not token.endswith(("ss", "us", "is", "as", "os", "ys")):
            return token[:-1]
    return token


def _expand(token: str) -> list[str]:
    """A token as words: ``corp`` -> ``corporation``; ``uk`` -> ``united kingdom``; a long
    misspelling of a known word corrected (``insustrial`` -> ``industrial`` -> ``industry``)."""
    if token not in ABBREVIATIONS and token not in VOCABULARY:
        token = _spelled(token)
    return [_stem(w) for w in ABBREVIATIONS.get(token, token).split()]


@functools.lru_cache(maxsize=100_000)
def _spelled(token: str) -> str:
    """The one known word of eight letters or more a token is a misspelling of, else the token."""
    if len(token) < 8 or not _is_latin_word(token):
        return token
    near = {w for d in _deletions(token) | {token} for w in _SPELLING_BY_DELETION.get(d, ())}
    near |= {w for d in _deletions(token) for w2 in _deletions(d) if len(token) >= 10
             for w in _SPELLING_BY_DELETION.get(w2, ())}
    matches = [w for w in near if token_similarity(token, w) >= 0.8]
    return matches[0] if len(matches) == 1 else token


@functools.lru_cache(maxsize=100_000)
def _unglued(token: str) -> tuple[str, ...]:
    """``bythe`` -> ``by the``; ``theuniversity`` -> ``the university``; ``statesof`` -> ``states of``."""
    if len(token) < 5 or token in VOCABULARY or token in ABBREVIATIONS or not _is_latin_word(token):
        return (token,)
    for i in range(2, len(token) - 1):
        left, right = token[:i], token[i:]
        if all(w in STOPWORDS or _stem(w) in VOCABULARY or w in _LEGAL_WORDS for w in (left, right)):
            return (left, right)
    return (token,)


def _strip_cjk_legal(run: str) -> str:
    changed = True
    while changed:
        changed = False
        for form in CJK_LEGAL:
            if run.endswith(form) and len(run) > len(form):
                run, changed = run[: -len(form)], True
            elif run.startswith(form) and len(run) > len(form):
                run, changed = run[len(form):], True
    return run


def _raw_tokens(text: str) -> list[str]:
    """Folded text cut into words: dotted initials joined, CJK runs kept whole without legal forms."""
    text = _USPTO_CODES.sub("", text)
    text = _POSSESSIVE.sub("", text)
    text = _ELISION.sub(" ", text)
    text = _DOTTED.sub(lambda m: re.sub(r"[\s.]", "", m.group(1)) + " ", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _CJK_RUN.sub(lambda m: " " + _strip_cjk_legal(m.group(0)) + " ", text)
    return [t for t in _SPLIT.split(text) if t and t != "_"]


def _split_glued_legal(token: str) -> list[str]:
    """``technologiesinc`` -> ``technologies inc``; ``electriccompany`` -> ``electric company``."""
    for form in ("aktiengesellschaft", "corporation", "incorporated", "company", "limited", "kaisha", "inc"):
        if token.endswith(form) and len(token) - len(form) >= 5:
            return [token[: -len(form)], form]
    return [token]


def _is_legal_word(token: str) -> bool:
    if token in _NOT_LEGAL or not _is_latin_word(token) or len(token) < 5:
        return False
    return any(token_similarity(token, form) > 0 for form in _FUZZY_LEGAL)


def _strip_legal(tokens: list[str]) -> list[str]:
    """Legal forms off the end (repeatedly, with ``and`` between them) and off the start."""
    out = list(tokens)
    changed = True
    while changed and len(out) > 1:
        changed = False
        for form in _SUFFIXES_BY_LAST.get(out[-1], ()):
            n = len(form)
            if len(out) > n and tuple(out[-n:]) == form:
                del out[-n:]
                changed = True
                break
        if not changed and len(out) > 1 and (out[-1] in CJK_LEGAL or _is_legal_word(out[-1])):
            del out[-1]
            changed = True
        while changed and len(out) > 1 and out[-1] == "and":
            del out[-1]
    while len(out) > 1 and out[0] in CJK_LEGAL:  # "주식회사 엘지화학"
        del out[0]
    changed = True
    while changed and len(out) > 1:
        changed = False
        for form in _PREFIXES_BY_FIRST.get(out[0], ()):
            n = len(form)
            if len(out) > n and tuple(out[:n]) == form:
                del out[:n]
                changed = True
                break
    return out


def _index_forms(forms: Iterable[tuple[str, ...]], position: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Legal forms by their last (or first) word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for form in forms:
        index[form[position]].append(form)
    return {word: tuple(sorted(found, key=len, reverse=True)) for word, found in index.items()}


_SUFFIXES_BY_LAST = _index_forms(LEGAL_SUFFIXES, -1)
_PREFIXES_BY_FIRST = _index_forms(LEGAL_PREFIXES, 0)


def _is_acronym_of(alias: str, tokens: Sequence[str]) -> bool:
    """``ibm`` for International Business Machines, ``cogema`` for Compagnie Generale des Matieres
    (letters in order, the first one first); not a word such as ``america`` or ``uk``."""
    if not tokens or not 2 <= len(alias) <= 8 or not _is_latin_word(alias) or alias in GENERIC:
        return False
    if alias[0] != tokens[0][0]:
        return False
    rest = iter("".join(tokens))
    return all(c in rest for c in alias)


def _drop_own_acronym(tokens: list[str]) -> tuple[list[str], list[str]]:
    """A first or last word that is the initials of the others is an alias, not part of the name."""
    if len(tokens) >= 3:
        for idx, rest in ((-1, tokens[:-1]), (0, tokens[1:])):
            initials = "".join(t[0] for t in rest)
            if tokens[idx] == initials and len(initials) >= 2:
                return rest, [initials]
    return tokens, []


def _words(text: str) -> list[str]:
    """Tokens of folded text: abbreviations expanded, glued legal forms split (stop words kept)."""
    return [w for raw in _raw_tokens(text) for glued in _split_glued_legal(raw) for piece in _unglued(glued)
            for w in _expand(piece)]


def _content(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS]


def _us_prefix(tokens: Sequence[str]) -> int:
    """How many leading tokens name the US government (0 if they do not): ``the United States of
    America``, ``U.S. Government``, ``the Unites Sates`` (typing errors are common in this phrase)."""
    n = 0
    seen: set[str] = set()
    while n < len(tokens) and (tokens[n] in _US_WORDS or tokens[n] in STOPWORDS
                               or _fuzzy_in(tokens[n], ("united", "state", "america"))):
        t = tokens[n]
        if t in {"us", "usa"}:
            seen.add("us")
        elif t == "united" or _fuzzy_in(t, ("united",)):
            seen.add("united")
        elif t in {"state", "america", "american", "americas"} or _fuzzy_in(t, ("state", "america")):
            seen.add("states")
        n += 1
    while n and tokens[n - 1] in STOPWORDS:
        n -= 1
    return n if "us" in seen or {"united", "states"} <= seen else 0


def _is_title(token: str) -> bool:
    return token in STOPWORDS or token in _TITLES or _fuzzy_in(token, ("secretary", "administrator", "department"))


def _office(tokens: Sequence[str]) -> tuple[list[str], bool]:
    """The office without the officer and without the US government's name, and whether that name
    was there: ``the Secretary of the Department of the Navy`` -> ``navy``."""
    out = list(tokens)
    us = False
    while out:
        n = _us_prefix(out)
        if n:
            del out[:n]
            us = True
        elif len(out) > 1 and _is_title(out[0]):
            del out[0]
        else:
            break
    return out, us


def _find_representation(tokens: Sequence[str]) -> tuple[int, int, str] | None:
    """Where a ``represented by`` / ``acting by and through`` / ``on behalf of`` clause starts, where
    its representative part begins, and which kind it is."""
    for i, t in enumerate(tokens):
        if t.startswith("repres") or _fuzzy_in(t, (_REPRESENTED,), 0.7):
            end = i + 1
            if end < len(tokens) and tokens[end] == "by":
                end += 1
            start = i - 1 if i > 0 and tokens[i - 1] in {"as", "is", "has"} else i
            return start, end, "represented"
        if t == "behalf":
            end = i + 2 if i + 1 < len(tokens) and tokens[i + 1] == "of" else i + 1
            return max(i - 1, 0), end, "behalf"
        if t == "acting" and i + 1 < len(tokens) and tokens[i + 1] in {"by", "through", "thru"}:
            end = i + 1
            while end < len(tokens) and tokens[end] in {"by", "and", "through", "thru"}:
                end += 1
            return i, end, "acting"
    return None


def _governing_body(tokens: list[str]) -> list[str]:
    """``The Board of Regents of the University of Texas System``, ``University of Texas Board of
    Regents`` and ``The Regents of the University of California`` name the institution."""
    out = list(tokens)
    lead = 0
    bodies = ("regent", "trustee", "governor")
    while lead < len(out) and (out[lead] in STOPWORDS or out[lead] == "board" or _fuzzy_in(out[lead], bodies)):
        lead += 1
    if 0 < lead < len(out) and any(_fuzzy_in(t, bodies) for t in out[:lead]):
        del out[:lead]
    if len(out) > 3 and out[-3:-1] == ["board", "of"] and out[-1] in {"regent", "trustee", "governor"}:
        del out[-3:]
    elif len(out) > 2 and out[-2] == "board" and out[-1] in {"regent", "trustee", "governor"}:
        del out[-2:]
    return out


def _government(tokens: list[str]) -> list[str]:
    """Governments acting through an office become ``usgov <office>`` (another government: its name,
    then the office); ``on behalf of X`` names X; a governing board names its institution."""
    found = _find_representation(tokens)
    if found is None:
        n = _us_prefix(tokens)
        rest = [t for t in tokens[n:] if t not in STOPWORDS]
        if n and rest and (rest[0] in _GOV_START or _fuzzy_in(rest[0], ("department", "secretary"))):
            office, _ = _office(tokens[n:])
            return ["usgov", *office]
        return _governing_body(tokens)
    start, end, kind = found
    left, right = tokens[:start], tokens[end:]
    if kind == "behalf" and right:
        return _government(right)
    if kind == "acting":
        behalf = _find_representation(right)
        if behalf is not None and behalf[2] == "behalf":  # "... acting by and through X on behalf of Y"
            return _government(right)
        return _governing_body(left + right)
    office, us_right = _office(right)
    left_office, us_left = _office(left)
    if us_left or us_right:
        return ["usgov", *office]
    return left_office[:2] + office


@dataclass(frozen=True)
class NameKey:
    """What a raw name is compared by: its words, and acronyms it gives for itself."""

    tokens: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    person: bool = False  # "Last, First": compared as it is, never a family head or an acronym

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _looks_like_person(folded: str, words: Sequence[str]) -> bool:
    """``Kim, Hyung-wan``, ``Dean, Martin W. F.``: one comma between short parts, and no legal
    form or organisation word anywhere."""
    if folded.count(",") != 1 or not words:
        return False
    last, first = folded.split(",")
    if not (1 <= len(last.split()) <= 3 and 1 <= len(first.split()) <= 4):
        return False
    if _strip_legal(list(words)) != list(words) or any(_is_legal_word(w) for w in words):
        return False
    return not any(w in GENERIC or w in VOCABULARY for w in words)


@functools.lru_cache(maxsize=100_000)
def analyze(name: str) -> NameKey:
    """The comparison key of a raw name (see the module docstring for the steps)."""
    folded = _fold(name or "")
    aliases: list[str] = []
    words = _words(folded)
    if _looks_like_person(folded, words):
        return NameKey(tuple(words), (), True)
    # a parenthesised part is an alias when it is a single word (``(IBM)``, ``(C.E.A.)``) and is
    # dropped when it is a qualifier like ``(UK)`` or ``(Service National)``
    inner_words = [_content(_words(inner)) for inner in _PAREN.findall(folded)]
    outer = _PAREN.sub(" ", folded)
    tokens = _strip_legal(_words(outer))
    tokens = _content(_government(tokens)) or _content(tokens)
    if not tokens:  # nothing but stop words, a parenthesis or punctuation: keep what there is
        tokens = _content(_words(folded)) or [t for t in _SPLIT.split(folded) if t]
    tokens, own = _drop_own_acronym(tokens)
    aliases.extend(words[0] for words in inner_words if len(words) == 1 and _is_acronym_of(words[0], tokens))
    # leading/trailing bare numbers are list or code residue ("501 Hoechst", "... Kaisha 1")
    while len(tokens) > 1 and tokens[-1].isdigit():
        tokens.pop()
    while len(tokens) > 1 and tokens[0].isdigit():
        tokens.pop(0)
    aliases.extend(a for a in own if a not in aliases)
    return NameKey(tuple(tokens), tuple(a for a in aliases if a not in tokens))


def normalize_name(name: str) -> str:
    """The comparison key of a raw name as one string: ``Samsung Electronics Co., Ltd.`` ->
    ``samsung electronic``; ``三星電子株式會社`` -> ``三星电子``."""
    return analyze(name).text


# ------------------------------------------------------------------------------------- similarity
@functools.lru_cache(maxsize=200_000)
def _weight(token: str) -> float:
    """Generic words, and their misspellings (``elecric``), weigh less than distinctive ones."""
    if token in GENERIC or token == "usgov":
        return GENERIC_WEIGHT
    if _is_latin_word(token) and len(token) >= 5:
        near = {g for d in _deletions(token) | {token} for g in _GENERIC_BY_DELETION.get(d, ())}
        if any(token_similarity(token, g) >= 0.75 for g in near):
            return GENERIC_WEIGHT
    return 1.0


def _generic_index() -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for word in GENERIC:
        for d in _deletions(word) | {word}:
            index[d].add(word)
    return index


@dataclass(frozen=True)
class Alignment:
    """How two keys line up: the matched weight, the total weight of both, and the tokens of each
    left without a counterpart."""

    matched: float
    total: float
    unmatched_a: tuple[str, ...]
    unmatched_b: tuple[str, ...]

    @property
    def dice(self) -> float:
        return 2 * self.matched / self.total if self.total > 0 else 1.0

    @property
    def conflict(self) -> bool:
        """Both keys keep a word the other lacks (``Navy`` / ``Army``): a different applicant."""
        return bool(self.unmatched_a) and bool(self.unmatched_b)


def align(a: Sequence[str], b: Sequence[str]) -> Alignment:
    """Order-preserving alignment of two token sequences maximising the matched weight: a token
    matches an equal or nearly equal one (`token_similarity`), or two tokens glued together."""
    wa = [_weight(t) for t in a]
    wb = [_weight(t) for t in b]
    n, m = len(a), len(b)
    total = sum(wa) + sum(wb)
    # pair scores (similarity times mean weight) computed once, for the table and the trace-back
    pair = [[0.0] * m for _ in range(n)]
    any_match = False
    for i, ai in enumerate(a):
        row = pair[i]
        for j, bj in enumerate(b):
            sim = token_similarity(ai, bj)
            if sim:
                row[j] = sim * (wa[i] + wb[j]) / 2
                any_match = True
    if not any_match and not _glued_pairs(a, b):
        return Alignment(0.0, total, tuple(a), tuple(b))
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, prev, prow = best[i], best[i - 1], pair[i - 1]
        ai = a[i - 1]
        for j in range(1, m + 1):
            v = max(row[j - 1], prev[j])
            p = prow[j - 1]
            if p and prev[j - 1] + p > v:
                v = prev[j - 1] + p
            if j > 1 and ai == b[j - 2] + b[j - 1]:
                v = max(v, prev[j - 2] + (wa[i - 1] + wb[j - 2] + wb[j - 1]) / 2)
            if i > 1 and b[j - 1] == a[i - 2] + ai:
                v = max(v, best[i - 2][j - 1] + (wa[i - 2] + wa[i - 1] + wb[j - 1]) / 2)
            row[j] = v
    # trace back which tokens found a counterpart
    used_a = [False] * n
    used_b = [False] * m
    i, j = n, m
    while i > 0 and j > 0:
        v = best[i][j]
        p = pair[i - 1][j - 1]
        if p and v == best[i - 1][j - 1] + p:
            used_a[i - 1] = used_b[j - 1] = True
            i, j = i - 1, j - 1
        elif (j > 1 and a[i - 1] == b[j - 2] + b[j - 1]
              and v == best[i - 1][j - 2] + (wa[i - 1] + wb[j - 2] + wb[j - 1]) / 2):
            used_a[i - 1] = used_b[j - 1] = used_b[j - 2] = True
            i, j = i - 1, j - 2
        elif (i > 1 and b[j - 1] == a[i - 2] + a[i - 1]
              and v == best[i - 2][j - 1] + (wa[i - 2] + wa[i - 1] + wb[j - 1]) / 2):
            used_a[i - 1] = used_a[i - 2] = used_b[j - 1] = True
            i, j = i - 2, j - 1
        elif v == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return Alignment(best[n][m], total,
                     tuple(t for t, u in zip(a, used_a) if not u), tuple(t for t, u in zip(b, used_b) if not u))


def _glued_pairs(a: Sequence[str], b: Sequence[str]) -> bool:
    joined_b = {x + y for x, y in pairwise(b)}
    joined_a = {x + y for x, y in pairwise(a)}
    return bool(joined_b.intersection(a) or joined_a.intersection(b))


def key_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Weighted soft Dice of two keys under `align`; 0 when they conflict; 1 when they are equal
    once the spaces are removed (``eastmankodak``)."""
    if tuple(a) == tuple(b) or "".join(a) == "".join(b):
        return 1.0
    al = align(a, b)
    if al.conflict:
        return 0.0
    if (al.unmatched_a or al.unmatched_b) and not (_has_distinctive(a) and _has_distinctive(b)):
        # names made of generic words and places only ("Univ Beijing Technology") differ by any
        # word one of them adds ("Univ Beijing Science & Tech" is another university)
        return 0.0
    shorter = b if al.unmatched_a else a if al.unmatched_b else None
    if shorter is not None and len(shorter) == 1:
        # "Universal" and "Universal Instruments": whether one word names the longer applicant is
        # left to the family step, which asks how often each is mentioned
        return 0.0
    return al.dice


def _has_distinctive(tokens: Sequence[str]) -> bool:
    return any(t not in GENERIC and t != "usgov" for t in tokens)


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1:] for i in range(len(token))}


_GENERIC_BY_DELETION = _generic_index()
_SPELLING_BY_DELETION: dict[str, set[str]] = defaultdict(set)
for _w in VOCABULARY | {k for k in ABBREVIATIONS if len(k) >= 8}:
    if len(_w) >= 8:
        for _d in _deletions(_w) | {_w}:
            _SPELLING_BY_DELETION[_d].add(_w)
        for _d in list(_deletions(_w)):
            for _d2 in _deletions(_d):
                _SPELLING_BY_DELETION[_d2].add(_w)


def _blocking_keys(tokens: Sequence[str]) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    distinctive = [t for t in tokens if t not in GENERIC and t != "usgov"] or list(tokens)
    for t in distinctive:
        keys.add(("t", t))
        if _is_latin_word(t) and len(t) >= 4:
            keys.update(("d", d) for d in _deletions(t))
            keys.add(("d", t))
    keys.add(("s", "".join(tokens)))
    return keys


# ------------------------------------------------------------------------------------- grouping
class _UnionFind:
    def __init__(self, items: Iterable[tuple[str, ...]]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: tuple[str, ...]) -> tuple[str, ...]:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def union(self, a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        """Join the groups of a and b; the root of a's group stays the root."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
        return ra


def _distinctive(tokens: Sequence[str]) -> bool:
    """Whether a key can head a family: a distinctive word, or a place with another word."""
    if any(t not in GENERIC and t != "usgov" and len(t) >= 3 and not t.isdigit() for t in tokens):
        return True
    return len(tokens) >= 2 and any(t in GEO for t in tokens)


def _initials(tokens: Sequence[str]) -> str:
    return "".join(t[0] for t in tokens)


# A name that starts the names of several groups takes them in only when it is mentioned at least
# this many times and FAMILY_DOMINANCE times as often as all of them together: a brand heading its
# subsidiaries (``Hoechst``), not a common word opening many names (``Universal``).
FAMILY_DOMINANCE = 1
FAMILY_MIN_COUNT = 10


def _cluster_keys(keys: Sequence[tuple[str, ...]], counts: Mapping[tuple[str, ...], int],
                  aliases: Mapping[tuple[str, ...], set[str]], threshold: float,
                  persons: frozenset[tuple[str, ...]] = frozenset()) -> _UnionFind:
    uf = _UnionFind(keys)
    order = sorted(keys, key=lambda k: (-counts[k], -len(k), k))
    # 1. leaders: most frequent first, each key joins the most similar leader or leads its own group,
    #    so a typo attaches to the usual spelling and a vague name cannot chain two groups together
    postings: dict[tuple[str, str], list[tuple[str, ...]]] = defaultdict(list)
    for key in order:
        blocks = _blocking_keys(key)
        candidates: Counter = Counter()
        for block in blocks:
            members = postings.get(block)
            if members and len(members) <= MAX_POSTING:
                candidates.update(members)
        best, best_score = None, threshold
        for leader, _ in candidates.most_common(MAX_CANDIDATES):
            score = key_similarity(key, leader)
            if score >= best_score and (best is None or score > best_score or leader < best):
                best, best_score = leader, score
        if best is not None:
            uf.union(best, key)
        else:
            for block in blocks:
                postings[block].append(key)
    # 2. families: a key that starts with the whole key of another group (with a distinctive word)
    #    joins it when that is its only such group, or when the head is much more frequent
    size: Counter = Counter()
    for key in keys:
        size[uf.find(key)] += counts[key]
    present = set(keys)
    # the head's own spelling must be frequent: a vague name ("Genetics Co.") that joined a real
    # group in step 1 must not lend that group's weight to every "Genetic X"
    branches: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    extended_at_home: set[tuple[str, ...]] = set()  # heads whose own group already holds a longer name
    for key in keys:
        if key in persons:
            continue
        for k in range(1, len(key)):
            head = key[:k]
            if head in present and head not in persons and _distinctive(head):
                if uf.find(head) != uf.find(key):
                    branches[head].add(uf.find(key))
                else:
                    extended_at_home.add(head)
    for head in sorted(branches, key=lambda h: (-counts[h], h)):
        roots = {uf.find(r) for r in branches[head]} - {uf.find(head)}
        if not roots:
            continue
        branch_total = sum(size[r] for r in roots)
        largest = max(sorted(roots), key=lambda r: size[r])
        # a rare head whose own group already holds a longer name is vague ("Univ Dalian" beside
        # "Univ Dalian Tech"): it must not pull in a second, different longer name
        vague = head in extended_at_home and counts[head] < FAMILY_MIN_COUNT
        single = len(roots) == 1 and not vague
        if single or (counts[head] >= FAMILY_MIN_COUNT and counts[head] >= FAMILY_DOMINANCE * branch_total):
            chosen = sorted(roots)  # a brand heading its branches
        elif not vague and size[largest] > counts[head] and size[largest] >= 2 * (branch_total - size[largest]):
            chosen = [largest]  # a short form of the one dominant longer name
        else:
            continue
        for root in chosen:
            head_root = uf.find(head)
            total = size[head_root] + size[root]
            size[uf.union(head_root, root)] = total
    # 3. acronyms: a one-word key (or an alias) joins the one group whose words have those initials
    expansions: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for key in keys:
        if key in persons:
            continue
        if len(key) >= 3 and all(_is_latin_word(t) and len(t) >= 3 for t in key):
            expansions[_initials(key)].add(uf.find(key))
        if len(key) >= 4 and key[0] == "usgov":
            expansions["usgov " + _initials(key[1:])].add(uf.find(key))
            expansions[_initials(key[1:])].add(uf.find(key))  # "NASA" alone is ambiguous
    roots_of = {k: {uf.find(x) for x in v} for k, v in expansions.items()}
    for key in keys:
        if key in persons:
            continue
        wanted = set(aliases.get(key, ()))
        if len(key) == 1 and _is_latin_word(key[0]) and 2 <= len(key[0]) <= 6:
            wanted.add(key[0])
        if len(key) == 2 and key[0] == "usgov":
            wanted.add("usgov " + key[1])
        for acronym in wanted:
            found = sorted({uf.find(r) for r in roots_of.get(acronym, set())}, key=lambda r: (-size[r], r))
            # one group with those initials, or one that outweighs all the others together
            if found and (len(found) == 1 or size[found[0]] >= 2 * sum(size[r] for r in found[1:])):
                uf.union(found[0], key)
        for acronym in aliases.get(key, ()):
            if (acronym,) in present:
                uf.union(key, (acronym,))
    return uf


def _label(spellings: Counter) -> str:
    """The most frequent spelling; on a tie one not in capitals only, then the most complete
    (longest), then the first in order."""
    return min(spellings.items(), key=lambda kv: (-kv[1], kv[0].isupper(), -len(kv[0]), kv[0]))[0]


OverrideScope = Literal["name", "group"]


@dataclass(frozen=True)
class Override:
    """A librarian's decision. ``scope="name"``: this name (and the spellings with the same key)
    belongs to the group labelled ``group``; ``scope="group"``: the whole group the harmonizer
    puts this name in takes the label ``group`` (so two groups given one label are merged)."""

    name: str
    group: str
    scope: OverrideScope = "name"


def _as_overrides(overrides: Iterable[Override] | Mapping[str, str] | None) -> list[Override]:
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [Override(name, group) for name, group in overrides.items()]
    return list(overrides)


def harmonize(names: Sequence[str], overrides: Iterable[Override] | Mapping[str, str] | None = None,
              *, counts: Mapping[str, int] | None = None, threshold: float = SIMILARITY) -> dict[str, str]:
    """Every distinct raw name of ``names`` mapped to its group label.

    Frequencies choose the labels and let a frequent brand head its branches: give ``names`` once
    per mention, or distinct names with ``counts`` (name -> mentions; a name missing there counts
    once). ``overrides`` are `Override` records, or a mapping name -> label (scope ``name``); they
    win over the grouping.
    """
    counts = Counter(names) if counts is None else Counter({n: max(int(counts.get(n, 1)), 1) for n in names})
    key_of = {name: analyze(name) for name in counts}
    fallback = {name: tuple(name.casefold().split()) or (name,) for name in counts}
    keys_by_name = {name: (k.tokens or fallback[name]) for name, k in key_of.items()}
    aliases: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for name, k in key_of.items():
        aliases[keys_by_name[name]].update(k.aliases)
    key_counts: Counter = Counter()
    for name, key in keys_by_name.items():
        key_counts[key] += counts[name]
    persons = frozenset(keys_by_name[n] for n, k in key_of.items() if k.person)
    uf = _cluster_keys(sorted(key_counts), key_counts, aliases, threshold, persons)
    root_of = {name: uf.find(key) for name, key in keys_by_name.items()}
    members: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for name, root in root_of.items():
        members[root][name] = counts[name]
    labels = {root: _label(spellings) for root, spellings in members.items()}
    result = {name: labels[root] for name, root in root_of.items()}
    _apply_overrides(result, root_of, keys_by_name, _as_overrides(overrides))
    return result


def _apply_overrides(result: dict[str, str], root_of: Mapping[str, tuple[str, ...]],
                     keys_by_name: Mapping[str, tuple[str, ...]], overrides: list[Override]) -> None:
    if not overrides:
        return
    names_by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
    names_by_root: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name, key in keys_by_name.items():
        names_by_key[key].append(name)
        names_by_root[root_of[name]].append(name)

    def targets(o: Override) -> list[str]:
        if o.name in result:
            key = keys_by_name[o.name]
        else:
            k = analyze(o.name).tokens
            key = k or tuple(o.name.casefold().split())
        return names_by_key.get(key, [])

    # whole groups first, then single names, so a name override wins inside a relabelled group
    for o in overrides:
        if o.scope == "group":
            for name in targets(o):
                for member in names_by_root[root_of[name]]:
                    result[member] = o.group
    for o in overrides:
        if o.scope == "name":
            for name in targets(o):
                result[name] = o.group


def groups(names: Sequence[str], overrides: Iterable[Override] | Mapping[str, str] | None = None,
           ) -> list[dict[str, object]]:
    """The groups of a list of names (one entry per mention) for review, largest first: label,
    mentions, and each spelling with its count, its comparison key and the override that placed
    it, if any."""
    counts = Counter(names)
    chosen = _as_overrides(overrides)
    mapping = harmonize(names, chosen)
    pinned = _pinned(mapping, chosen)
    by_label: dict[str, Counter] = defaultdict(Counter)
    for name, label in mapping.items():
        by_label[label][name] = counts[name]
    out: list[dict[str, object]] = []
    for label, c in by_label.items():
        spellings = []
        for n, k in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])):
            entry: dict[str, object] = {"name": n, "count": k, "key": normalize_name(n)}
            if n in pinned:
                entry["override"] = pinned[n]
            spellings.append(entry)
        out.append({"group": label, "mentions": sum(c.values()), "names": spellings})
    out.sort(key=lambda g: (-int(g["mentions"]), str(g["group"])))  # type: ignore[call-overload]
    return out


def _pinned(mapping: Mapping[str, str], overrides: Sequence[Override]) -> dict[str, str]:
    """Which names an override placed, and which (``name`` or ``group``)."""
    out: dict[str, str] = {}
    if not overrides:
        return out
    keys = {normalize_name(n) or n.casefold(): n for n in mapping}
    for o in overrides:
        if o.name in mapping:
            out[o.name] = o.scope
        else:
            twin = keys.get(normalize_name(o.name) or o.name.casefold())
            if twin is not None:
                out[twin] = o.scope
    return out


# ------------------------------------------------------------------------------------- storage
APPLICANT_ROLES = ("applicant", "assignee", "owner")


def catalogue_names(engine: Engine, roles: Sequence[str] = APPLICANT_ROLES) -> list[str]:
    """The party names of the catalogue in these roles, one entry per mention."""
    from sqlalchemy import select

    from ..store import schema as S

    with engine.connect() as conn:
        rows = conn.execute(select(S.parties.c.name).where(S.parties.c.role.in_(list(roles))))
        return [r.name for r in rows if r.name]


def load_overrides(engine: Engine) -> list[Override]:
    """The overrides a librarian saved, oldest first (a later one wins over an earlier one)."""
    from sqlalchemy import select

    from ..store import schema as S

    t = S.name_overrides
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.name, t.c.group_label, t.c.scope).order_by(t.c.id))
        return [Override(r.name, r.group_label, "group" if r.scope == "group" else "name") for r in rows]


def save_override(engine: Engine, override: Override, note: str | None = None) -> None:
    """Store an override; one per name, so saving a name again replaces its decision."""
    import datetime as dt

    from sqlalchemy import delete, insert

    from ..errors import UserError
    from ..store import schema as S

    if not override.name.strip() or not override.group.strip():
        raise UserError("an override needs a name and a group label")
    if override.scope not in ("name", "group"):
        raise UserError(f"override scope must be 'name' or 'group', not {override.scope!r}")
    t = S.name_overrides
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.name == override.name))
        conn.execute(insert(t).values(name=override.name, name_key=normalize_name(override.name),
                                      group_label=override.group, scope=override.scope, note=note,
                                      created_at=dt.datetime.now(dt.UTC)))


def remove_override(engine: Engine, name: str) -> bool:
    """Forget the override of a name; False when there was none."""
    from sqlalchemy import delete

    from ..store import schema as S

    t = S.name_overrides
    with engine.begin() as conn:
        return conn.execute(delete(t).where(t.c.name == name)).rowcount > 0


def list_overrides(engine: Engine) -> list[dict[str, object]]:
    """Every stored override with its note and date, oldest first."""
    from sqlalchemy import select

    from ..store import schema as S

    t = S.name_overrides
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id)).mappings().all()
    return [{"name": r["name"], "group": r["group_label"], "scope": r["scope"], "key": r["name_key"],
             "note": r["note"], "created_at": r["created_at"]} for r in rows]


# ------------------------------------------------------------------------------------- references
def _plain(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


def _group_by(names: Sequence[str], key: Callable[[str], str]) -> dict[str, str]:
    counts = Counter(names)
    members: dict[str, Counter] = defaultdict(Counter)
    for name, n in counts.items():
        members[key(name)][name] = n
    labels = {k: _label(c) for k, c in members.items()}
    return {name: labels[key(name)] for name in counts}


def baseline_groups(names: Sequence[str]) -> dict[str, str]:
    """The plain reference: names equal once case, punctuation and spacing are ignored."""
    return _group_by(names, _plain)


def exact_groups(names: Sequence[str]) -> dict[str, str]:
    """Names with equal `normalize_name` keys, nothing fuzzy."""
    return _group_by(names, lambda n: normalize_name(n) or _plain(n))

