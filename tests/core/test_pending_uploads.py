"""Files kept for a refused form's next try are deleted once they are too old to be used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core import jobs, pending_uploads


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_sweep_deletes_kept_files_that_were_never_used():
    assert pending_uploads.delete_expired(now=timezone.now()) == 0  # nothing kept yet
    path = default_storage.save("pending/tok/0.jpg", ContentFile(b"\xff\xd8photo"))

    assert pending_uploads.delete_expired(now=timezone.now()) == 0  # still usable
    assert default_storage.exists(path)

    later = timezone.now() + pending_uploads.MAX_AGE + timedelta(minutes=1)
    assert pending_uploads.delete_expired(now=later) == 1
    assert not default_storage.exists(path)


@pytest.mark.django_db
def test_the_job_sweep_runs_it():
    path = default_storage.save("pending/tok/0.jpg", ContentFile(b"\xff\xd8photo"))
    result = jobs.sweep(now=timezone.now() + pending_uploads.MAX_AGE + timedelta(hours=1))
    assert result.forgotten >= 1
    assert not default_storage.exists(path)
