"""Accounts, roles, sessions and passwords.

Passwords are hashed with argon2id (argon2-cffi). A session is a random token kept by the browser
in a cookie (or sent by an API client as a bearer token); the database keeps only its SHA-256,
with the session's CSRF token. Failed logins are counted per email and per client address: past
`login_failures` within the window, logins are refused with 429 until the window has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..store import schema as S
from . import audit
from .config import DeskConfig
from .db import aware, new_id, new_token, now, token_hash
from .errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)

ROLES = ("user", "analyst", "admin")
LANGUAGES = ("en", "zh-Hans", "zh-Hant", "pt")
MIN_PASSWORD = 10
MAX_PASSWORD = 512
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,250}\.[A-Za-z0-9-]{2,63}$")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    language: str
    active: bool

    @property
    def is_staff(self) -> bool:
        return self.role in ("analyst", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role,
                "language": self.language, "active": self.active}


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: dt.datetime


@cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hasher(config: DeskConfig) -> PasswordHasher:
    return _hasher(config.password_time_cost, config.password_memory_kib)


def _user(row: Any) -> User:
    return User(id=row.id, email=row.email, name=row.name, role=row.role, language=row.language,
                active=bool(row.active))


def normalize_email(email: str) -> str:
    value = (email or "").strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidInput("email: not a valid email address")
    return value


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password: at most {MAX_PASSWORD} characters")
    return password


def _check_name(name: str) -> str:
    value = (name or "").strip()
    if not value or len(value) > 200:
        raise InvalidInput("name: between 1 and 200 characters")
    return value


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"language: one of {', '.join(LANGUAGES)}")
    return language


# ----------------------------------------------------------------------------- registration
def register(engine: Engine, config: DeskConfig, email: str, password: str, name: str, *,
             language: str = "en", role: str = "user", actor: User | None = None) -> User:
    """A new account. Anyone may register a user; only an admin (or the command line, `actor`
    None with a role given) creates staff accounts."""
    email = normalize_email(email)
    check_password(password)
    name = _check_name(name)
    _check_language(language)
    if role not in ROLES:
        raise InvalidInput(f"role: one of {', '.join(ROLES)}")
    if actor is not None and not actor.is_admin:
        raise Forbidden("only an admin creates accounts for others")
    with engine.begin() as conn:
        if conn.execute(select(S.users.c.id).where(S.users.c.email == email)).first():
            raise Conflict("an account with this email exists")
        res = conn.execute(insert(S.users).values(
            email=email, password_hash=hasher(config).hash(password), name=name, role=role, language=language,
            active=True, created_at=now()))
        user = User(new_id(res), email, name, role, language, True)
        if actor is not None:
            audit.record(conn, actor, "user.create", "user", user.id, email=email, role=role)
    return user


def get_user(engine: Engine, user_id: int) -> User:
    with engine.connect() as conn:
        row = conn.execute(select(S.users).where(S.users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    return _user(row)


def find_user(engine: Engine, email: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(S.users).where(S.users.c.email == email.strip().lower())).first()
    return _user(row) if row else None


def update_profile(engine: Engine, actor: User, *, name: str | None = None, language: str | None = None) -> User:
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _check_name(name)
    if language is not None:
        values["language"] = _check_language(language)
    if values:
        with engine.begin() as conn:
            conn.execute(update(S.users).where(S.users.c.id == actor.id).values(**values))
    return get_user(engine, actor.id)


# ----------------------------------------------------------------------------- login and sessions
def _blocked(conn: Connection, config: DeskConfig, email: str, client: str) -> bool:
    since = now() - dt.timedelta(minutes=config.login_window_minutes)
    by_email = conn.execute(select(func.count()).select_from(S.login_attempts)
                            .where(S.login_attempts.c.email == email, S.login_attempts.c.at >= since)).scalar_one()
    by_client = conn.execute(select(func.count()).select_from(S.login_attempts)
                             .where(S.login_attempts.c.client == client, S.login_attempts.c.at >= since)).scalar_one()
    return by_email >= config.login_failures or by_client >= config.login_client_failures


def authenticate(engine: Engine, config: DeskConfig, email: str, password: str, client: str) -> User:
    """The account for these credentials; `Unauthorized` otherwise, `TooManyAttempts` when the
    email (or, with a higher limit, the client address) failed too often lately, even with the right
    password then."""
    email = (email or "").strip().lower()[:254]
    client = (client or "unknown")[:64]
    with engine.begin() as conn:
        if _blocked(conn, config, email, client):
            raise TooManyAttempts(f"too many failed logins; try again in {config.login_window_minutes} minutes")
        row = conn.execute(select(S.users).where(S.users.c.email == email)).first()
        ok = False
        if row is not None and row.active:
            try:
                ok = hasher(config).verify(row.password_hash, password or "")
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            # the same work as a real check, so timing does not tell which emails have accounts
            try:
                hasher(config).verify(_dummy_hash(config), password or "")
            except (VerificationError, InvalidHashError):
                pass
        if not ok:
            conn.execute(insert(S.login_attempts).values(email=email, client=client, at=now()))
    if not ok or row is None:
        raise Unauthorized("wrong email or password")
    with engine.begin() as conn:
        values: dict[str, Any] = {"last_login_at": now()}
        if hasher(config).check_needs_rehash(row.password_hash):
            values["password_hash"] = hasher(config).hash(password)
        conn.execute(update(S.users).where(S.users.c.id == row.id).values(**values))
    return _user(row)


@cache
def _dummy_hash_for(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash(new_token())


def _dummy_hash(config: DeskConfig) -> str:
    return _dummy_hash_for(config.password_time_cost, config.password_memory_kib)


def create_session(engine: Engine, config: DeskConfig, user: User) -> tuple[str, Session]:
    """A new session: the token to hand to the client (never stored) and the session."""
    token = new_token()
    csrf = new_token()
    started = now()
    expires = started + dt.timedelta(hours=config.session_hours)
    with engine.begin() as conn:
        conn.execute(insert(S.user_sessions).values(token_hash=token_hash(token), user_id=user.id, csrf_token=csrf,
                                                    created_at=started, expires_at=expires))
    return token, Session(user, csrf, expires)


def session_for(engine: Engine, token: str | None) -> Session | None:
    """The live session of a token, or None (unknown, expired, or its account disabled)."""
    if not token or len(token) > 128:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(S.user_sessions.c.csrf_token, S.user_sessions.c.expires_at, S.users)
            .join(S.users, S.users.c.id == S.user_sessions.c.user_id)
            .where(S.user_sessions.c.token_hash == token_hash(token))).first()
    if row is None or not row.active:
        return None
    expires = aware(row.expires_at)
    assert expires is not None
    if expires <= now():
        return None
    return Session(_user(row), row.csrf_token, expires)


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(delete(S.user_sessions).where(S.user_sessions.c.token_hash == token_hash(token)))


# ----------------------------------------------------------------------------- password reset
def start_password_reset(engine: Engine, config: DeskConfig, email: str) -> tuple[User, str] | None:
    """A reset token for the account of `email` (to be emailed), or None when there is none.
    Callers answer the same either way, so the form does not tell who has an account."""
    user = find_user(engine, email)
    if user is None or not user.active:
        return None
    token = new_token()
    created = now()
    with engine.begin() as conn:
        conn.execute(insert(S.password_resets).values(
            token_hash=token_hash(token), user_id=user.id, created_at=created,
            expires_at=created + dt.timedelta(minutes=config.reset_minutes)))
    return user, token


def finish_password_reset(engine: Engine, config: DeskConfig, token: str, password: str) -> User:
    """Set a new password with a reset token; the token then stops working, and so do the
    account's sessions."""
    check_password(password)
    with engine.begin() as conn:
        row = conn.execute(select(S.password_resets).where(
            S.password_resets.c.token_hash == token_hash(token or ""))).first()
        expires = aware(row.expires_at) if row is not None else None
        if row is None or row.used_at is not None or expires is None or expires <= now():
            raise InvalidInput("token: this reset link is not valid any more; ask for a new one")
        conn.execute(update(S.password_resets).where(S.password_resets.c.id == row.id).values(used_at=now()))
        conn.execute(update(S.users).where(S.users.c.id == row.user_id)
                     .values(password_hash=hasher(config).hash(password)))
        conn.execute(delete(S.user_sessions).where(S.user_sessions.c.user_id == row.user_id))
        conn.execute(delete(S.login_attempts).where(S.login_attempts.c.email == select(S.users.c.email).where(
            S.users.c.id == row.user_id).scalar_subquery()))
    return get_user(engine, row.user_id)


