"""`patentdesk names`: applicant name groups for any list of names and for the catalogue.

    patentdesk names cluster FILE.csv --column NAME --out OUT.csv   rows back with a `group` column
    patentdesk names harmonize [--json]                              the catalogue's applicant groups
    patentdesk names override NAME --group LABEL [--whole-group]     a librarian's decision, stored
    patentdesk names override NAME --remove | patentdesk names override   forget one | list them
    patentdesk names eval [--benchmark air-umass]                     scores on gold-labelled sets
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

import click

from .cli import Context, common, main
from .errors import UserError


@main.group(name="names")
def names_group() -> None:
    """Applicant name harmonization: group spellings of one applicant, review, override."""


# ----------------------------------------------------------------------------------------- cluster
def _open_text(path: str) -> TextIO:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _cell_names(cell: str, separator: str | None) -> list[str]:
    parts = cell.split(separator) if separator else [cell]
    return [p.strip() for p in parts if p.strip()]


def cluster_rows(rows: list[dict[str, str]], column: str, separator: str | None,
                 overrides: Any = None) -> tuple[dict[str, str], int]:
    """The group of every name in ``column`` (cells split at ``separator``), and how many names."""
    mentions = [n for row in rows for n in _cell_names(row.get(column) or "", separator)]
    from .analysis.names import harmonize

    return harmonize(mentions, overrides), len(mentions)


@names_group.command("cluster")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--column", required=True, help="Column holding the names.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="CSV to write ('-': standard output): the rows with a group column added.")
@click.option("--group-column", default="group", show_default=True, help="Name of the added column.")
@click.option("--separator", help="Split cells holding several names at this string (Lens: ';;').")
@click.option("--delimiter", default=",", show_default=True, help="Field delimiter of the input CSV.")
@click.option("--use-overrides", is_flag=True, help="Apply the overrides stored in the catalogue.")
@common
def cluster_command(ctx: Context, file: str, column: str, out: str, group_column: str, separator: str | None,
                    delimiter: str, use_overrides: bool) -> None:
    """Group the names of a CSV column; write the rows back with a group column."""
    if file != "-" and not Path(file).is_file():
        raise UserError(f"no such file: {file}")
    with _open_text(file) as f:
        reader = csv.DictReader(f, delimiter=delimiter)
        fields = list(reader.fieldnames or [])
        if column not in fields:
            raise UserError(f"no column {column!r} in {file}; columns: {', '.join(fields) or 'none'}")
        if group_column in fields:
            raise UserError(f"{file} already has a column {group_column!r}; choose another with --group-column")
        rows = list(reader)
    overrides = None
    if use_overrides:
        from .analysis.names import load_overrides

        overrides = load_overrides(ctx.catalogue.engine)
    mapping, mentions = cluster_rows(rows, column, separator, overrides)
    joiner = separator or ""
    for row in rows:
        row[group_column] = joiner.join(mapping[n] for n in _cell_names(row.get(column) or "", separator))
    _write_csv(out, fields + [group_column], rows, delimiter)
    summary = {"rows": len(rows), "names": mentions, "distinct_names": len(mapping),
               "groups": len(set(mapping.values())), "out": out}
    if ctx.as_json:
        ctx.emit(summary)
    elif out != "-":
        click.echo(f"rows {summary['rows']}, names {mentions}, distinct {summary['distinct_names']}, "
                   f"groups {summary['groups']} -> {out}")


def _write_csv(out: str, fields: list[str], rows: list[dict[str, str]], delimiter: str) -> None:
    if out == "-":
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return
    target = Path(out)
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(target)


# ----------------------------------------------------------------------------------------- harmonize
@names_group.command("harmonize")
@click.option("--role", "roles", multiple=True,
              help="Party roles to take names from (repeatable; default applicant, assignee, owner).")
@click.option("--min-spellings", default=1, show_default=True, type=click.IntRange(min=1),
              help="Show only groups with at least this many spellings.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many groups.")
@common
def harmonize_command(ctx: Context, roles: tuple[str, ...], min_spellings: int, limit: int | None) -> None:
    """The catalogue's applicant name groups, largest first, with each spelling for review."""
    from .analysis.names import APPLICANT_ROLES, catalogue_names, groups, load_overrides

    engine = ctx.catalogue.engine
    names = catalogue_names(engine, roles or APPLICANT_ROLES)
    overrides = load_overrides(engine)
    found = groups(names, overrides)
    shown = [g for g in found if len(g["names"]) >= min_spellings]  # type: ignore[arg-type]
    if limit:
        shown = shown[:limit]
    if ctx.as_json:
        ctx.emit({"mentions": len(names), "distinct_names": len(Counter(names)), "groups": len(found),
                  "overrides": len(overrides), "shown": shown})
        return
    click.echo(f"mentions {len(names)}, distinct names {len(Counter(names))}, groups {len(found)}, "
               f"overrides {len(overrides)}")
    for g in shown:
        spellings = g["names"]
        assert isinstance(spellings, list)
        click.echo(f"{g['group']}  ({g['mentions']} mentions, {len(spellings)} spellings)")
        for s in spellings:
            mark = f"  [override: {s['override']}]" if "override" in s else ""
            click.echo(f"    {s['count']:6d}  {s['name']}{mark}")


