"""Shared values and helpers of the service desk tests (imported by conftest and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patentdesk.desk.accounts import User
from patentdesk.desk.config import DeskConfig

PASSWORD = "correct horse battery staple"
# The slices hold 225 grants, 25 in each of the 9 weekly files; the last one (2013) is kept back
# by `desk_home` so that a test can load it as "the new week".
LAST_SLICE = "ipg130416.small.xml"
FAST = {"password_time_cost": 1, "password_memory_kib": 8192}


def desk_config(**changes: Any) -> DeskConfig:
    values: dict[str, Any] = {"smtp_port": 1, "base_url": "https://desk.example", **FAST}
    values.update(changes)
    return DeskConfig(**values)


@dataclass
class Account:
    user: User
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Any]

    def parsed(self) -> list[Any]:
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(m.content, policy=default) for m in self.messages]


class Sink:
    def __init__(self, box: list[Any]) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.append(envelope)
        return "250 OK"
