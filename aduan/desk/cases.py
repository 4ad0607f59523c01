"""``/desk/aduan/{reference}``: a logged-in clerk records a complaint's follow-up.

The same status changes as ``aduan complaint update`` and the partners' API
(:mod:`aduan.store.cases`), recorded with the clerk as the actor; the form carries
the session's CSRF token like every desk form. A second form corrects the
category (``kategori``): a human triage decision
(:func:`aduan.triage.apply.set_manual`, actor ``desk:<clerk>``), which rules
never overwrite and the learned model trains on.

A third form answers the citizen (``balasan``, permission ``reply``): the text
goes through the outbox to the complaint's first contact
(:func:`aduan.replies.events.queue_reply`), and the page lists every message
queued for the complaint with its status, the recipient masked. ``kontak=off``
marks the reporter "do not contact" (``on`` undoes it); both are audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from aduan.core.errors import AduanError
from aduan.core.logs import get_logger
from aduan.desk.access import may
from aduan.desk.auth import csrf_ok
from aduan.desk.web import DeskPages, _text
from aduan.replies.events import NoRecipient, change_status
from aduan.replies.history import sent
from aduan.replies.outreach import contact_reporter, reply
from aduan.store.cases import find_complaint, history
from aduan.triage.apply import set_manual
from aduan.triage.services import agency_name, service, services
from aduan.web.track import STATUS_ID, _date

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.desk.cases")


class CasePages:
    def __init__(self, pages: DeskPages) -> None:
        self.pages = pages
        self.runtime = pages.runtime

    def _context(self, reference: str) -> dict[str, Any] | None:
        zone = ZoneInfo(self.runtime.settings.timezone)
        with self.runtime.engine.connect() as conn:
            row = find_complaint(conn, reference)
            outbox = sent(conn, row.id) if row is not None else []
        if row is None:
            return None
        category = service(row.category) if row.category else None
        return {
            "reference": row.reference,
            "state": STATUS_ID.get(row.status, row.status),
            "category": category.name if category else row.category,
            "category_code": row.category,
            "categories": [(s.code, s.name) for s in services()],
            "agency": agency_name(row.agency),
            "received": _date(row.received_at, zone),
            "due": _date(row.due_at, zone),
            "history": [
                {
                    "at": _date(e.at, zone),
                    "actor": e.actor,
                    "status": STATUS_ID.get(e.to_status or "", e.kind),
                    "note": e.note,
                }
                for e in history(self.runtime.engine, row.id)
            ],
            "outbox": [{**m, "at": _date(m["at"], zone)} for m in outbox],
        }

    async def case(self, request: Request) -> Response:
        clerk, session = self.pages.clerk(request)
        if clerk is None:
            if request.method == "POST":
                return self.pages.forbidden()
            return self.pages.to_login(request)
        reference = request.path_params["reference"].strip().upper()
        message = error = None
        if request.method == "POST":
            form = await self.pages.form(request)
            if not csrf_ok(session, _text(form.get("csrf"))):
                log.warning("desk_csrf_rejected", page="case", clerk=clerk.user)
                return self.pages.forbidden()
            actor = f"desk:{clerk.user}"
            try:
                if form.get("balasan") is not None or form.get("kontak") is not None:
                    message = await self._outreach(request, reference, form, actor)
                elif form.get("kategori") is not None:
                    code = _text(form.get("kategori"))
                    await run_in_threadpool(
                        set_manual, self.runtime.engine, reference, category=code, actor=actor
                    )
                    found = service(code)
                    message = f"Kategori disimpan: {found.name if found else code}."
                else:
                    change = await run_in_threadpool(
                        change_status,
                        self.runtime.engine,
                        reference,
                        _text(form.get("status")),
                        actor=actor,
                        note=_text(form.get("note")).strip() or None,
                        agency=_text(form.get("agency")).strip() or None,
                    )
                    message = f"Status disimpan: {STATUS_ID.get(change.after, change.after)}."
            except AduanError as exc:
                error = str(exc)
        context = await run_in_threadpool(self._context, reference)
        if context is None:
            return self.pages.page(
                "desk_case.html", session, 404, reference=reference, error="Aduan tidak ditemukan."
            )
        status = 400 if error else 200
        return self.pages.page(
            "desk_case.html", session, status, message=message, error=error, **context
        )

    async def _outreach(self, request: Request, reference: str, form: Any, actor: str) -> str:
        """A reply to the citizen, or "do not contact" on/off; the message to show."""
        viewer, _ = self.pages.viewer(request)
        with self.runtime.engine.connect() as conn:
            row = find_complaint(conn, reference)
        if row is None:
            raise AduanError("Aduan tidak ditemukan.")
        if viewer is None or not may(viewer, "reply", row.agency):
            raise AduanError("Anda tidak berwenang menghubungi pelapor aduan ini.")
        try:
            if form.get("kontak") is not None:
                allowed = _text(form.get("kontak")) == "on"
                await run_in_threadpool(
                    contact_reporter, self.runtime.engine, reference, allowed=allowed, actor=actor
                )
                return (
                    "Pelapor boleh dihubungi lagi." if allowed else "Pelapor tidak akan dihubungi."
                )
            text = _text(form.get("balasan")).strip()
            await run_in_threadpool(reply, self.runtime.engine, reference, text, actor=actor)
        except NoRecipient as exc:
            raise AduanError(f"Balasan tidak dapat dikirim: {exc}.") from None
        return "Balasan masuk antrean kirim."


def routes(runtime: Runtime) -> list[BaseRoute]:
    pages = CasePages(DeskPages(runtime))
    return [Route("/desk/aduan/{reference}", pages.case, methods=["GET", "POST"])]
