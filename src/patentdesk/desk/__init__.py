"""The service desk: accounts and roles, requests worked as cases, search reports, collections,
saved searches, watches with their alerts, usage statistics and the learning section.

The desk's tables live in the catalogue's database (migration 0004). Every function takes the
catalogue's engine and, where a person acts, the acting `User`; authorization is decided here, not
in the web layer: a user reaches only their own objects (others' are `NotFound`), staff reach
cases, admins reach users and settings, and every change by staff is written to the audit log.

    accounts   registration, argon2 passwords, sessions, CSRF tokens, login limits, resets, roles
    requests   requests, attachments, messages, statuses
    cases      the analyst's work: searches logged, documents marked X/Y/A, notes, delivery
    report     the search report as HTML and PDF (Chromium through Playwright)
    library    collections and saved searches
    watches    watches, `run_watches` after an ingest, alerts by email, Atom feed or webhook
    stats      usage statistics and the retention of personal data
    learning   guides and search exercises
"""

from .accounts import User
from .config import DeskConfig
from .watches import run_watches

__all__ = ["DeskConfig", "User", "run_watches"]
