"""Read-only look-ups the document pages need beyond `Catalogue.get`: which numbers exist, the
family around a publication, and the catalogue documents that cite it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text

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
    """Catalogue documents whose citations name `number`."""
    p, c = S.publications, S.citations
    q = (select(p.c.number).join(c, c.c.pub_id == p.c.id).where(c.c.cited_number == number)
         .distinct().order_by(p.c.number).limit(_MAX_LISTED))
    with catalogue.engine.connect() as conn:
        return [r[0] for r in conn.execute(q)]


def ping(catalogue: Catalogue) -> None:
    """Raises when the database cannot be reached."""
    with catalogue.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
