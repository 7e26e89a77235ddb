"""Service desk commands: `patentdesk users add|list|set-role`, `patentdesk watches run`,
`patentdesk desk purge`."""

from __future__ import annotations

from typing import Any

import click

from .cli import Context, common, main


def _engine(ctx: Context) -> Any:
    return ctx.catalogue.engine


@main.group()
def users() -> None:
    """Accounts of the service desk: add staff, list, change roles."""


@users.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["user", "analyst", "admin"]), default="user", show_default=True)
@click.option("--name", help="Name shown to others (default: the part of the email before @).")
@click.option("--language", type=click.Choice(["en", "zh-Hans", "zh-Hant", "pt"]), default="en", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="PATENTDESK_NEW_PASSWORD", help="Prompted for when not given (or $PATENTDESK_NEW_PASSWORD).")
@common
def users_add(ctx: Context, email: str, role: str, name: str | None, language: str, password: str) -> None:
    """Create an account with a role."""
    from .desk import accounts
    from .desk.config import DeskConfig

    user = accounts.register(_engine(ctx), DeskConfig.from_env(), email, password, name or email.split("@")[0],
                             language=language, role=role)
    if ctx.as_json:
        ctx.emit(user.to_dict())
    else:
        click.echo(f"created {user.role} {user.email} (id {user.id})")


@users.command("list")
@common
def users_list(ctx: Context) -> None:
    """Every account with its role."""
    from sqlalchemy import select

    from .store import schema as S

    with _engine(ctx).connect() as conn:
        rows = [dict(r) for r in conn.execute(select(S.users.c.id, S.users.c.email, S.users.c.name, S.users.c.role,
                                                     S.users.c.active).order_by(S.users.c.id)).mappings()]
    if ctx.as_json:
        ctx.emit(rows)
    else:
        for r in rows:
            click.echo(f"{r['id']:>5} {r['role']:8} {'' if r['active'] else '(disabled) '}{r['email']}  {r['name']}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["user", "analyst", "admin"]))
@common
def users_set_role(ctx: Context, email: str, role: str) -> None:
    """Change the role of an account (recorded in the audit log as done by the command line)."""
    from sqlalchemy import update

    from .desk import accounts
    from .errors import NotFound
    from .store import schema as S

    user = accounts.find_user(_engine(ctx), email)
    if user is None:
        raise NotFound(f"no account {email}")
    with _engine(ctx).begin() as conn:
        conn.execute(update(S.users).where(S.users.c.id == user.id).values(role=role))
    click.echo(f"{user.email}: {user.role} -> {role}")


@main.group("watches")
def watches_group() -> None:
    """Watches and their alerts."""


@watches_group.command("run")
@click.option("--run", "run_id", help="Check the publications an ingest run added or changed: a run id, or 'latest'.")
@click.option("--number", "numbers", multiple=True, help="Check these publications (canonical numbers).")
@common
def watches_run(ctx: Context, run_id: str | None, numbers: tuple[str, ...]) -> None:
    """Run the watches over changed publications and deliver alerts; retry failed deliveries."""
    from .desk import watches
    from .errors import UserError

    changed = list(numbers)
    if run_id:
        rid = watches.latest_run(ctx.catalogue) if run_id == "latest" else int(run_id) if run_id.isdigit() else None
        if rid is None:
            raise UserError(f"--run: a run id or 'latest', got {run_id!r}")
        changed += watches.numbers_of_run(ctx.catalogue, rid)
    summary = watches.run_watches(ctx.settings, ctx.catalogue, changed)
    if ctx.as_json:
        ctx.emit(summary.to_dict())
    else:
        click.echo(", ".join(f"{k} {v}" for k, v in summary.to_dict().items()))


@main.group("desk")
def desk_group() -> None:
    """Service desk upkeep."""


@desk_group.command("purge")
@common
def desk_purge(ctx: Context) -> None:
    """Drop personal data older than the retention period (login records, old query texts, ended
    sessions and used reset links)."""
    from .desk import stats
    from .desk.config import DeskConfig

    out = stats.purge(_engine(ctx), DeskConfig.from_env())
    if ctx.as_json:
        ctx.emit(out)
    else:
        click.echo(", ".join(f"{k} {v}" for k, v in out.items()))
