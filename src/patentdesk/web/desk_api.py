"""The service desk's REST API (/api/v1/auth, /requests, /cases, /collections, /saved-searches,
/watches, /admin, /learning) and the authentication every desk route shares with the portal.

A client logs in with `POST /api/v1/auth/login` and sends the token it gets back as
`Authorization: Bearer <token>`. The portal's session cookie works here too; a request that
changes something with the cookie must then carry the session's CSRF token in `X-CSRF-Token`.
Anonymous calls get 401, another user's objects 404, a role that does not allow it 403.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import logging
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..desk import accounts, audit, cases, learning, library, stats, watches
from ..desk import requests as desk_requests
from ..desk.accounts import Session, User
from ..desk.config import DeskConfig
from ..desk.errors import Forbidden, InvalidInput, Unauthorized
from ..search.api import SearchRequest
from .app import Services
from .schemas import ErrorResponse

log = logging.getLogger("patentdesk.web")

SESSION_COOKIE = "pd_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/login.")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                       description="The portal's session cookie; changes also need the X-CSRF-Token header.")


def _err(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("Bad request: a field is invalid (the message names it)."),
    401: _err("Not logged in, or the session has expired."),
    403: _err("The account's role does not allow this, or the CSRF token is missing."),
    404: _err("No such object, or it belongs to someone else."),
    409: _err("The object is not in a state that allows this."),
    422: _err("A parameter is missing or malformed."),
    429: _err("Rate limit reached; see the Retry-After header."),
}

router = APIRouter(prefix="/api/v1", responses=_ERRORS)


# ----------------------------------------------------------------------------- context
def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def engine(request: Request) -> Any:
    return services(request).catalogue.engine


def desk_config(request: Request) -> DeskConfig:
    config: DeskConfig = request.app.state.desk_config
    return config


@dataclass(frozen=True)
class Auth:
    session: Session
    token: str
    via: str  # bearer | cookie

    @property
    def user(self) -> User:
        return self.session.user


def authenticate(request: Request) -> Auth | None:
    """The session of this request, from the bearer token or the session cookie (cached)."""
    if hasattr(request.state, "desk_auth"):
        cached: Auth | None = request.state.desk_auth
        return cached
    found: Auth | None = None
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        session = accounts.session_for(engine(request), token.strip())
        found = Auth(session, token.strip(), "bearer") if session else None
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        session = accounts.session_for(engine(request), cookie) if cookie else None
        found = Auth(session, cookie, "cookie") if session and cookie else None
    request.state.desk_auth = found
    return found


def check_csrf(auth: Auth, supplied: str | None) -> None:
    if auth.via != "cookie":
        return  # a bearer token is not sent by the browser on its own: no cross-site forgery
    if not supplied or not hmac.compare_digest(supplied, auth.session.csrf_token):
        raise Forbidden("the CSRF token is missing or wrong")


def api_user(request: Request,
             _b: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
             _c: Annotated[str | None, Depends(_cookie)] = None) -> User:
    auth = authenticate(request)
    if auth is None:
        raise Unauthorized("log in first: POST /api/v1/auth/login, then send the token as a bearer token")
    if request.method not in SAFE_METHODS:
        check_csrf(auth, request.headers.get(CSRF_HEADER))
    return auth.user


CurrentUser = Annotated[User, Depends(api_user)]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ObjectId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def resolve_number(request: Request, number: str) -> str:
    """A document number in any common spelling as the catalogue's canonical one."""
    return str(services(request).catalogue.resolve(number))


def _json(obj: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(obj, status_code=status)


# ----------------------------------------------------------------------------- shapes
class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class UserOut(_Open):
    id: int
    email: str
    name: str
    role: Literal["user", "analyst", "admin"]
    language: str
    active: bool


class LoginOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    csrf_token: str = Field(description="Needed only with the session cookie, in X-CSRF-Token.")
    expires_at: str
    user: UserOut


class RegisterIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=accounts.MAX_PASSWORD)
    name: str = Field(min_length=1, max_length=200)
    language: Literal["en", "zh-Hans", "zh-Hant", "pt"] = "en"


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=accounts.MAX_PASSWORD)