def change_password(engine: Engine, config: DeskConfig, actor: User, old: str, new: str) -> None:
    check_password(new)
    with engine.begin() as conn:
        stored = conn.execute(select(S.users.c.password_hash).where(S.users.c.id == actor.id)).scalar_one()
        try:
            hasher(config).verify(stored, old or "")
        except (VerificationError, InvalidHashError):
            raise Unauthorized("the current password is wrong") from None
        conn.execute(update(S.users).where(S.users.c.id == actor.id).values(password_hash=hasher(config).hash(new)))


# ----------------------------------------------------------------------------- administration
def require_staff(actor: User | None) -> User:
    if actor is None:
        raise Unauthorized("log in first")
    if not actor.is_staff:
        raise Forbidden("for library staff only")
    return actor


def require_admin(actor: User | None) -> User:
    if actor is None:
        raise Unauthorized("log in first")
    if not actor.is_admin:
        raise Forbidden("for administrators only")
    return actor


def list_users(engine: Engine, actor: User) -> list[User]:
    require_admin(actor)
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(S.users).order_by(S.users.c.id))]


def set_role(engine: Engine, actor: User, user_id: int, role: str) -> User:
    require_admin(actor)
    if role not in ROLES:
        raise InvalidInput(f"role: one of {', '.join(ROLES)}")
    if user_id == actor.id and role != "admin":
        raise InvalidInput("role: an admin cannot take the admin role from themselves")
    target = get_user(engine, user_id)
    with engine.begin() as conn:
        conn.execute(update(S.users).where(S.users.c.id == user_id).values(role=role))
        audit.record(conn, actor, "user.role", "user", user_id, before=target.role, after=role)
    return get_user(engine, user_id)


def set_active(engine: Engine, actor: User, user_id: int, active: bool) -> User:
    require_admin(actor)
    if user_id == actor.id and not active:
        raise InvalidInput("active: an admin cannot disable their own account")
    get_user(engine, user_id)
    with engine.begin() as conn:
        conn.execute(update(S.users).where(S.users.c.id == user_id).values(active=active))
        if not active:
            conn.execute(delete(S.user_sessions).where(S.user_sessions.c.user_id == user_id))
        audit.record(conn, actor, "user.active", "user", user_id, active=active)
    return get_user(engine, user_id)
