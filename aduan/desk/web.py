"""The desk's pages: ``/login``, ``/logout``, ``/desk`` (the walk-in form), ``/dashboard``.

Nothing here is served without a login: a request without a valid session
(or a trusted proxy's user header) is sent to ``/login``. Every form carries
the session's CSRF token; a POST without it, or with another, gets a 403.
Logging out revokes the session on the server, and failed logins slow down
per user and client address (:mod:`aduan.desk.logins`).
Pages are Jinja2 templates (``aduan/web/templates``) with Indonesian labels,
no JavaScript; charts are inline SVG drawn on the server.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from aduan.core.errors import PayloadTooLarge, StoreError
from aduan.core.logs import get_logger
from aduan.desk import dashboard
from aduan.desk.access import Role, Viewer, may
from aduan.desk.accounts import account, log_in
from aduan.desk.auth import (
    Clerk,
    Sessions,
    csrf_ok,
    proxy_clerk,
    session_secret,
)
from aduan.desk.entry import CATEGORIES, Upload, check_entry
from aduan.desk.intake import intake
from aduan.desk.logins import LoginThrottle, SessionState
from aduan.desk.offices import office_list, official_names
from aduan.desk.receipt import office_of, receipt_context
from aduan.runtime import Runtime
from aduan.store.references import receipt_code
from aduan.store.users import any_user
from aduan.web.app import client_of, read_body

log = get_logger("aduan.desk")
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}

Handler = Callable[[Request], Awaitable[Response]]


class DeskPages:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.desk
        self._sessions: Sessions | None = None
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
        )
        self.throttle = LoginThrottle()
        self.headers = dict(HEADERS)
        origin = runtime.settings.city.logo_origin
        if origin:  # the city's logo on another host, shown on receipts
            csp = HEADERS["Content-Security-Policy"]
            self.headers["Content-Security-Policy"] = csp.replace(
                "img-src 'self' data:", f"img-src 'self' data: {origin}"
            )
        self.state = SessionState(runtime.engine)

    # -- sessions ---------------------------------------------------------------------

    @property
    def sessions(self) -> Sessions:
        """Made on first use, so an app that never serves a page writes no key file."""
        if self._sessions is None:
            secret = session_secret(self.settings, self.runtime.settings.data_dir)
            self._sessions = Sessions(secret, int(self.settings.session_hours * 3600))
        return self._sessions

    def session(self, request: Request) -> dict[str, str] | None:
        return self.sessions.load(request.cookies.get(Sessions.cookie))

    def clerk(self, request: Request) -> tuple[Clerk | None, dict[str, str] | None]:
        """The logged-in clerk and the session (a fresh one for a proxy-named clerk)."""
        session = self.session(request)
        header = self.settings.proxy_user_header
        client = request.client.host if request.client else None
        proxied = (
            proxy_clerk(self.settings, client, request.headers.get(header or ""))
            if (header)
            else None
        )
        if proxied is not None:
            known = account(self.runtime.engine, self.settings, proxied.user)
            if known is not None and known.disabled:
                return None, None
            if session is None or session.get("user") != proxied.user:
                session = self.sessions.new(proxied)
            return proxied, session
        if session is None or not session.get("user"):
            return None, session
        if not self.state.valid(session["user"], session.get("sid", ""), session.get("epoch", "")):
            return None, None  # logged out, or the password changed since
        found = account(self.runtime.engine, self.settings, session["user"])
        if found is None or found.disabled:
            return None, None  # disabled, or no longer a user
        clerk = Clerk(session["user"], session.get("desk", ""), session.get("name", ""))
        return clerk, session

    def viewer(self, request: Request) -> tuple[Viewer | None, dict[str, str] | None]:
        """The logged-in user with their role and agency, read afresh on every request
        (a changed role or a disabled user takes effect at once), and the session."""
        clerk, session = self.clerk(request)
        if clerk is None:
            return None, session
        return self._viewer_of(clerk.user, clerk.display_name), session

    def _viewer_of(self, user: str, display_name: str | None = None) -> Viewer:
        entry = account(self.runtime.engine, self.settings, user)
        role: Role = entry.role if entry is not None else "clerk"
        agency = entry.agency if entry is not None else None
        return Viewer(user, role, agency, display_name or user)

    def nav(self, viewer: Viewer | None) -> list[tuple[str, str, str]]:
        """The header's links, ``(id, href, label)``, for what ``viewer``'s role may open:
        nobody is shown a link that answers 403."""
        if viewer is None:
            return []
        links = []
        if may(viewer, "see", viewer.agency):
            links.append(("nav-inbox", "/desk/", "Kotak masuk"))
        if may(viewer, "intake"):
            links.append(("nav-intake", "/desk", "Loket aduan"))
        if may(viewer, "dashboard"):
            links.append(("nav-dashboard", "/dashboard", "Dasbor"))
        return links

    def page(
        self,
        template: str,
        session: dict[str, str] | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        session = session or self.sessions.new(None)
        viewer = context.get("viewer")
        if not isinstance(viewer, Viewer) and session.get("user"):
            viewer = self._viewer_of(session["user"])
        body = self.env.get_template(template).render(
            csrf=session["csrf"],
            user=session.get("name") or session.get("user"),
            nav=self.nav(viewer if isinstance(viewer, Viewer) else None),
            **context,
        )
        response = HTMLResponse(body, status_code=status, headers=self.headers)
        self.set_cookie(response, session)
        return response

    def set_cookie(self, response: Response, session: dict[str, str]) -> None:
        response.set_cookie(
            Sessions.cookie,
            self.sessions.dump(session),
            max_age=self.sessions.max_age,
            httponly=True,
            samesite="strict",
            secure=self.settings.secure_cookie,
            path="/",
        )

    def forbidden(self) -> Response:
        return HTMLResponse(
            "<h1>403</h1><p>Token formulir tidak valid. Muat ulang halaman.</p>",
            status_code=403,
            headers=HEADERS,
        )

    def to_login(self, request: Request) -> Response:
        target = request.url.path
        return RedirectResponse(f"/login?next={target}", status_code=303, headers=HEADERS)

    async def form(self, request: Request) -> Any:
        limit = self.settings.max_files * self.settings.max_file_bytes + 200_000
        body = await read_body(request, limit)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        replay = Request(request.scope, receive)
        return await replay.form(
            max_files=self.settings.max_files + 5, max_fields=50, max_part_size=100_000
        )

    # -- login ------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        clerk, session = self.clerk(request)
        target = _safe_next(request.query_params.get("next"))
        if request.method == "GET":
            if clerk is not None:
                return RedirectResponse(target, status_code=303, headers=HEADERS)
            return self.page("login.html", session, next=target, configured=self._configured())
        try:
            form = await self.form(request)
        except PayloadTooLarge:
            return HTMLResponse("<h1>413</h1>", status_code=413, headers=HEADERS)
        if not csrf_ok(session, _text(form.get("csrf"))):
            log.warning("desk_csrf_rejected", page="login")
            return self.forbidden()
        user = _text(form.get("username")).strip()
        target = _safe_next(_text(form.get("next")))
        client = client_of(self.runtime, request)
        wait = self.throttle.wait(user, client)
        if wait:
            response = self.page(
                "login.html",
                session,
                status=429,
                next=target,
                configured=True,
                error="Terlalu banyak percobaan. Coba lagi beberapa saat lagi.",
            )
            response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return response
        found = await run_in_threadpool(
            log_in,
            self.runtime.engine,
            self.settings,
            self.state,
            user,
            _text(form.get("password")),
        )
        if found is None:
            self.throttle.failed(user, client)
            log.warning("desk_login_failed", client=client)
            return self.page(
                "login.html",
                session,
                status=401,
                next=target,
                configured=self._configured(),
                error="Nama pengguna atau kata sandi salah.",
            )
        self.throttle.succeeded(user, client)
        log.info("desk_login", clerk=found.user, desk=found.desk)
        done = RedirectResponse(target, status_code=303, headers=HEADERS)
        epoch = await run_in_threadpool(self.state.epoch, found.user)
        self.set_cookie(done, self.sessions.new(found, epoch))
        return done

    def _configured(self) -> bool:
        if self.settings.users or self.settings.proxy_user_header:
            return True
        return any_user(self.runtime.engine)

    async def logout(self, request: Request) -> Response:
        _, session = self.clerk(request)
        form = await self.form(request)
        if not csrf_ok(session, _text(form.get("csrf"))):
            return self.forbidden()
        if session is not None and session.get("sid"):
            until = time.time() + self.sessions.max_age
            await run_in_threadpool(self.state.revoke, session["sid"], until)
        response = RedirectResponse("/login", status_code=303, headers=HEADERS)
        response.delete_cookie(Sessions.cookie, path="/")
        return response

    # -- the walk-in form ---------------------------------------------------------------

    async def desk(self, request: Request) -> Response:
        clerk, session = self.clerk(request)
        if clerk is None:
            if request.method == "POST":
                return self.forbidden()
            return self.to_login(request)
        if not may(self._viewer_of(clerk.user), "intake"):  # an officer, an admin
            log.warning("desk_intake_forbidden", user=clerk.user)
            return self.page("desk_missing.html", session, 403, denied=True, page="loket aduan")
        if request.method == "GET":
            return self.desk_form(session, clerk, {}, {}, 200)
        try:
            form = await self.form(request)
        except PayloadTooLarge:
            limit = self.settings.max_file_bytes * self.settings.max_files / 1_000_000
            errors = {"lampiran": f"Berkas terlalu besar (total maksimal {limit:g} MB)."}
            return self.desk_form(session, clerk, {}, errors, 413)
        if not csrf_ok(session, _text(form.get("csrf"))):
            log.warning("desk_csrf_rejected", page="desk", clerk=clerk.user)
            return self.forbidden()
        fields = {k: _text(v) for k, v in form.multi_items() if not isinstance(v, UploadFile)}
        uploads = []
        for item in form.getlist("lampiran"):
            if isinstance(item, UploadFile) and item.filename:
                data = await item.read(self.settings.max_file_bytes + 1)
                uploads.append(Upload(item.filename, item.content_type or "", data))
        checked = check_entry(fields, fields.get("persetujuan") == "ya", uploads, self.settings)
        entry_id = fields.get("entry_id", "")
        if not checked.ok or not _uuid(entry_id):
            return self.desk_form(session, clerk, fields, checked.errors, 400)
        try:
            receipt = await run_in_threadpool(
                intake, self.runtime, checked, clerk, f"desk:{entry_id}"
            )
        except StoreError as exc:
            log.error("desk_store_failed", error=str(exc))
            errors = {"form": "Penyimpanan sedang tidak tersedia. Coba kirim lagi."}
            return self.desk_form(session, clerk, fields, errors, 503)
        log.info(
            "desk_entry_stored",
            clerk=clerk.user,
            reference=receipt.reference,
            new=receipt.new,
            files=len(checked.files),
        )
        code = receipt_code(self.runtime.nik_key, receipt.reference)
        printed = await run_in_threadpool(
            receipt_context,
            self.runtime.engine,
            receipt.reference,
            receipt.raw_id,
            checked.values.get("kategori") or None,
        )
        return self.page(
            "desk_done.html",
            session,
            reference=receipt.reference,
            check_code=code,
            track_url=f"{self.runtime.settings.server.base_url}/track/{receipt.reference}-{code}",
            clerk=clerk,
            new=receipt.new,
            city=self.runtime.settings.city,
            office=office_of(self.settings, clerk),
            receipt=printed,
        )

    def desk_form(
        self,
        session: dict[str, str] | None,
        clerk: Clerk,
        values: dict[str, str],
        errors: dict[str, str],
        status: int,
    ) -> Response:
        return self.page(
            "desk.html",
            session,
            status=status,
            clerk=clerk,
            values=values,
            errors=errors,
            categories=CATEGORIES,
            entry_id=values.get("entry_id") if _uuid(values.get("entry_id", "")) else uuid4(),
            max_files=self.settings.max_files,
            max_mb=self.settings.max_file_bytes / 1_000_000,
            names=official_names(self.runtime.settings.places),
            offices=office_list(self.settings.offices, self.runtime.settings.places),
        )

    # -- dashboard --------------------------------------------------------------------

    async def dashboard(self, request: Request) -> Response:
        viewer, session = self.viewer(request)
        if viewer is None:
            return self.to_login(request)
        if not may(viewer, "dashboard"):
            log.warning("desk_dashboard_forbidden", user=viewer.user)
            return self.page("desk_missing.html", session, 403, denied=True, page="dasbor")
        days = _int(request.query_params.get("hari"), 14, 1, 366)
        zone = self.runtime.settings.timezone
        figures = await run_in_threadpool(dashboard.collect, self.runtime.engine, days, zone)
        return self.page(
            "dashboard.html",
            session,
            f=figures,
            shown=dashboard.present(figures, ZoneInfo(zone)),
            charts=dashboard.charts(figures),
        )


def uuid4() -> str:
    return str(uuid.uuid4())


def _uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def _safe_next(target: str | None) -> str:
    """Only local paths: ``/desk/``, never ``//evil.example`` or ``https://...``; none:
    the inbox."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/desk/"
    return target


def routes(runtime: Runtime) -> list[BaseRoute]:
    pages = DeskPages(runtime)
    return [
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/desk", pages.desk, methods=["GET", "POST"]),
        Route("/dashboard", pages.dashboard, methods=["GET"]),
    ]
