"""Landscape statistics computed the plain way, straight from the Lens rows, for comparison with
`patentdesk.analysis`.

Nothing here imports the product: rows become `Rec`s by reading the CSV columns / JSON fields
as Lens documents them, and every statistic is a loop over the records with `collections`.
Only the rules the methodology states are shared: documents are counted once per value; applicant
names are grouped by their normalized form (case, spacing, trailing punctuation) and labelled by
their most frequent spelling; the trend compares the last three years with the three before.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

OWNER_DATE = re.compile(r"\s*\((?:1[89]|20)\d{2}-\d{2}-\d{2}\)$")


@dataclass
class Rec:
    key: str  # the row's publication key, for dedupe
    country: str
    years: dict[str, int | None]  # publication / application / priority
    applicants: list[str]
    inventors: list[str]
    ipc: list[str]
    cpc: list[str]
    npl: int
    family: frozenset[str] = field(default_factory=frozenset)


def clean(name: str) -> str:
    return " ".join(name.split()).strip(" ;,")


def _names(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        c = clean(v)
        if c and c not in out:
            out.append(c)
    return out


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def _family(priorities: list[str], application: str | None) -> frozenset[str]:
    """A family is the set of priority claims (country + number), or the application itself."""
    keys = []
    for p in priorities:
        parts = p.split()
        keys.append(parts[0] + re.sub(r"[^0-9A-Z]", "", "".join(parts[1:-2]).upper()))
    if not keys and application:
        parts = application.split()
        number = parts[1:-1] if len(parts) > 2 else parts[1:]
        keys.append(parts[0] + re.sub(r"[^0-9A-Z]", "", "".join(number).upper()))
    return frozenset(keys)


def split(cell: str) -> list[str]:
    return [x.strip() for x in (cell or "").split(";;") if x.strip()]


def jet_records(path: Path) -> list[Rec]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        applicants = _names(split(r["Applicants"])) or _names(OWNER_DATE.sub("", o) for o in split(r["Owners (US)"]))
        prio = r["Earliest Priority Date"] or r["Application Date"]
        out.append(Rec(
            key=r["Publication Number"], country=r["Jurisdiction"],
            years={"publication": _year(r["Publication Date"]), "application": _year(r["Application Date"]),
                   "priority": _year(prio)},
            applicants=applicants, inventors=_names(split(r["Inventors"])),
            ipc=[s.replace(" ", "") for s in split(r["IPCR Classifications"])],
            cpc=[s.replace(" ", "") for s in split(r["CPC Classifications"])],
            npl=len(split(r["NPL Citations"])),
            family=_family(split(r["Priority Numbers"]), r["Application Number"] or None)))
    return out


def covid_records(folder: Path) -> list[Rec]:
    """One record per display key, the last line read winning (as a re-ingest replaces)."""
    by_key: dict[str, Rec] = {}
    for f in sorted(folder.glob("*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                o = json.loads(line)
                prios = [p for p in o.get("priorityFilingKeysActive") or [] if p.strip()]
                dates = sorted(p.split()[-1] for p in prios)
                prio = (f"{dates[0][:4]}" if dates else None) or o.get("earliestPriorityDate") or o.get("filingDate")
                owners = [x.get("name") if isinstance(x, dict) else x for x in o.get("owners") or []]
                rec = Rec(
                    key=o["displayKey"], country=o["jurisdiction"],
                    years={"publication": _year(o.get("publicationDate")), "application": _year(o.get("filingDate")),
                           "priority": _year(prio)},
                    applicants=_names(o.get("applicants") or []) or _names(n for n in owners if isinstance(n, str)),
                    inventors=_names(o.get("inventors") or []),
                    ipc=list(o.get("ipcrClassifications") or []), cpc=list(o.get("cpcClassifications") or []),
                    npl=len([x for x in o.get("nplCitations") or [] if x.strip()]),
                    family=_family(prios, o.get("filingNumber")))
                by_key[o["displayKey"]] = rec
    return list(by_key.values())


# ------------------------------------------------------------------------------------ statistics
def normalized(name: str) -> str:
    return " ".join(name.split()).strip(" .,;").casefold()


def groups(recs: list[Rec], attr: str) -> dict[str, str]:
    """Raw name -> label: the most frequent spelling (in documents) of its normalized form."""
    counts: Counter[str] = Counter(n for r in recs for n in set(getattr(r, attr)))
    best: dict[str, tuple[int, str]] = {}
    for name, n in counts.items():
        k = normalized(name)
        cur = best.get(k)
        if cur is None or (-n, name) < (-cur[0], cur[1]):
            best[k] = (n, name)
    return {name: best[normalized(name)][1] for name in counts}


def docs_per_group(recs: list[Rec], attr: str) -> dict[str, set[int]]:
    label = groups(recs, attr)
    out: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(recs):
        for n in getattr(r, attr):
            out[label[n]].add(i)
    return out


def ranked(counts: dict[str, int], top: int | None = None) -> list[tuple[str, int]]:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return items[:top] if top else items


def top_parties(recs: list[Rec], attr: str, basis: str, top: int) -> list[dict[str, object]]:
    per = docs_per_group(recs, attr)
    years = [r.years[basis] for r in recs if r.years[basis] is not None]
    last = max(years)
    out = []
    for name, n in ranked({g: len(d) for g, d in per.items()}, top):
        ys = [recs[i].years[basis] for i in per[name] if recs[i].years[basis] is not None]
        out.append({"name": name, "documents": n, "share": round(100 * n / len(recs), 2),
                    "first_year": min(ys) if ys else None, "last_year": max(ys) if ys else None,
                    "recent": sum(1 for y in ys if y >= last - 2),
                    "previous": sum(1 for y in ys if last - 5 <= y <= last - 3)})
    return out


def per_year(recs: list[Rec], basis: str) -> dict[int, int]:
    return dict(Counter(r.years[basis] for r in recs if r.years[basis] is not None))


def class_counts(recs: list[Rec], scheme: str, level: str) -> dict[str, int]:
    def code(sym: str) -> str | None:
        if not re.match(r"^[A-HY]\d{2}[A-Z]", sym):
            return None
        if level == "section":
            return sym[0]
        if level == "class":
            return sym[:3]
        if level == "subclass":
            return sym[:4]
        m = re.match(r"^([A-HY]\d{2}[A-Z])0*(\d+)", sym)
        return f"{m.group(1)}{m.group(2)}/00" if m else None

    counts: Counter[str] = Counter()
    for r in recs:
        counts.update({c for c in (code(s) for s in getattr(r, scheme)) if c})
    return dict(counts)


def concordance(path: Path) -> dict[str, int]:
    """IPC prefix ("H01M", "H04N19") -> WIPO field number, from the shared concordance file."""
    with open(path, encoding="utf-8-sig") as f:
        lines = [line for line in f if not line.startswith("#")]
    out = {}
    for row in csv.DictReader(lines):
        code = row["IPC_code"].replace("%", "").replace(" ", "").rstrip("/")
        out[code] = int(row["Field_number"])
    return out


def field_counts(recs: list[Rec], table: dict[str, int]) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for r in recs:
        fields = set()
        for sym in r.ipc or r.cpc:
            m = re.match(r"^([A-HY]\d{2}[A-Z])(\d+)?", sym)
            if not m:
                continue
            f = table.get(m.group(1) + str(int(m.group(2)))) if m.group(2) else None
            f = f or table.get(m.group(1))
            if f:
                fields.add(f)
        counts.update(fields)
    return dict(counts)


def coapplicant_totals(recs: list[Rec]) -> dict[str, int]:
    label = groups(recs, "applicants")
    pairs: set[tuple[str, str]] = set()
    nodes: set[str] = set()
    multi = 0
    for r in recs:
        gs = sorted({label[n] for n in r.applicants})
        if len(gs) > 1:
            multi += 1
        for i, a in enumerate(gs):
            for b in gs[i + 1:]:
                pairs.add((a, b))
                nodes.update((a, b))
    return {"nodes": len(nodes), "edges": len(pairs), "documents_with_coapplicants": multi,
            "documents": sum(1 for r in recs if r.applicants)}


def family_distribution(recs: list[Rec]) -> dict[int, int]:
    sizes = Counter(r.family for r in recs)
    return dict(Counter(sizes.values()))


def new_entrants(recs: list[Rec], basis: str) -> tuple[dict[int, int], dict[int, int]]:
    """(new applicants per year, active applicants per year)."""
    label = groups(recs, "applicants")
    first: dict[str, int] = {}
    active: dict[int, set[str]] = defaultdict(set)
    for r in recs:
        y = r.years[basis]
        if y is None:
            continue
        for n in r.applicants:
            g = label[n]
            first[g] = min(first.get(g, y), y)
            active[y].add(g)
    return dict(Counter(first.values())), {y: len(s) for y, s in active.items()}
