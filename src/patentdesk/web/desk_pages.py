"""The service desk's portal pages, under /desk. Their addresses:

    /desk                      my desk: requests, collections, watches (staff: the case queue)
    /desk/login, /desk/register, /desk/logout, /desk/reset
    /desk/requests, /desk/requests/new, /desk/requests/{id}            (+ .../report.pdf|html)
    /desk/cases, /desk/cases/{id}                                       staff
    /desk/collections, /desk/collections/{id}
    /desk/watches                                                       watches and saved searches
    /desk/feeds/{token}.atom                                            a watch's private feed
    /desk/admin, /desk/admin/stats(.csv)                                admins
    /desk/learn, /desk/learn/{guide}, /desk/learn/exercises/{id}

Every form carries a CSRF token: the session's once logged in, before that a random token kept
in a cookie beside the form (double submit). The session cookie is HttpOnly, SameSite=Lax and,
unless configured off for plain-http test setups, Secure.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ..desk import accounts, audit, cases, learning, library, stats, watches
from ..desk import requests as desk_requests
from ..desk.accounts import User
from ..desk.db import new_token
from ..desk.errors import Forbidden, InvalidInput, Unauthorized
from ..errors import NotFound, UserError
from . import desk_api
from .desk_api import SESSION_COOKIE, authenticate, desk_config, engine, services
from .render import N_, language, render

router = APIRouter(include_in_schema=False)

ANON_CSRF_COOKIE = "pd_form"
Csrf = Annotated[str, Form()]

FLASH = {
    "registered": N_("Your account is ready. Welcome!"),
    "submitted": N_("Your request has been sent to the library."),
    "reset-sent": N_("If an account uses this address, a reset link is on its way."),
    "reset-done": N_("Your password has been changed. Please log in."),
    "delivered": N_("The report has been delivered."),
    "saved": N_("Saved."),
}


# ----------------------------------------------------------------------------- helpers
def _user(request: Request) -> User | None:
    auth = authenticate(request)
    return auth.user if auth else None


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse("/desk/login?" + urlencode({"next": target}), status_code=303)


def _safe_next(value: str | None) -> str:
    """Only a path of this site: never a redirect to somewhere else."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/desk"


def _csrf(request: Request) -> str:
    auth = authenticate(request)
    if auth is not None:
        return auth.session.csrf_token
    token: str | None = getattr(request.state, "anon_csrf", None) or request.cookies.get(ANON_CSRF_COOKIE)
    if not token or len(token) > 100:
        token = new_token()
    request.state.anon_csrf = token
    return token


def _check_csrf(request: Request, supplied: str) -> None:
    auth = authenticate(request)
    expected = auth.session.csrf_token if auth else request.cookies.get(ANON_CSRF_COOKIE)
    if not expected or not supplied or not hmac.compare_digest(expected, supplied):
        raise Forbidden("the form has expired: reload the page and send it again")


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    user = _user(request)
    token = _csrf(request)
    response = render(request, template, status=status, user=user, csrf_token=token,
                      flash=FLASH.get(request.query_params.get("done", "")), **context)
    response.headers["Cache-Control"] = "private, no-store"
    if user is None and request.cookies.get(ANON_CSRF_COOKIE) != token:
        response.set_cookie(ANON_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=desk_config(request).secure_cookies, path="/desk")
    return response


def _go(url: str, done: str | None = None) -> RedirectResponse:
    if done:
        url += ("&" if "?" in url else "?") + "done=" + done
    return RedirectResponse(url, status_code=303)


def _set_session(request: Request, response: Response, user: User) -> None:
    config = desk_config(request)
    token, _ = accounts.create_session(engine(request), config, user)
    response.set_cookie(SESSION_COOKIE, token, max_age=config.session_hours * 3600, httponly=True, samesite="lax",
                        secure=config.secure_cookies, path="/")
    response.delete_cookie(ANON_CSRF_COOKIE, path="/desk")


def _error_text(e: Exception) -> str:
    return str(e)


