"""Uploaded files are never executed or served inline as HTML.

Every upload of the project goes through ``core.uploads.validate_upload`` (extension and
content must agree); every download through ``core.uploads.serve_attachment``.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import ALLOWED_TYPES, validate_upload
from rectification.models import MeasureEvidence
from rectification.services import evidence_add
from research.models import ProjectAttachment
from research.services import project_attach
from tests.security.world import build_world

HOSTILE = {
    "html": b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>1</script></svg>',
    "js": b"fetch('/accounts/users/').then(r=>r.text()).then(alert)",
}


@pytest.mark.parametrize("disguise", sorted(ALLOWED_TYPES))
@pytest.mark.parametrize("payload", sorted(HOSTILE))
def test_script_disguised_under_an_accepted_extension_is_refused(payload, disguise) -> None:
    upload = SimpleUploadedFile(f"photo.{disguise}", HOSTILE[payload])
    with pytest.raises(ValidationError):
        validate_upload(upload)


@pytest.mark.parametrize("name", ["page.html", "image.svg", "app.js", "page.htm", "x.xhtml"])
def test_script_extensions_are_refused(name) -> None:
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile(name, HOSTILE["html"]))


@pytest.mark.django_db
def test_upload_services_refuse_disguised_files(tree, people, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world(tree, people)
    before = (ProjectAttachment.objects.count(), MeasureEvidence.objects.count())
    for name in ("photo.jpg", "report.pdf"):
        with pytest.raises(ValidationError):
            project_attach(
                project=world.a["project"],
                actor=None,
                upload=SimpleUploadedFile(name, HOSTILE["html"]),
            )
        with pytest.raises(ValidationError):
            evidence_add(
                measure=world.a["measure"],
                actor=None,
                upload=SimpleUploadedFile(name, HOSTILE["svg"]),
            )
    assert (ProjectAttachment.objects.count(), MeasureEvidence.objects.count()) == before


DOWNLOADS = [
    ("campaign:activity-attachment", "activity_attachment"),
    ("campaign:development-attachment", "development_attachment"),
    ("research:attachment-download", "project_attachment"),
    ("research:document-download", "report_document"),
    ("rectification:evidence-download", "evidence"),
    ("supervision:case-photo", "case_photo"),
    ("reports:download", "weekly_report"),
    ("core:job-download", "job"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key"), DOWNLOADS)
@pytest.mark.parametrize("inline", [False, True])
def test_downloads_are_attachments_or_inline_images_and_pdf(
    name, key, inline, tree, people, settings, tmp_path, client
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world(tree, people)
    record = world.a[key]
    # A stored file whose name says HTML must still never be served as HTML.
    if hasattr(record, "original_name"):
        type(record).objects.filter(pk=record.pk).update(original_name="page.html")
    client.force_login(people.secretary_a)
    url = reverse(name, kwargs={"pk": record.pk}) + ("?inline=1" if inline else "")
    response = client.get(url)
    assert response.status_code == 200, (name, response.status_code)
    assert response["X-Content-Type-Options"] == "nosniff", name
    assert "html" not in response["Content-Type"].lower(), name
    assert "javascript" not in response["Content-Type"].lower(), name
    disposition = response.get("Content-Disposition", "")
    if not disposition.startswith("attachment"):
        assert response["Content-Type"].split(";")[0] in ("application/pdf",) or response[
            "Content-Type"
        ].startswith("image/"), (name, response["Content-Type"], disposition)