class ResetIn(BaseModel):
    email: str = Field(max_length=254)


class ResetConfirmIn(BaseModel):
    token: str = Field(max_length=128)
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=accounts.MAX_PASSWORD)


class StatusOut(BaseModel):
    status: str


Kind = Literal["novelty", "fto", "landscape", "question"]
Lang = Literal["en", "zh-Hans", "zh-Hant", "pt"]


class RequestIn(BaseModel):
    kind: Kind = Field(description="novelty (prior-art) search, fto (freedom-to-operate screening), "
                                   "landscape, or question.")
    title: str = Field(min_length=1, max_length=desk_requests.MAX_TITLE)
    description: str = Field(min_length=1, max_length=desk_requests.MAX_TEXT)
    deadline: dt.date | None = None
    language: Lang | None = Field(None, description="Language of the report; the account's by default.")


class AttachmentOut(_Open):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: str


class RequestOut(_Open):
    id: int
    kind: str
    title: str
    description: str
    deadline: str | None
    language: str
    status: Literal["submitted", "accepted", "in_progress", "waiting_for_user", "delivered", "closed"]
    created_at: str
    updated_at: str


class RequestDetail(RequestOut):
    attachments: list[AttachmentOut]
    report_available: bool


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=desk_requests.MAX_TEXT)


class MessageOut(_Open):
    id: int
    body: str
    created_at: str


class SearchLogOut(_Open):
    id: int
    database: str
    query: str
    hits: int
    created_at: str


class MarkOut(_Open):
    id: int
    number: str
    category: Literal["X", "Y", "A"]
    passage: str | None
    claims: str | None


class CaseOut(RequestOut):
    requester: str
    attachments: list[AttachmentOut]
    searches: list[SearchLogOut]
    marks: list[MarkOut]
    notes: list[MessageOut]
    messages: list[MessageOut]
    reports: list[dict[str, Any]]


class CaseStatusIn(BaseModel):
    status: Literal["accepted", "in_progress", "waiting_for_user", "closed"]


class CaseSearchIn(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    limit: int = Field(20, ge=0, le=100, description="Hits to return with the log entry.")


class CaseSearchOut(BaseModel):
    search: SearchLogOut
    hits: list[dict[str, Any]]


class MarkIn(BaseModel):
    number: str = Field(min_length=1, max_length=64, description="Any common spelling; must be in the catalogue.")
    category: Literal["X", "Y", "A"]
    passage: str | None = Field(None, max_length=desk_requests.MAX_TEXT)
    claims: str | None = Field(None, max_length=100, description="The claims it bears on, e.g. 1-3, 7.")
    note: str | None = Field(None, max_length=desk_requests.MAX_TEXT)


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=desk_requests.MAX_TEXT)


class StrategyIn(BaseModel):
    databases: str | None = Field(None, max_length=2000)
    classes: str | None = Field(None, max_length=2000)
    conclusion: str | None = Field(None, max_length=20_000)


class CollectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)


class CollectionPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)


class ItemIn(BaseModel):
    number: str = Field(min_length=1, max_length=64)
    note: str | None = Field(None, max_length=4000)


class CollectionOut(_Open):
    id: int
    name: str
    description: str | None
    created_at: str


class CollectionDetail(CollectionOut):
    items: list[dict[str, Any]]


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=2000)


class SavedSearchOut(_Open):
    id: int
    name: str
    query: str
    created_at: str


class WatchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["search", "applicant", "class", "citation"] = "search"
    value: str = Field("", max_length=2000, description="The query, applicant name, IPC symbol or patent number.")
    saved_search_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Watch this saved search instead.")
    channel: Literal["email", "feed", "webhook"] = "email"
    webhook_url: str | None = Field(None, max_length=2000)


