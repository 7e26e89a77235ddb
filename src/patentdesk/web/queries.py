"""Read-only look-ups the document pages need beyond `Catalogue.get`: which numbers exist, the
family around a publication, the catalogue documents that cite it, and when it was loaded.

A patent citation names a catalogue document when it gives its number exactly, or else the same
number without the kind when the catalogue holds exactly one document of that number (a citation
of the application that the catalogue holds as its grant, or the reverse). The citation analysis
(`patentdesk.analysis.snapshot.resolve_citations`) reads citations the same way."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select, text

from ..store import schema as S
from ..store.catalogue import Catalogue

_MAX_LISTED = 200  # a page lists at most this many family members or citing documents


def existing(catalogue: Catalogue, numbers: Iterable[str]) -> set[str]:
    """The subset of `numbers` that the catalogue holds."""
    wanted = sorted({n for n in numbers if n})
    found: set[str] = set()
    p = S.publications
    with catalogue.engine.connect() as conn:
        for i in range(0, len(wanted), 500):
            found.update(r[0] for r in conn.execute(select(p.c.number).where(p.c.number.in_(wanted[i:i + 500]))))
    return found


def number_base(number: str) -> str:
    """"US7783348B2" -> "US7783348"; unchanged when no kind follows the digits."""
    m = re.match(r"^([A-Z]{2}.*?[0-9])(?:[A-Z][0-9]?)?$", number)
    return m.group(1) if m else number


def citation_targets(catalogue: Catalogue, numbers: Iterable[str]) -> dict[str, str]:
    """Cited number -> the catalogue document it names, for the cited numbers that name one."""
    wanted = sorted({n for n in numbers if n})
    exact = existing(catalogue, wanted)
    out = {n: n for n in exact}
    bases = {number_base(n): n for n in wanted if n not in exact}
    if not bases:
        return out
    p = S.publications
    held: dict[str, list[str]] = {}
    with catalogue.engine.connect() as conn:
        names = sorted(bases)
        for i in range(0, len(names), 100):
            where = or_(*(and_(p.c.country == b[:2], p.c.doc_number == b[2:]) for b in names[i:i + 100]))
            for country, doc_number, number in conn.execute(select(p.c.country, p.c.doc_number, p.c.number)
                                                            .where(where)):
                held.setdefault(country + doc_number, []).append(number)
    for base, cited in bases.items():
        if len(held.get(base, ())) == 1:
            out[cited] = held[base][0]
    return out


def family_members(catalogue: Catalogue, family_id: str | None, number: str) -> list[tuple[str, str | None]]:
    """(number, publication date) of the other catalogue documents in the same family."""
    if not family_id:
        return []
    p = S.publications
    q = (select(p.c.number, p.c.publication_date)
         .where(p.c.family_id == family_id, p.c.number != number)
         .order_by(p.c.publication_date, p.c.number).limit(_MAX_LISTED))
    with catalogue.engine.connect() as conn:
        return [(r[0], r[1].isoformat() if r[1] else None) for r in conn.execute(q)]


def cited_by(catalogue: Catalogue, number: str) -> list[str]:
    """Catalogue documents whose patent citations name `number` (exactly, or by its number without
    the kind when no other catalogue document has that number)."""
    p, c = S.publications, S.citations
    base = number_base(number)
    with catalogue.engine.connect() as conn:
        same_base = conn.execute(select(func.count()).select_from(p)
                                 .where(p.c.country == base[:2], p.c.doc_number == base[2:])).scalar_one()
        spellings = [number]
        if same_base == 1 and base != number:
            # the base alone or with any kind code (a letter and at most one digit), spelled out so
            # that the cited-number index serves the look-up whatever the database's collation
            spellings += [base] + [base + k + d for k in string.ascii_uppercase for d in ("", *string.digits)]
        names = c.c.cited_number.in_(spellings)
        q = (select(c.c.cited_number, p.c.number).join(c, c.c.pub_id == p.c.id)
             .where(c.c.kind != "npl", names, p.c.number != number))
        rows = list(conn.execute(q))
        others = {cited for cited, _ in rows if cited != number}
        taken = existing(catalogue, others) if others else set()  # numbers that name another document
    citing = {pub for cited, pub in rows if cited == number or (cited not in taken and number_base(cited) == base)}
    return sorted(citing)[:_MAX_LISTED]


def loaded_at(catalogue: Catalogue, number: str) -> dt.datetime | None:
    """When the catalogue took in the current version of the record."""
    p = S.publications
    with catalogue.engine.connect() as conn:
        value = conn.execute(select(p.c.updated_at).where(p.c.number == number)).scalar_one_or_none()
    return value if isinstance(value, dt.datetime) else None


def ping(catalogue: Catalogue) -> None:
    """Raises when the database cannot be reached."""
    with catalogue.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
