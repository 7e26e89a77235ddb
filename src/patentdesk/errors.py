"""One exception tree for the whole package; the HTTP status sits on the class.

    PatentdeskError
     ├── UserError (400)
     │    ├── InvalidNumber
     │    ├── QuerySyntaxError
     │    └── UnsafeInput
     ├── NotFound (404)
     ├── ConfigError (500)
     └── RecordError          raised by readers for one record; the ingest loop quarantines it
"""

from __future__ import annotations


class PatentdeskError(Exception):
    status = 500
    code = "error"


class UserError(PatentdeskError):
    status = 400
    code = "bad_request"


class InvalidNumber(UserError):
    code = "invalid_number"


class QuerySyntaxError(UserError):
    code = "query_syntax"

    def __init__(self, message: str, position: int | None = None, hint: str | None = None, query: str = ""):
        self.message = message
        self.position = position
        self.hint = hint
        self.query = query
        text = message
        if position is not None:
            text += f" at position {position}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class UnsafeInput(UserError):
    """Hostile or unsafe input refused: XXE, entity expansion, archive path traversal."""

    code = "unsafe_input"


class NotFound(PatentdeskError):
    status = 404
    code = "not_found"


class ConfigError(PatentdeskError):
    status = 500
    code = "config"


class RecordError(PatentdeskError):
    """One record could not be read. `reason` says why; the reader keeps going."""

    code = "record"