class WatchPatch(BaseModel):
    active: bool


class WatchOut(_Open):
    id: int
    name: str
    kind: str
    value: str
    query: str
    channel: str
    active: bool
    created_at: str


class AlertOut(_Open):
    id: int
    status: str
    attempts: int
    numbers: list[str]
    created_at: str


class UserPatch(BaseModel):
    role: Literal["user", "analyst", "admin"] | None = None
    active: bool | None = None


class StaffIn(RegisterIn):
    role: Literal["user", "analyst", "admin"] = "analyst"


class SettingsIn(BaseModel):
    retention_days: int = Field(ge=1, le=3650, description="Days that queries and login records are kept.")


class ExerciseCheckIn(BaseModel):
    query: str | None = Field(None, max_length=2000, description="A query: its results are checked.")
    numbers: list[str] | None = Field(None, max_length=500, description="Or the documents found, as numbers.")


# ----------------------------------------------------------------------------- auth
@router.post("/auth/register", status_code=201, response_model=UserOut, summary="Create an account",
             tags=["auth"])
def register(request: Request, body: RegisterIn) -> Response:
    user = accounts.register(engine(request), desk_config(request), body.email, body.password, body.name,
                             language=body.language)
    return _json(user.to_dict(), 201)


@router.post("/auth/login", response_model=LoginOut, summary="Log in: a session token", tags=["auth"])
def login(request: Request, body: LoginIn) -> Response:
    config = desk_config(request)
    user = accounts.authenticate(engine(request), config, body.email, body.password, client_address(request))
    token, session = accounts.create_session(engine(request), config, user)
    return _json({"token": token, "csrf_token": session.csrf_token, "expires_at": session.expires_at.isoformat(),
                  "user": user.to_dict()})


@router.post("/auth/logout", status_code=204, summary="End this session", tags=["auth"])
def logout(request: Request, user: CurrentUser) -> Response:
    auth = authenticate(request)
    if auth is not None:
        accounts.end_session(engine(request), auth.token)
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserOut, summary="The logged-in account", tags=["auth"])
def me(user: CurrentUser) -> Response:
    return _json(user.to_dict())


@router.post("/auth/password-reset", status_code=202, response_model=StatusOut, tags=["auth"],
             summary="Email a password reset link (the answer is the same whether the account exists)")
def password_reset(request: Request, body: ResetIn) -> Response:
    send_reset(request, body.email)
    return _json({"status": "sent"}, 202)


def send_reset(request: Request, email: str) -> None:
    from ..desk import mail

    config = desk_config(request)
    found = accounts.start_password_reset(engine(request), config, email)
    if found is None:
        return
    user, token = found
    link = f"{config.base_url.rstrip('/')}/desk/reset?token={token}"
    try:
        mail.send(config, user.email, "patentdesk: reset your password",
                  f"To choose a new password, open this link within {config.reset_minutes} minutes:\n\n{link}\n\n"
                  f"Your reset code: {token}\n\nIf you did not ask for this, ignore this message.\n")
    except mail.MailError:
        # the answer must not tell whether the account exists; the failure is in the server log
        import logging

        logging.getLogger("patentdesk.desk").exception("could not send a password reset email")


@router.post("/auth/password-reset/confirm", response_model=UserOut, summary="Set a new password with a reset token",
             tags=["auth"])
def password_reset_confirm(request: Request, body: ResetConfirmIn) -> Response:
    user = accounts.finish_password_reset(engine(request), desk_config(request), body.token, body.password)
    return _json(user.to_dict())


# ----------------------------------------------------------------------------- requests
@router.get("/requests", response_model=list[RequestOut], summary="My requests", tags=["requests"])
def my_requests(request: Request, user: CurrentUser) -> Response:
    return _json(desk_requests.list_mine(engine(request), user))


