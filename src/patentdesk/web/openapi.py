"""The checked-in OpenAPI schema (openapi.json at the repository root) and how to regenerate it:

    python -m patentdesk.web.openapi openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..config import Settings


def schema() -> dict[str, Any]:
    """The app's schema; it does not depend on the catalogue, which is never opened here."""
    from .app import create_app

    app = create_app(Settings(home=Path("."), database_url="sqlite://"))
    return app.openapi()


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m patentdesk.web.openapi PATH", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(dumps(schema()), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
