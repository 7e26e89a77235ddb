"""The desk's errors, in the package's exception tree (the HTTP status sits on the class)."""

from __future__ import annotations

from ..errors import NotFound, PatentdeskError, UserError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "TooManyAttempts", "Unauthorized"]


class Unauthorized(PatentdeskError):
    """No account, or the wrong password: log in first."""

    status = 401
    code = "unauthorized"


class Forbidden(PatentdeskError):
    """Logged in, but the role does not allow it."""

    status = 403
    code = "forbidden"


class InvalidInput(UserError):
    code = "invalid_input"


class Conflict(PatentdeskError):
    status = 409
    code = "conflict"


class TooManyAttempts(PatentdeskError):
    status = 429
    code = "rate_limited"