@router.post("/requests", status_code=201, response_model=RequestDetail, summary="Submit a request", tags=["requests"])
def submit_request(request: Request, user: CurrentUser, body: RequestIn) -> Response:
    out = desk_requests.submit(engine(request), user, kind=body.kind, title=body.title, description=body.description,
                               deadline=body.deadline, language=body.language)
    return _json(out, 201)


@router.get("/requests/{request_id}", response_model=RequestDetail, summary="One of my requests", tags=["requests"])
def get_request(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    return _json(desk_requests.get(engine(request), user, request_id))


@router.post("/requests/{request_id}/close", response_model=RequestDetail, summary="Close a request",
             tags=["requests"])
def close_request(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    return _json(desk_requests.close(engine(request), user, request_id))


@router.get("/requests/{request_id}/messages", response_model=list[MessageOut], tags=["requests"],
            summary="Messages between the requester and the analyst")
def list_messages(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    return _json(desk_requests.messages(engine(request), user, request_id))


@router.post("/requests/{request_id}/messages", status_code=201, response_model=MessageOut, tags=["requests"],
             summary="Write a message on the request")
def post_message(request: Request, user: CurrentUser, request_id: RequestId, body: MessageIn) -> Response:
    return _json(desk_requests.post_message(engine(request), user, request_id, body.body), 201)


@router.post("/requests/{request_id}/attachments", status_code=201, response_model=AttachmentOut, tags=["requests"],
             summary="Attach a file (PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV; size limited)")
async def add_attachment(request: Request, user: CurrentUser, request_id: RequestId,
                         file: Annotated[UploadFile, File(description="The file.")]) -> Response:
    config = desk_config(request)
    data = await file.read(config.attachment_max_bytes + 1)
    svc = services(request)
    from starlette.concurrency import run_in_threadpool

    out = await run_in_threadpool(desk_requests.add_attachment, svc.catalogue.engine, svc.settings, config, user,
                                  request_id, file.filename or "", data)
    return _json(out, 201)


@router.get("/requests/{request_id}/attachments/{attachment_id}", tags=["requests"], summary="Download an attachment",
            responses={200: {"description": "The file, as an attachment.", "content": {"application/octet-stream": {}}}})
def get_attachment(request: Request, user: CurrentUser, request_id: RequestId, attachment_id: ObjectId) -> Response:
    return attachment_response(request, user, request_id, attachment_id)


def attachment_response(request: Request, user: User, request_id: int, attachment_id: int) -> Response:
    svc = services(request)
    meta, path = desk_requests.attachment(svc.catalogue.engine, svc.settings, user, request_id, attachment_id)
    return Response(path.read_bytes(), media_type=meta["content_type"], headers=_download(meta["filename"]))


def _download(filename: str) -> dict[str, str]:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store"}


@router.get("/requests/{request_id}/report", tags=["requests"], summary="Download the delivered search report",
            responses={200: {"description": "The report.", "content": {"application/pdf": {}, "text/html": {}}}})
def get_report(request: Request, user: CurrentUser, request_id: RequestId,
               format: Annotated[Literal["pdf", "html"], Query(description="pdf or html.")] = "pdf") -> Response:
    return report_response(request, user, request_id, format)


def report_response(request: Request, user: User, request_id: int, fmt: str) -> Response:
    body, media_type = cases.report_file(engine(request), user, request_id, fmt)
    return Response(body, media_type=media_type, headers=_download(f"search-report-{request_id}.{fmt}"))


# ----------------------------------------------------------------------------- cases (staff)
@router.get("/cases", response_model=list[RequestOut], summary="Requests to work (staff)", tags=["cases"])
def case_queue(request: Request, user: CurrentUser,
               status: Annotated[Literal["submitted", "accepted", "in_progress", "waiting_for_user", "delivered",
                                         "closed"] | None, Query()] = None) -> Response:
    return _json(cases.queue(engine(request), user, status))


@router.get("/cases/{request_id}", response_model=CaseOut, summary="A case with its log, marks and notes (staff)",
            tags=["cases"])
def get_case(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    return _json(cases.case(engine(request), user, request_id))


@router.post("/cases/{request_id}/accept", response_model=CaseOut, summary="Take a submitted request (staff)",
             tags=["cases"])
def accept_case(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    return _json(cases.accept(engine(request), user, request_id))


@router.post("/cases/{request_id}/status", response_model=CaseOut, summary="Move a case to another status (staff)",
             tags=["cases"])
def case_status(request: Request, user: CurrentUser, request_id: RequestId, body: CaseStatusIn) -> Response:
    return _json(cases.move(engine(request), user, request_id, body.status))


@router.post("/cases/{request_id}/searches", status_code=201, response_model=CaseSearchOut, tags=["cases"],
             summary="Run a search in the case; it is logged with its hit count (staff)")
def case_search(request: Request, user: CurrentUser, request_id: RequestId, body: CaseSearchIn) -> Response:
    logged, hits = run_case_search(request, user, request_id, body.query, body.limit)
    return _json({"search": logged, "hits": hits}, 201)


def run_case_search(request: Request, user: User, request_id: int, query: str,
                    limit: int = 20) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    accounts.require_staff(user)
    cases.case(engine(request), user, request_id)  # 404 before any search runs
    result = services(request).search(SearchRequest(query.strip(), limit=limit))
    logged = cases.log_search(engine(request), user, request_id, query.strip(), result.total)
    from dataclasses import asdict

    return logged, [asdict(h) for h in result.hits]


@router.post("/cases/{request_id}/marks", status_code=201, response_model=MarkOut, tags=["cases"],
             summary="Mark a document X, Y or A with the passage and claims (staff)")
def add_mark(request: Request, user: CurrentUser, request_id: RequestId, body: MarkIn) -> Response:
    accounts.require_staff(user)
    number = resolve_number(request, body.number)
    return _json(cases.mark(engine(request), user, request_id, number, body.category, passage=body.passage,
                            claims=body.claims, note=body.note), 201)


@router.delete("/cases/{request_id}/marks/{mark_id}", status_code=204, summary="Remove a mark (staff)",
               tags=["cases"])
def delete_mark(request: Request, user: CurrentUser, request_id: RequestId, mark_id: ObjectId) -> Response:
    cases.unmark(engine(request), user, request_id, mark_id)
    return Response(status_code=204)


@router.post("/cases/{request_id}/notes", status_code=201, response_model=MessageOut, tags=["cases"],
             summary="Keep a note in the case, for staff only (staff)")
def add_note(request: Request, user: CurrentUser, request_id: RequestId, body: NoteIn) -> Response:
    return _json(cases.add_note(engine(request), user, request_id, body.body), 201)


@router.put("/cases/{request_id}/strategy", response_model=CaseOut, tags=["cases"],
            summary="Databases, classes and conclusion for the report (staff)")
def set_strategy(request: Request, user: CurrentUser, request_id: RequestId, body: StrategyIn) -> Response:
    return _json(cases.set_strategy(engine(request), user, request_id, databases=body.databases,
                                    classes=body.classes, conclusion=body.conclusion))


@router.post("/cases/{request_id}/deliver", response_model=CaseOut, tags=["cases"],
             summary="Write the search report (PDF and HTML) and deliver it to the requester (staff)")
def deliver(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    svc = services(request)
    return _json(cases.deliver(svc.catalogue.engine, svc.settings, desk_config(request), svc.catalogue, user,
                               request_id))


# ----------------------------------------------------------------------------- collections
@router.get("/collections", response_model=list[CollectionOut], summary="My collections", tags=["collections"])
def list_collections(request: Request, user: CurrentUser) -> Response:
    return _json(library.collections(engine(request), user))


@router.post("/collections", status_code=201, response_model=CollectionDetail, summary="Create a collection",
             tags=["collections"])
def create_collection(request: Request, user: CurrentUser, body: CollectionIn) -> Response:
    return _json(library.create_collection(engine(request), user, body.name, body.description), 201)


@router.get("/collections/{collection_id}", response_model=CollectionDetail, summary="A collection and its documents",
            tags=["collections"])
def get_collection(request: Request, user: CurrentUser, collection_id: ObjectId) -> Response:
    return _json(library.collection(engine(request), user, collection_id))


@router.patch("/collections/{collection_id}", response_model=CollectionDetail, summary="Rename a collection",
              tags=["collections"])
def patch_collection(request: Request, user: CurrentUser, collection_id: ObjectId, body: CollectionPatch) -> Response:
    return _json(library.rename_collection(engine(request), user, collection_id, body.name, body.description))


@router.delete("/collections/{collection_id}", status_code=204, summary="Delete a collection", tags=["collections"])
def delete_collection(request: Request, user: CurrentUser, collection_id: ObjectId) -> Response:
    library.delete_collection(engine(request), user, collection_id)
    return Response(status_code=204)


@router.post("/collections/{collection_id}/items", status_code=201, response_model=CollectionDetail,
             summary="Add a document to a collection", tags=["collections"])
def add_item(request: Request, user: CurrentUser, collection_id: ObjectId, body: ItemIn) -> Response:
    library.collection(engine(request), user, collection_id)  # 404 before looking the number up
    number = resolve_number(request, body.number)
    return _json(library.add_item(engine(request), user, collection_id, number, body.note), 201)


@router.delete("/collections/{collection_id}/items/{number}", response_model=CollectionDetail,
               summary="Take a document out of a collection", tags=["collections"])
def remove_item(request: Request, user: CurrentUser, collection_id: ObjectId,
                number: Annotated[str, Path(min_length=1, max_length=64)]) -> Response:
    return _json(library.remove_item(engine(request), user, collection_id, number))


# ----------------------------------------------------------------------------- saved searches
@router.get("/saved-searches", response_model=list[SavedSearchOut], summary="My saved searches",
            tags=["saved searches"])
def list_saved(request: Request, user: CurrentUser) -> Response:
    return _json(library.saved_searches(engine(request), user))


@router.post("/saved-searches", status_code=201, response_model=SavedSearchOut, summary="Save a search",
             tags=["saved searches"])
def save_search(request: Request, user: CurrentUser, body: SavedSearchIn) -> Response:
    from ..search import query as Q

    Q.parse(body.query)
    return _json(library.save_search(engine(request), user, body.name, body.query), 201)


@router.get("/saved-searches/{saved_id}", response_model=SavedSearchOut, summary="A saved search",
            tags=["saved searches"])
def get_saved(request: Request, user: CurrentUser, saved_id: ObjectId) -> Response:
    return _json(library.saved_search(engine(request), user, saved_id))


@router.delete("/saved-searches/{saved_id}", status_code=204, summary="Delete a saved search",
               tags=["saved searches"])
def delete_saved(request: Request, user: CurrentUser, saved_id: ObjectId) -> Response:
    library.delete_saved_search(engine(request), user, saved_id)
    return Response(status_code=204)


# ----------------------------------------------------------------------------- watches
@router.get("/watches", response_model=list[WatchOut], summary="My watches", tags=["watches"])
def list_watches(request: Request, user: CurrentUser) -> Response:
    return _json(watches.watches(engine(request), user))


@router.post("/watches", status_code=201, response_model=WatchOut, tags=["watches"],
             summary="Watch a search, an applicant, a class or citations to a patent")
def create_watch(request: Request, user: CurrentUser, body: WatchIn) -> Response:
    value = body.value
    if body.kind == "citation" and body.saved_search_id is None:
        value = resolve_number(request, value) if value.strip() else value
    return _json(watches.create_watch(engine(request), user, name=body.name, kind=body.kind, value=value,
                                      channel=body.channel, webhook_url=body.webhook_url,
                                      saved_search_id=body.saved_search_id), 201)


@router.get("/watches/{watch_id}", response_model=WatchOut, summary="A watch, with its feed token", tags=["watches"])
def get_watch(request: Request, user: CurrentUser, watch_id: ObjectId) -> Response:
    return _json(watches.watch(engine(request), user, watch_id))


@router.patch("/watches/{watch_id}", response_model=WatchOut, summary="Pause or resume a watch", tags=["watches"])
def patch_watch(request: Request, user: CurrentUser, watch_id: ObjectId, body: WatchPatch) -> Response:
    return _json(watches.set_active(engine(request), user, watch_id, body.active))


@router.delete("/watches/{watch_id}", status_code=204, summary="Delete a watch", tags=["watches"])
def delete_watch(request: Request, user: CurrentUser, watch_id: ObjectId) -> Response:
    watches.delete_watch(engine(request), user, watch_id)
    return Response(status_code=204)


@router.get("/watches/{watch_id}/alerts", response_model=list[AlertOut], summary="The alerts of a watch",
            tags=["watches"])
def watch_alerts(request: Request, user: CurrentUser, watch_id: ObjectId) -> Response:
    return _json(watches.alerts(engine(request), user, watch_id))


# ----------------------------------------------------------------------------- admin
@router.get("/admin/users", response_model=list[UserOut], summary="Accounts (admin)", tags=["admin"])
def admin_users(request: Request, user: CurrentUser) -> Response:
    return _json([u.to_dict() for u in accounts.list_users(engine(request), user)])


@router.post("/admin/users", status_code=201, response_model=UserOut, summary="Create an account with a role (admin)",
             tags=["admin"])
def admin_create_user(request: Request, user: CurrentUser, body: StaffIn) -> Response:
    created = accounts.register(engine(request), desk_config(request), body.email, body.password, body.name,
                                language=body.language, role=body.role, actor=user)
    return _json(created.to_dict(), 201)


@router.patch("/admin/users/{user_id}", response_model=UserOut, summary="Change a role, or disable an account (admin)",
              tags=["admin"])
def admin_patch_user(request: Request, user: CurrentUser, user_id: ObjectId, body: UserPatch) -> Response:
    accounts.require_admin(user)
    out = accounts.get_user(engine(request), user_id)
    if body.role is not None:
        out = accounts.set_role(engine(request), user, user_id, body.role)
    if body.active is not None:
        out = accounts.set_active(engine(request), user, user_id, body.active)
    return _json(out.to_dict())


@router.get("/admin/audit", response_model=list[dict[str, Any]], summary="The audit log, newest first (admin)",
            tags=["admin"])
def admin_audit(request: Request, user: CurrentUser,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> Response:
    return _json(audit.entries(engine(request), user, limit, offset))


@router.get("/admin/alerts", response_model=list[AlertOut], summary="Alerts not delivered yet (admin)",
            tags=["admin"])
def admin_alerts(request: Request, user: CurrentUser) -> Response:
    return _json(watches.failing_alerts(engine(request), user))


@router.post("/admin/alerts/{alert_id}/retry", response_model=StatusOut, summary="Send an alert again (admin)",
             tags=["admin"])
def admin_retry(request: Request, user: CurrentUser, alert_id: ObjectId) -> Response:
    watches.retry_alert(engine(request), user, alert_id)
    return _json({"status": "retrying"})


@router.get("/admin/stats", response_model=dict[str, Any], summary="Usage statistics (admin)", tags=["admin"])
def admin_stats(request: Request, user: CurrentUser,
                days: Annotated[int, Query(ge=1, le=3650)] = 30) -> Response:
    services(request).usage.flush()
    return _json(stats.usage(engine(request), user, days))


@router.get("/admin/stats/export", summary="Usage statistics as CSV (admin)", tags=["admin"],
            responses={200: {"description": "One row per statistic and value.", "content": {"text/csv": {}}}})
def admin_stats_export(request: Request, user: CurrentUser,
                       days: Annotated[int, Query(ge=1, le=3650)] = 30) -> Response:
    services(request).usage.flush()
    data = stats.usage(engine(request), user, days)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["statistic", "key", "value"])
    for row in stats.flatten(data):
        writer.writerow(row)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="patentdesk-usage.csv"'})


@router.get("/admin/settings", response_model=SettingsIn, summary="Desk settings (admin)", tags=["admin"])
def admin_settings(request: Request, user: CurrentUser) -> Response:
    return _json(stats.settings(engine(request), user, desk_config(request)))


@router.put("/admin/settings", response_model=SettingsIn, summary="Change desk settings (admin)", tags=["admin"])
def admin_put_settings(request: Request, user: CurrentUser, body: SettingsIn) -> Response:
    return _json(stats.set_settings(engine(request), user, desk_config(request), retention_days=body.retention_days))


@router.get("/admin/ingests", response_model=list[dict[str, Any]], summary="Recent data loads (admin)",
            tags=["admin"])
def admin_ingests(request: Request, user: CurrentUser) -> Response:
    accounts.require_admin(user)
    from dataclasses import asdict

    from ..desk.db import iso

    runs = services(request).catalogue.runs(50)
    return _json([{k: iso(v) for k, v in asdict(r).items()} for r in runs])


# ----------------------------------------------------------------------------- learning
@router.get("/learning/exercises", response_model=list[dict[str, Any]], summary="Search exercises", tags=["learning"])
def list_exercises(request: Request) -> Response:
    return _json([e.public() for e in learning.available(services(request).catalogue)])


@router.post("/learning/exercises/{exercise_id}/check", response_model=dict[str, Any], tags=["learning"],
             summary="Check a result set: what was found, missed, and found beside the answer")
def check_exercise(request: Request, exercise_id: Annotated[str, Path(max_length=64)],
                   body: ExerciseCheckIn) -> Response:
    return _json(check(request, exercise_id, body.query, body.numbers))


def check(request: Request, exercise_id: str, query: str | None, numbers: list[str] | None) -> dict[str, Any]:
    svc = services(request)
    exercise = learning.get(svc.catalogue, exercise_id)
    if query and query.strip():
        found = svc.matching_numbers(query.strip())
        stats.count_search(svc.catalogue.engine, "exercise", query.strip(), len(found))
    elif numbers:
        found = []
        for n in numbers:
            found.extend(svc.catalogue.lookup(n) if n.strip() else [])
    else:
        raise InvalidInput("query: give a query or the numbers found")
    return learning.grade(exercise, found).to_dict()


# ----------------------------------------------------------------------------- wiring
class UsageCounter:
    """Counts searches of the portal and the API for the usage statistics (no user, no address)."""

    PATHS: ClassVar[dict[str, str]] = {"/search": "portal", "/api/v1/search": "api"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        source = self.PATHS.get(scope.get("path", "")) if scope["type"] == "http" else None
        if source is None:
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 200:
            from urllib.parse import parse_qs

            from starlette.concurrency import run_in_threadpool

            query = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("q") or [""])[0].strip()
            if query:
                svc: Services = scope["app"].state.services
                try:
                    if svc.usage.add(source, query, None):
                        await run_in_threadpool(svc.usage.flush)
                except SQLAlchemyError:
                    # the answer has gone out; a count that cannot be written must not turn it into an error
                    log.warning("could not count a search for the usage statistics", exc_info=True)


def install(app: FastAPI, config: DeskConfig | None = None) -> None:
    """The desk's API, portal pages and usage counter on the app."""
    from . import desk_pages

    app.state.desk_config = config or DeskConfig.from_env()
    app.include_router(router)
    app.include_router(desk_pages.router)
    app.add_middleware(UsageCounter)