# ----------------------------------------------------------------------------------------- override
@names_group.command("override")
@click.argument("name", required=False)
@click.option("--group", "label", help="The group label the name gets.")
@click.option("--whole-group", is_flag=True, help="Give the label to the whole group the name is in.")
@click.option("--note", help="Why (kept with the override).")
@click.option("--remove", is_flag=True, help="Forget the override of NAME.")
@common
def override_command(ctx: Context, name: str | None, label: str | None, whole_group: bool, note: str | None,
                     remove: bool) -> None:
    """Store a librarian's decision on a name's group; without NAME, list the stored ones.

    A name override also covers the spellings with the same comparison key (case, punctuation and
    legal forms aside). Give a name its own spelling as --group to take it out of its group.
    """
    from .analysis.names import (
        Override,
        list_overrides,
        normalize_name,
        remove_override,
        save_override,
    )

    engine = ctx.catalogue.engine
    if name is None:
        if label or remove or whole_group:
            raise UserError("give the NAME the override is for")
        rows = list_overrides(engine)
        if ctx.as_json:
            ctx.emit(rows)
        else:
            for r in rows:
                click.echo(f"{r['name']}  ->  {r['group']}  ({r['scope']}){'  # ' + str(r['note']) if r['note'] else ''}")
        return
    if remove:
        if label or whole_group:
            raise UserError("--remove takes no --group or --whole-group")
        removed = remove_override(engine, name)
        if not removed:
            raise UserError(f"no override for {name!r}")
        if ctx.as_json:
            ctx.emit({"removed": name})
        else:
            click.echo(f"removed the override of {name}")
        return
    if not label:
        raise UserError("give the group label with --group (or --remove)")
    override = Override(name, label, "group" if whole_group else "name")
    save_override(engine, override, note)
    result = {"name": name, "group": label, "scope": override.scope, "key": normalize_name(name), "note": note}
    if ctx.as_json:
        ctx.emit(result)
    else:
        click.echo(f"{name} -> {label} ({override.scope})")


# ----------------------------------------------------------------------------------------- eval
@names_group.command("eval")
@click.option("--benchmark", "benchmarks", multiple=True,
              help="air-umass, nber-subset, or a CSV with mention_id, unique_id, organization "
                   "(repeatable; default both sets of pv-evaluation).")
@common
def eval_command(ctx: Context, benchmarks: tuple[str, ...]) -> None:
    """Pairwise and B-cubed precision/recall/F1 of the harmonizer and two references, per mention
    and per distinct name, on gold-labelled assignee benchmarks."""
    from .analysis import names_eval

    results = names_eval.evaluate_all(benchmarks or tuple(names_eval.BENCHMARKS))
    if ctx.as_json:
        ctx.emit(results)
    else:
        click.echo(names_eval.format_table(results))
