"""Settings of the service desk. Each field can be set as `PATENTDESK_DESK_<FIELD>`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeskConfig:
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "patentdesk@localhost"
    base_url: str = "http://127.0.0.1:8000"  # links in emails and feeds
    secure_cookies: bool = True  # off only for a portal served over plain http on a trusted network
    session_hours: int = 12
    reset_minutes: int = 60
    login_failures: int = 5  # failed logins per email within the window
    login_client_failures: int = 50  # per client address: a library's readers may share one address
    login_window_minutes: int = 15
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_request: int = 20
    retention_days: int = 90  # default; admins change it in the settings
    webhook_timeout_s: float = 10.0
    alert_max_attempts: int = 5
    password_time_cost: int = 2  # argon2id; memory 19 MiB, as OWASP's minimum recommends
    password_memory_kib: int = 19456

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeskConfig:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"PATENTDESK_DESK_{f.name.upper()}")
            if raw is None:
                continue
            if f.type == "bool":
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif f.type == "int":
                values[f.name] = int(raw)
            elif f.type == "float":
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        return {f"PATENTDESK_DESK_{f.name.upper()}": str(getattr(self, f.name)) for f in dataclasses.fields(self)}
