"""Files chosen on a form that was refused for another field, kept for the next try.

A browser empties a file input when the page comes back with an error: on a phone the
photo would have to be taken again. The files that passed their own checks are kept under
``MEDIA_ROOT/pending/<token>/`` and the form carries the token in a hidden field; the page
says "已选择：xxx.jpg，可重新选择". Only the session that chose them can use them: the token
is recorded in that session (another user's, or a guessed, token is ignored), and a kept
set older than :data:`MAX_AGE` is forgotten.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "pending_uploads"
MAX_AGE = timedelta(hours=6)
FIELD = "pending_files"  # the hidden field that carries the token


def _kept(request: HttpRequest) -> dict[str, Any]:
    kept: dict[str, Any] = request.session.get(SESSION_KEY, {})
    return kept


def keep(request: HttpRequest, files: Sequence[Any]) -> str:
    """Store checked uploads for this session; the token to send back with the form."""
    token = secrets.token_urlsafe(18)
    entries = []
    for n, upload in enumerate(files):
        upload.seek(0)
        suffix = PurePath(upload.name or "").suffix.lower()
        path = default_storage.save(f"pending/{token}/{n}{suffix}", ContentFile(upload.read()))
        entries.append(
            {"path": path, "name": upload.name, "type": getattr(upload, "content_type", "")}
        )
        upload.seek(0)
    kept = _kept(request)
    kept[token] = {"files": entries, "at": timezone.now().isoformat()}
    request.session[SESSION_KEY] = kept
    return token


def _entry(request: HttpRequest, token: str) -> dict[str, Any] | None:
    entry: dict[str, Any] | None = _kept(request).get(token or "")
    if entry is None:
        return None
    at = datetime.fromisoformat(entry["at"])
    if timezone.now() - at > MAX_AGE:
        forget(request, token)
        return None
    return entry


def names(request: HttpRequest, token: str) -> list[str]:
    """The names of the files kept under ``token`` for this session (none if not its own)."""
    entry = _entry(request, token)
    return [f["name"] for f in entry["files"]] if entry else []


def take(request: HttpRequest, token: str) -> list[Any]:
    """The kept files as uploads again (empty if the token is not this session's)."""
    entry = _entry(request, token)
    if entry is None:
        return []
    uploads = []
    for f in entry["files"]:
        if not default_storage.exists(f["path"]):
            continue
        with default_storage.open(f["path"], "rb") as stored:
            uploads.append(SimpleUploadedFile(f["name"], stored.read(), f["type"] or ""))
    return uploads


def forget(request: HttpRequest, token: str) -> None:
    """Delete the kept files (once used, or replaced by a new choice)."""
    kept = _kept(request)
    entry = kept.pop(token or "", None)
    if entry is None:
        return
    for f in entry["files"]:
        default_storage.delete(f["path"])
    request.session[SESSION_KEY] = kept


class KeptFiles:
    """The files of one file field across tries of a form.

    Built before the form is checked: newly chosen files replace any kept ones; without
    new files, those kept under the form's token (if this session's) are used. After a
    refusal, :meth:`refused` keeps what passed its checks and marks the form; after a
    save, :meth:`used` deletes them.
    """

    def __init__(self, request: HttpRequest, field: str) -> None:
        self.request, self.field = request, field
        self.token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if request.FILES.getlist(field):
            forget(request, self.token)
            self.token = ""
        self.files = take(request, self.token) if self.token else []
        if not self.files:
            self.token = ""

    def chosen_or_kept(self, chosen: Sequence[Any] | None) -> list[Any]:
        return list(chosen or []) or self.files

    def refused(self, form: Any) -> None:
        """The form (or the service) refused the input: keep the files for the next try,
        unless they are what was refused."""
        if form.has_error(self.field):
            forget(self.request, self.token)
            return
        chosen = (getattr(form, "cleaned_data", None) or {}).get(self.field) or []
        if chosen:
            self.token = keep(self.request, chosen)
        if not self.token:
            return
        form.data = form.data.copy()
        form.data[FIELD] = self.token
        form.fields[self.field].kept = names(self.request, self.token)
        form.fields[self.field].required = False

    def used(self) -> None:
        forget(self.request, self.token)


def delete_expired(*, now: datetime) -> int:
    """Delete kept files older than :data:`MAX_AGE` (their form was never sent again); run
    by the periodic sweep of background jobs. The number of files deleted."""
    try:
        tokens, _files = default_storage.listdir("pending")
    except FileNotFoundError:
        return 0
    deleted = 0
    for token in tokens:
        _dirs, names = default_storage.listdir(f"pending/{token}")
        for name in names:
            path = f"pending/{token}/{name}"
            if now - default_storage.get_modified_time(path) > MAX_AGE:
                default_storage.delete(path)
                deleted += 1
    return deleted
