"""Where the catalogue lives: the home folder and the database URL.

Resolution order: explicit argument, then ``PATENTDESK_HOME`` / ``PATENTDESK_DATABASE_URL``, then
the platform's user data folder and SQLite inside the home. Nothing is created at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def vectors_dir(self) -> Path:
        return self.home / "vectors"

    def ensure(self) -> "Settings":
        self.home.mkdir(parents=True, exist_ok=True)
        return self


def resolve(home: str | os.PathLike[str] | None = None, database_url: str | None = None) -> Settings:
    if home is None:
        home = os.environ.get("PATENTDESK_HOME")
    if home is None:
        from platformdirs import user_data_dir

        home = user_data_dir("patentdesk", appauthor=False)
    home_path = Path(home).expanduser().resolve()
    url = database_url or os.environ.get("PATENTDESK_DATABASE_URL") or f"sqlite:///{home_path / 'catalogue.sqlite'}"
    return Settings(home=home_path, database_url=url)