# ----------------------------------------------------------------------------- accounts
@router.get("/desk/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "desk/login.html", next=_safe_next(next), error=None, email="")


@router.post("/desk/login")
def login(request: Request, csrf_token: Csrf, email: Annotated[str, Form(max_length=254)] = "",
          password: Annotated[str, Form(max_length=512)] = "", next: Annotated[str, Form()] = "/desk") -> Response:
    _check_csrf(request, csrf_token)
    try:
        user = accounts.authenticate(engine(request), desk_config(request), email, password,
                                     desk_api.client_address(request))
    except (Unauthorized, desk_api.accounts.TooManyAttempts) as e:
        status = 429 if isinstance(e, desk_api.accounts.TooManyAttempts) else 401
        message = N_("Too many failed logins. Please wait a while.") if status == 429 else \
            N_("Wrong email or password.")
        return page(request, "desk/login.html", status=status, next=_safe_next(next), error=message, email=email)
    response = _go(_safe_next(next))
    _set_session(request, response, user)
    return response


@router.post("/desk/logout")
def logout(request: Request, csrf_token: Csrf) -> Response:
    auth = authenticate(request)
    if auth is not None:
        _check_csrf(request, csrf_token)
        accounts.end_session(engine(request), auth.token)
    response = _go("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/desk/register")
def register_form(request: Request) -> Response:
    return page(request, "desk/register.html", error=None, email="", name="")


@router.post("/desk/register")
def register(request: Request, csrf_token: Csrf, email: Annotated[str, Form(max_length=254)] = "",
             name: Annotated[str, Form(max_length=200)] = "",
             password: Annotated[str, Form(max_length=512)] = "") -> Response:
    _check_csrf(request, csrf_token)
    try:
        user = accounts.register(engine(request), desk_config(request), email, password, name,
                                 language=language(request))
    except (UserError, desk_api.accounts.Conflict) as e:
        return page(request, "desk/register.html", status=400, error=_error_text(e), email=email, name=name)
    response = _go("/desk", "registered")
    _set_session(request, response, user)
    return response


@router.get("/desk/reset")
def reset_form(request: Request, token: str | None = None) -> Response:
    return page(request, "desk/reset.html", token=token, error=None)


@router.post("/desk/reset")
def reset(request: Request, csrf_token: Csrf, email: Annotated[str, Form(max_length=254)] = "",
          token: Annotated[str, Form(max_length=128)] = "",
          password: Annotated[str, Form(max_length=512)] = "") -> Response:
    _check_csrf(request, csrf_token)
    if not token:
        desk_api.send_reset(request, email)
        return _go("/desk/login", "reset-sent")
    try:
        accounts.finish_password_reset(engine(request), desk_config(request), token, password)
    except UserError as e:
        return page(request, "desk/reset.html", status=400, token=token, error=_error_text(e))
    return _go("/desk/login", "reset-done")


# ----------------------------------------------------------------------------- my desk
@router.get("/desk")
def home(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    e = engine(request)
    return page(request, "desk/home.html", requests=desk_requests.list_mine(e, user),
                collections=library.collections(e, user), watches=watches.watches(e, user),
                queue=cases.queue(e, user) if user.is_staff else [])


@router.get("/desk/requests")
def my_requests(request: Request) -> Response:
    return home(request)


@router.get("/desk/requests/new")
def new_request_form(request: Request) -> Response:
    if _user(request) is None:
        return _login_redirect(request)
    return page(request, "desk/request_new.html", error=None, kinds=desk_requests.KINDS,
                form={"kind": "novelty", "title": "", "description": "", "deadline": "", "report_language": ""})


@router.post("/desk/requests/new")
def new_request(request: Request, csrf_token: Csrf, kind: Annotated[str, Form()] = "",
                title: Annotated[str, Form(max_length=400)] = "",
                description: Annotated[str, Form(max_length=40_000)] = "",
                deadline: Annotated[str, Form(max_length=20)] = "",
                report_language: Annotated[str, Form(max_length=12)] = "") -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    _check_csrf(request, csrf_token)
    form = {"kind": kind, "title": title, "description": description, "deadline": deadline,
            "report_language": report_language}
    try:
        due = dt.date.fromisoformat(deadline) if deadline else None
    except ValueError:
        return page(request, "desk/request_new.html", status=400, error="deadline: use YYYY-MM-DD",
                    kinds=desk_requests.KINDS, form=form)
    try:
        created = desk_requests.submit(engine(request), user, kind=kind, title=title, description=description,
                                       deadline=due, language=report_language or language(request))
    except UserError as e:
        return page(request, "desk/request_new.html", status=400, error=_error_text(e), kinds=desk_requests.KINDS,
                    form=form)
    return _go(f"/desk/requests/{created['id']}", "submitted")


@router.get("/desk/requests/{request_id}")
def request_page(request: Request, request_id: int) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    e = engine(request)
    return page(request, "desk/request.html", req=desk_requests.get(e, user, request_id),
                messages=desk_requests.messages(e, user, request_id), error=None)


@router.post("/desk/requests/{request_id}/messages")
def request_message(request: Request, request_id: int, csrf_token: Csrf,
                    body: Annotated[str, Form(max_length=40_000)] = "",
                    back: Annotated[str, Form()] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    desk_requests.post_message(engine(request), user, request_id, body)
    return _go(_safe_next(back) if back else f"/desk/requests/{request_id}")


@router.post("/desk/requests/{request_id}/attachments")
def request_attachment(request: Request, request_id: int, csrf_token: Csrf,
                       file: Annotated[UploadFile, File()]) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    config = desk_config(request)
    data = file.file.read(config.attachment_max_bytes + 1)
    desk_requests.add_attachment(engine(request), services(request).settings, config, user, request_id,
                                 file.filename or "", data)
    return _go(f"/desk/requests/{request_id}")


@router.get("/desk/requests/{request_id}/attachments/{attachment_id}")
def request_attachment_file(request: Request, request_id: int, attachment_id: int) -> Response:
    return desk_api.attachment_response(request, _require(request), request_id, attachment_id)


@router.post("/desk/requests/{request_id}/close")
def request_close(request: Request, request_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    desk_requests.close(engine(request), user, request_id)
    return _go(f"/desk/requests/{request_id}")


@router.get("/desk/requests/{request_id}/report.{fmt}")
def request_report(request: Request, request_id: int, fmt: str) -> Response:
    if fmt not in ("pdf", "html"):
        raise NotFound("no such report format")
    return desk_api.report_response(request, _require(request), request_id, fmt)


def _require(request: Request) -> User:
    user = _user(request)
    if user is None:
        raise Unauthorized("log in first")
    return user


# ----------------------------------------------------------------------------- cases (staff)
@router.get("/desk/cases")
def case_queue(request: Request, status: str | None = None) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    accounts.require_staff(user)
    wanted = status if status in desk_requests.STATUSES else None
    return page(request, "desk/cases.html", queue=cases.queue(engine(request), user, wanted), wanted=wanted,
                statuses=desk_requests.STATUSES)


def _case_page(request: Request, user: User, request_id: int, *, status: int = 200, results: Any = None,
               query: str = "", error: str | None = None) -> Response:
    data = cases.case(engine(request), user, request_id)
    numbers = [m["number"] for m in data["marks"]]
    pubs = services(request).catalogue.get_many(numbers)
    titles = {n: (p.title or "") for n, p in pubs.items()}
    moves = [s for s in desk_requests.STAFF_MOVES[data["status"]]]
    return page(request, "desk/case.html", status=status, case=data, results=results, query=query, error=error,
                titles=titles, moves=moves, categories=cases.CATEGORIES)


@router.get("/desk/cases/{request_id}")
def case_page(request: Request, request_id: int) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    accounts.require_staff(user)
    return _case_page(request, user, request_id)


@router.post("/desk/cases/{request_id}/accept")
def case_accept(request: Request, request_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    cases.accept(engine(request), user, request_id)
    return _go(f"/desk/cases/{request_id}")


@router.post("/desk/cases/{request_id}/status")
def case_status(request: Request, request_id: int, csrf_token: Csrf,
                status: Annotated[str, Form(max_length=20)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    cases.move(engine(request), user, request_id, status)
    return _go(f"/desk/cases/{request_id}")


@router.post("/desk/cases/{request_id}/search")
def case_search(request: Request, request_id: int, csrf_token: Csrf,
                query: Annotated[str, Form(max_length=2000)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    try:
        _, hits = desk_api.run_case_search(request, user, request_id, query, 50)
    except UserError as e:
        return _case_page(request, user, request_id, status=400, query=query, error=_error_text(e))
    return _case_page(request, user, request_id, results=hits, query=query)


@router.post("/desk/cases/{request_id}/marks")
def case_mark(request: Request, request_id: int, csrf_token: Csrf, number: Annotated[str, Form(max_length=64)] = "",
              category: Annotated[str, Form(max_length=2)] = "",
              passage: Annotated[str, Form(max_length=20_000)] = "",
              claims: Annotated[str, Form(max_length=100)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    accounts.require_staff(user)
    try:
        canonical = desk_api.resolve_number(request, number)
        cases.mark(engine(request), user, request_id, canonical, category, passage=passage, claims=claims)
    except (UserError, NotFound) as e:
        return _case_page(request, user, request_id, status=400, error=_error_text(e))
    return _go(f"/desk/cases/{request_id}#marks")


@router.post("/desk/cases/{request_id}/marks/{mark_id}/delete")
def case_unmark(request: Request, request_id: int, mark_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    cases.unmark(engine(request), user, request_id, mark_id)
    return _go(f"/desk/cases/{request_id}#marks")


@router.post("/desk/cases/{request_id}/notes")
def case_note(request: Request, request_id: int, csrf_token: Csrf,
              body: Annotated[str, Form(max_length=40_000)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    cases.add_note(engine(request), user, request_id, body)
    return _go(f"/desk/cases/{request_id}#notes")


@router.post("/desk/cases/{request_id}/strategy")
def case_strategy(request: Request, request_id: int, csrf_token: Csrf,
                  databases: Annotated[str, Form(max_length=2000)] = "",
                  classes: Annotated[str, Form(max_length=2000)] = "",
                  conclusion: Annotated[str, Form(max_length=40_000)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    cases.set_strategy(engine(request), user, request_id, databases=databases, classes=classes,
                       conclusion=conclusion)
    return _go(f"/desk/cases/{request_id}#report", "saved")


@router.post("/desk/cases/{request_id}/deliver")
def case_deliver(request: Request, request_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    svc = services(request)
    try:
        cases.deliver(svc.catalogue.engine, svc.settings, desk_config(request), svc.catalogue, user, request_id)
    except InvalidInput as e:
        return _case_page(request, user, request_id, status=400, error=_error_text(e))
    return _go(f"/desk/cases/{request_id}", "delivered")


# ----------------------------------------------------------------------------- collections
@router.get("/desk/collections")
def collections_page(request: Request) -> Response:
    return home(request)


@router.post("/desk/collections")
def collection_create(request: Request, csrf_token: Csrf, name: Annotated[str, Form(max_length=200)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    made = library.create_collection(engine(request), user, name)
    return _go(f"/desk/collections/{made['id']}")


@router.get("/desk/collections/{collection_id}")
def collection_page(request: Request, collection_id: int) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    col = library.collection(engine(request), user, collection_id)
    pubs = services(request).catalogue.get_many([i["number"] for i in col["items"]])
    return page(request, "desk/collection.html", col=col, titles={n: p.title or "" for n, p in pubs.items()},
                error=None)


@router.post("/desk/collections/{collection_id}/items")
def collection_add(request: Request, collection_id: int, csrf_token: Csrf,
                   number: Annotated[str, Form(max_length=64)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    library.collection(engine(request), user, collection_id)
    library.add_item(engine(request), user, collection_id, desk_api.resolve_number(request, number))
    return _go(f"/desk/collections/{collection_id}")


@router.post("/desk/collections/{collection_id}/items/{number}/delete")
def collection_remove(request: Request, collection_id: int, number: str, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    library.remove_item(engine(request), user, collection_id, number)
    return _go(f"/desk/collections/{collection_id}")


@router.post("/desk/collections/{collection_id}/delete")
def collection_delete(request: Request, collection_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    library.delete_collection(engine(request), user, collection_id)
    return _go("/desk")


# ----------------------------------------------------------------------------- watches and saved searches
@router.get("/desk/watches")
def watches_page(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    e = engine(request)
    return page(request, "desk/watches.html", watches=[watches.watch(e, user, w["id"]) for w in watches.watches(e, user)],
                saved=library.saved_searches(e, user), error=None, base_url=desk_config(request).base_url.rstrip("/"),
                kinds=watches.KINDS, channels=watches.CHANNELS)


@router.post("/desk/watches")
def watch_create(request: Request, csrf_token: Csrf, name: Annotated[str, Form(max_length=200)] = "",
                 kind: Annotated[str, Form(max_length=16)] = "search", value: Annotated[str, Form(max_length=2000)] = "",
                 channel: Annotated[str, Form(max_length=16)] = "email",
                 webhook_url: Annotated[str, Form(max_length=2000)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    if kind == "citation" and value.strip():
        value = desk_api.resolve_number(request, value)
    watches.create_watch(engine(request), user, name=name, kind=kind, value=value, channel=channel,
                         webhook_url=webhook_url or None)
    return _go("/desk/watches", "saved")


@router.post("/desk/watches/{watch_id}/delete")
def watch_delete(request: Request, watch_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    watches.delete_watch(engine(request), user, watch_id)
    return _go("/desk/watches")


@router.post("/desk/saved-searches")
def saved_create(request: Request, csrf_token: Csrf, name: Annotated[str, Form(max_length=200)] = "",
                 query: Annotated[str, Form(max_length=2000)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    from ..search import query as Q

    Q.parse(query)
    library.save_search(engine(request), user, name, query)
    return _go("/desk/watches", "saved")


@router.post("/desk/saved-searches/{saved_id}/delete")
def saved_delete(request: Request, saved_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    library.delete_saved_search(engine(request), user, saved_id)
    return _go("/desk/watches")


@router.get("/desk/feeds/{token}.atom")
def feed(request: Request, token: str) -> Response:
    info, hits = watches.feed_entries(engine(request), token)
    pubs = services(request).catalogue.get_many([h["number"] for h in hits])
    body = watches.atom(desk_config(request), info, hits, pubs)
    return Response(body, media_type="application/atom+xml", headers={"Cache-Control": "private, no-store"})


# ----------------------------------------------------------------------------- admin
@router.get("/desk/admin")
def admin_page(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    accounts.require_admin(user)
    e = engine(request)
    return page(request, "desk/admin.html", users=accounts.list_users(e, user),
                alerts=watches.failing_alerts(e, user), audit=audit.entries(e, user, 50),
                settings=stats.settings(e, user, desk_config(request)),
                runs=services(request).catalogue.runs(10))


@router.post("/desk/admin/users/{user_id}")
def admin_user(request: Request, user_id: int, csrf_token: Csrf, role: Annotated[str, Form(max_length=16)] = "",
               active: Annotated[str, Form(max_length=8)] = "") -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    if role:
        accounts.set_role(engine(request), user, user_id, role)
    if active in ("yes", "no"):
        accounts.set_active(engine(request), user, user_id, active == "yes")
    return _go("/desk/admin", "saved")


@router.post("/desk/admin/settings")
def admin_settings(request: Request, csrf_token: Csrf,
                   retention_days: Annotated[int, Form(ge=1, le=3650)] = 90) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    stats.set_settings(engine(request), user, desk_config(request), retention_days=retention_days)
    return _go("/desk/admin", "saved")


@router.post("/desk/admin/alerts/{alert_id}/retry")
def admin_retry(request: Request, alert_id: int, csrf_token: Csrf) -> Response:
    user = _require(request)
    _check_csrf(request, csrf_token)
    watches.retry_alert(engine(request), user, alert_id)
    return _go("/desk/admin", "saved")


@router.get("/desk/admin/stats")
def stats_page(request: Request, days: int = 30) -> Response:
    user = _user(request)
    if user is None:
        return _login_redirect(request)
    days = max(1, min(days, 366))
    request.app.state.services.usage.flush()
    data = stats.usage(engine(request), user, days)
    peak = max([d["total"] for d in data["searches_per_day"]] + [1])
    return page(request, "desk/stats.html", data=data, days=days, peak=peak)


@router.get("/desk/admin/stats.csv")
def stats_csv(request: Request, days: int = 30) -> Response:
    return desk_api.admin_stats_export(request, _require(request), max(1, min(days, 3650)))


# ----------------------------------------------------------------------------- learning
@router.get("/desk/learn")
def learn(request: Request) -> Response:
    lang = language(request)
    return page(request, "desk/learn.html", guides=[(slug, titles[lang]) for slug, titles in learning.GUIDES.items()],
                exercises=[e.public(lang) for e in learning.available(services(request).catalogue)])


@router.get("/desk/learn/exercises/{exercise_id}")
def exercise_page(request: Request, exercise_id: str, q: str = "") -> Response:
    lang = language(request)
    exercise = learning.get(services(request).catalogue, exercise_id)
    grade = None
    error = None
    if q.strip():
        try:
            grade = desk_api.check(request, exercise_id, q, None)
        except UserError as e:
            error = _error_text(e)
    pubs = services(request).catalogue.get_many(grade["missed"] + grade["found"] + grade["extra"]) if grade else {}
    return page(request, "desk/exercise.html", status=400 if error else 200, exercise=exercise.public(lang),
                q=q, grade=grade, error=error, titles={n: p.title or "" for n, p in pubs.items()},
                hint=exercise.hint if grade else None)


@router.get("/desk/learn/{slug}")
def guide(request: Request, slug: str) -> Response:
    if slug not in learning.GUIDES:
        raise NotFound(f"no guide {slug!r}")
    lang = language(request)
    return page(request, f"desk/guides/{slug}.{lang}.html", title=learning.GUIDES[slug][lang])


