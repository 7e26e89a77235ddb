"""Claims as numbered items, with references to other claims turned into in-page links.

Claims arrive one per line ("1. A method ...\\n2. The method of claim 1 ..."). Each line's text is
HTML-escaped first; only then are "claim 1" / "claims 2 to 4" / "权利要求1" wrapped in links to
`#claim-N`, so nothing from the record can reach the page as markup.

Each claim also knows the claims it refers to (`refers_to`): the numbers it names, ranges spelled
out ("claims 1 to 4" refers to 1, 2, 3 and 4), and every earlier claim for "any preceding claim".
A claim that refers to none is independent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

_NUMBERED = re.compile(r"^\s*(\d{1,4})\s*[.)．、:]\s*(.*)$", re.DOTALL)
_REFERENCE = re.compile(
    r"(?P<word>\b[Cc]laims?\s+|\b[Rr]eivindicaç(?:ão|ões)\s+|权利要求\s*|請求項\s*|申請專利範圍第?\s*)"
    r"(?P<nums>\d{1,4}(?:\s*(?:,|and/or|or|and|to|through|-|–|ou|e|a|或|至|到|、)\s*\d{1,4})*)"
)
_NUMBER = re.compile(r"\d{1,4}")
_RANGE = re.compile(r"(\d{1,4})\s*(?:to|through|-|–|a|至|到)\s*(?=(\d{1,4}))")
_PRECEDING = re.compile(r"\b(?:any|all|one|each)\b[\w\s]{0,20}?\bpreceding\s+claims?\b|\bclaims?\s+above\b"
                        r"|前述任一|上述任一|前述各项|anteriores", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    number: int
    html: Markup
    refers_to: tuple[int, ...] = ()

    @property
    def dependent(self) -> bool:
        return bool(self.refers_to)


def _link_numbers(nums: str, known: set[int]) -> str:
    def one(m: re.Match[str]) -> str:
        n = int(m.group(0))
        return f'<a href="#claim-{n}">{n}</a>' if n in known else m.group(0)

    return _NUMBER.sub(one, nums)


def link_references(escaped: str, known: set[int]) -> Markup:
    """Wrap claim references in links; `escaped` must already be HTML-escaped."""
    def repl(m: re.Match[str]) -> str:
        return m.group("word") + _link_numbers(m.group("nums"), known)

    return Markup(_REFERENCE.sub(repl, escaped))


def references(body: str, number: int, known: set[int]) -> tuple[int, ...]:
    """The earlier or other claims of `known` that the claim text `body` names."""
    found: set[int] = set()
    for m in _REFERENCE.finditer(body):
        nums = m.group("nums")
        found.update(int(n) for n in _NUMBER.findall(nums))
        for r in _RANGE.finditer(nums):
            low, high = int(r.group(1)), int(r.group(2))
            if low < high <= low + 200:
                found.update(range(low, high + 1))
    if _PRECEDING.search(body):
        found.update(n for n in known if n < number)
    return tuple(sorted(n for n in found if n in known and n != number))


def split_claims(text: str | None) -> list[Claim]:
    """Numbered claims from one-claim-per-line text; unnumbered lines join the claim before them."""
    if not text:
        return []
    parsed: list[tuple[int, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _NUMBERED.match(line)
        if m:
            parsed.append((int(m.group(1)), m.group(2).strip()))
        elif parsed:
            num, body = parsed[-1]
            parsed[-1] = (num, body + "\n" + line.strip())
        else:
            parsed.append((1, line.strip()))
    known = {n for n, _ in parsed}
    return [Claim(n, link_references(str(escape(body)), known), references(body, n, known)) for n, body in parsed]
