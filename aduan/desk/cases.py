"""``/desk/aduan/{reference}``: the whole case on one page, and what a user may do with it.

GET shows :func:`aduan.desk.casefile.case_file`. POST carries the session's CSRF
token and one ``aksi``:

* ``status`` — change the status (:func:`aduan.store.cases.update_status`):
  resolving needs a note, rejecting needs another, known agency; "Sedang
  ditangani" never reopens a finished case, only ``reopen`` ("Buka kembali") does;
* ``koreksi`` — correct the category and/or agency: a human triage decision
  (:func:`aduan.triage.apply.set_manual`, actor ``desk:<user>``) that rules never
  overwrite and the learned model takes as a label;
* ``pindah`` — reassign to another agency (supervisors: permission ``reassign``),
  with a note saying why: the category is kept, the agency recorded as a human
  decision, the note added to the history;
* ``duplikat`` — mark as duplicate of another case; ``pisah`` — split a wrongly
  merged source into its own case; ``catatan`` — an internal note
  (:mod:`aduan.store.casework`);
* ``balas`` — answer the citizen: the text goes through the outbox to the
  complaint's first contact (:func:`aduan.replies.outreach.reply`);
  ``kontak`` (``on``/``off``) — mark the reporter "do not contact" or undo it.
  Both need permission ``reply``; both are audited.

Status changes go through :func:`aduan.replies.events.change_status`, so the
citizen's message is queued in the change's transaction; the page lists every
message queued for the complaint with its status, the recipient masked.

Each action is allowed by :func:`aduan.desk.access.may` for the case's agency:
an officer of another agency gets 403 for the page and every action, an
unknown reference a 404 page (never an empty form). Refusals are shown in
Indonesian (:mod:`aduan.desk.messages`). ``/desk/lampiran/{id}`` serves an
attachment's bytes from the blob store to a user who may see its case.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from aduan.core.clock import utcnow
from aduan.core.errors import AduanError
from aduan.core.logs import get_logger
from aduan.desk.access import Action, Viewer, may
from aduan.desk.auth import csrf_ok
from aduan.desk.casefile import case_file
from aduan.desk.messages import indonesian
from aduan.desk.web import HEADERS, DeskPages, _text
from aduan.replies.events import change_status
from aduan.replies.history import sent
from aduan.replies.outreach import contact_reporter, reply
from aduan.store.blobs import blob_path
from aduan.store.cases import CaseError, find_complaint
from aduan.store.casework import add_note, mark_duplicate, split_source
from aduan.store.models import AttachmentRow, complaints, raw_messages
from aduan.triage import active
from aduan.triage.apply import set_manual
from aduan.triage.deadline import local_time
from aduan.triage.services import service, services
from aduan.web.track import STATUS_ID

if TYPE_CHECKING:
    from aduan.runtime import Runtime

log = get_logger("aduan.desk.cases")
attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
SHA256 = re.compile(r"^[0-9a-f]{64}$")
INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp"}
ACTIONS: dict[str, Action] = {
    "status": "status",
    "koreksi": "correct",
    "pindah": "reassign",
    "duplikat": "merge",
    "pisah": "merge",
    "catatan": "note",
    "balas": "reply",
    "kontak": "reply",
}
STATUS_CHOICES = (
    ("in_progress", "Sedang ditangani"),
    ("resolved", "Selesai (wajib catatan)"),
    ("rejected", "Bukan kewenangan (wajib instansi)"),
    ("closed", "Ditutup"),
    ("reopen", "Buka kembali"),
)
FINISHED = ("resolved", "rejected", "closed")


class Refused(Exception):
    def __init__(self, code: str, **params: str) -> None:
        self.code = code
        self.params = params


def status_choices(status: str) -> list[tuple[str, str]]:
    """What the status form offers: a finished case only "Buka kembali", an open one the rest."""
    if status in FINISHED:
        return [c for c in STATUS_CHOICES if c[0] == "reopen"]
    return [c for c in STATUS_CHOICES if c[0] != "reopen" and c[0] != status]


class CasePages:
    def __init__(self, pages: DeskPages) -> None:
        self.pages = pages
        self.runtime = pages.runtime

    def _agency_of(self, reference: str) -> tuple[bool, str | None]:
        with self.runtime.engine.connect() as conn:
            row = find_complaint(conn, reference)
        return (row is not None, row.agency if row is not None else None)

    def _pending(self, reference: str) -> bool:
        """A reference given at intake whose message is not yet a complaint (seconds)."""
        with self.runtime.engine.connect() as conn:
            found = conn.execute(
                select(raw_messages.c.id)
                .where(raw_messages.c.meta["reference"].as_string() == reference)
                .limit(1)
            ).first()
        return found is not None

    def _context(self, reference: str, viewer: Viewer) -> dict[str, Any] | None:
        calendar = active().calendar
        with self.runtime.engine.connect() as conn:
            found = case_file(conn, reference, viewer, calendar, utcnow())
            outbox = sent(conn, found["id"]) if found is not None else []
        if found is None:
            return None
        agency = found["agency_code"]
        rules = active().rules
        found.update(
            can={
                a: may(viewer, a, agency)
                for a in ("status", "note", "correct", "reassign", "merge", "reject", "reply")
            },
            outbox=[{**m, "at": local_time(m["at"], calendar.tz)} for m in outbox],
            choices=status_choices(found["status_code"]),
            categories=[(s.code, s.name) for s in services()],
            agencies=sorted(rules.agencies.items(), key=lambda kv: kv[1]),
        )
        return found

    async def case(self, request: Request) -> Response:
        viewer, session = self.pages.viewer(request)
        if viewer is None:
            if request.method == "POST":
                return self.pages.forbidden()
            return self.pages.to_login(request)
        reference = request.path_params["reference"].strip().upper()[:40]
        exists, agency = await run_in_threadpool(self._agency_of, reference)
        if not exists:
            pending = await run_in_threadpool(self._pending, reference)
            return self.pages.page(
                "desk_missing.html",
                session,
                200 if pending else 404,
                reference=reference,
                viewer=viewer,
                pending=pending,
            )
        if not may(viewer, "see", agency):
            log.warning("desk_case_forbidden", user=viewer.user, reference=reference)
            return self.pages.page(
                "desk_missing.html", session, 403, reference=reference, viewer=viewer, denied=True
            )
        message = error = None
        status = 200
        if request.method == "POST":
            form = await self.pages.form(request)
            if not csrf_ok(session, _text(form.get("csrf"))):
                log.warning("desk_csrf_rejected", page="case", user=viewer.user)
                return self.pages.forbidden()
            fields = {k: _text(v) for k, v in form.multi_items()}
            try:
                message = await run_in_threadpool(self._act, reference, agency, viewer, fields)
            except Refused as exc:
                error, status = indonesian(exc.code, exc.params), 403
                if exc.code != "forbidden":
                    status = 400
            except CaseError as exc:
                error, status = indonesian(exc.code, exc.params), 400
            except AduanError as exc:  # set_manual's checks: category or agency unknown
                code = "agency_unknown" if "agency" in str(exc) else "category_unknown"
                error, status = indonesian(code), 400
            if message is not None and message.startswith("/"):
                return RedirectResponse(message, status_code=303, headers=HEADERS)
        context = await run_in_threadpool(self._context, reference, viewer)
        if context is None:
            return self.pages.page("desk_missing.html", session, 404, reference=reference)
        return self.pages.page(
            "desk_case.html", session, status, message=message, error=error, viewer=viewer,
            **context,
        )  # fmt: skip

    def _act(self, reference: str, agency: str | None, viewer: Viewer, form: dict[str, str]) -> str:
        """Do the form's action; the confirmation shown, or a path to go to."""
        action = form.get("aksi", "")
        wanted = ACTIONS.get(action)
        if wanted is None:
            raise Refused("invalid")
        status = form.get("status", "")
        if action == "status" and status == "rejected":
            wanted = "reject"
        if not may(viewer, wanted, agency):
            log.warning("desk_case_action_forbidden", user=viewer.user, action=action)
            raise Refused("forbidden")
        actor = f"desk:{viewer.user}"
        engine = self.runtime.engine
        note = form.get("note", "").strip() or None
        if action == "status":
            target = form.get("agency", "").strip() or None
            if status == "rejected" and target is not None:
                if target not in active().rules.agencies:
                    raise Refused("agency_unknown")
                if target == agency:
                    raise Refused("agency_same")
            change = change_status(engine, reference, status, actor=actor, note=note, agency=target)
            log.info("desk_case_status", user=viewer.user, reference=reference, to=change.after)
            return f"Status disimpan: {STATUS_ID.get(change.after, change.after)}."
        if action == "koreksi":
            code = form.get("kategori", "")
            new_agency = form.get("instansi", "").strip() or None
            set_manual(engine, reference, category=code, actor=actor, agency=new_agency)
            found = service(code)
            return f"Kategori disimpan: {found.name if found else code}."
        if action == "pindah":
            return self._reassign(reference, agency, form, actor)
        if action == "duplikat":
            original = form.get("asli", "").strip().upper()
            if not original:
                raise Refused("not_found", reference="(kosong)")
            _, other = self._agency_of(original)
            if not may(viewer, "see", other):
                raise Refused("not_found", reference=original)
            mark_duplicate(engine, reference, original, actor=actor, note=note)
            return f"Ditandai sebagai duplikat dari {original}."
        if action == "pisah":
            try:
                source_id = int(form.get("sumber", ""))
            except ValueError:
                raise Refused("no_source", reference=reference) from None
            split = split_source(engine, reference, source_id, actor=actor)
            return f"Pesan dipisah menjadi aduan baru {split.reference}."
        if action in ("balas", "kontak"):
            return self._outreach(reference, action, form, actor)
        add_note(engine, reference, form.get("catatan", ""), actor=actor)
        return "Catatan disimpan."

    def _reassign(
        self, reference: str, agency: str | None, form: dict[str, str], actor: str
    ) -> str:
        """Give the case to another agency, category kept, with the reason as a note."""
        engine = self.runtime.engine
        target = form.get("instansi", "").strip()
        agencies = active().rules.agencies
        if target not in agencies:
            raise Refused("agency_unknown")
        if target == agency:
            raise Refused("agency_same")
        note = form.get("note", "").strip()
        if not note:
            raise Refused("reassign_note")
        category = self._category_of(reference)
        if category is None:
            raise Refused("reassign_category")
        set_manual(engine, reference, category=category, actor=actor, agency=target)
        add_note(engine, reference, f"Dipindahkan ke {agencies[target]}: {note}", actor=actor)
        log.info("desk_case_reassigned", reference=reference, to=target)
        return f"Aduan dipindahkan ke {agencies[target]}."

    def _category_of(self, reference: str) -> str | None:
        with self.runtime.engine.connect() as conn:
            found = conn.execute(
                select(complaints.c.category).where(complaints.c.reference == reference)
            ).scalar()
        return str(found) if found is not None else None

    def _outreach(self, reference: str, action: str, form: dict[str, str], actor: str) -> str:
        """A reply to the citizen, or "do not contact" on/off; the confirmation shown."""
        engine = self.runtime.engine
        try:
            if action == "kontak":
                allowed = form.get("kontak") == "on"
                contact_reporter(engine, reference, allowed=allowed, actor=actor)
                return (
                    "Pelapor boleh dihubungi lagi." if allowed else "Pelapor tidak akan dihubungi."
                )
            reply(engine, reference, form.get("balasan", ""), actor=actor)
        except CaseError:
            raise
        except AduanError as exc:  # the replies' own refusals are written in Indonesian
            raise Refused("reply_refused", reason=str(exc)) from None
        return "Balasan masuk antrean kirim."

    async def attachment(self, request: Request) -> Response:
        viewer, _ = self.pages.viewer(request)
        if viewer is None:
            return self.pages.to_login(request)
        try:
            wanted = int(request.path_params["id"])
        except ValueError:
            return HTMLResponse("<h1>404</h1>", status_code=404, headers=HEADERS)
        found = await run_in_threadpool(self._attachment, wanted)
        if found is None:
            return HTMLResponse("<h1>404</h1>", status_code=404, headers=HEADERS)
        row, agency = found
        if not may(viewer, "see", agency):
            return HTMLResponse("<h1>403</h1>", status_code=403, headers=HEADERS)
        sha = row.sha256 or ""
        path = blob_path(self.runtime.settings.data_dir, sha)
        if not row.stored or not SHA256.match(sha) or not path.is_file():
            return HTMLResponse("<h1>404</h1>", status_code=404, headers=HEADERS)
        kind = row.content_type if row.content_type in INLINE else "application/octet-stream"
        name = re.sub(r"[^\w.\- ]", "_", row.filename or "lampiran")[:120]
        disposition = "inline" if kind in INLINE else "attachment"
        headers = {
            **HEADERS,
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": f'{disposition}; filename="{name}"',
        }
        body = await run_in_threadpool(path.read_bytes)
        return Response(body, media_type=kind, headers=headers)

    def _attachment(self, wanted: int) -> tuple[Any, str | None] | None:
        with self.runtime.engine.connect() as conn:
            row = conn.execute(
                attachments.select().where(attachments.c.id == wanted)
            ).first()  # fmt: skip
            if row is None:
                return None
            complaint_id = row.complaint_id
            if complaint_id is None and row.raw_message_id is not None:
                complaint_id = conn.execute(
                    raw_messages.select()
                    .with_only_columns(raw_messages.c.complaint_id)
                    .where(raw_messages.c.id == row.raw_message_id)
                ).scalar_one_or_none()
            if complaint_id is None:
                return None
            agency = conn.execute(
                complaints.select()
                .with_only_columns(complaints.c.agency)
                .where(complaints.c.id == complaint_id)
            ).scalar_one_or_none()
        return row, agency


def routes(runtime: Runtime) -> list[BaseRoute]:
    pages = CasePages(DeskPages(runtime))
    return [
        Route("/desk/aduan/{reference}", pages.case, methods=["GET", "POST"]),
        Route("/desk/lampiran/{id}", pages.attachment, methods=["GET"]),
    ]
