"""The notice (红头文件) an office sends with a task: checked like every upload, shown and
downloadable to every unit the task reaches, nobody else, and kept in the task's history."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import Task, TaskNotice
from tests.campaign.factories import AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _deploy(client, tree, notice):
    return client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "关于开展专题学习的通知",
            "due_date": "2026-12-10",
            "recurrence": "none",
            "target": "units",
            "units": [tree.branch_a1.pk],
            "notice": notice,
        },
    )


def test_the_office_deploys_a_task_with_its_notice_and_units_read_it(
    tree, people, use_campaign, client
):
    office = use_campaign(people.county_office)
    response = _deploy(office, tree, SimpleUploadedFile("江组通〔2026〕12号.pdf", PDF))
    assert response.status_code == 302
    task = Task.objects.get()
    notice = TaskNotice.objects.get(task=task)
    assert (
        notice.original_name == "江组通〔2026〕12号.pdf"
        and notice.uploaded_by == people.county_office
    )
    detail = office.get(reverse("campaign:task-detail", args=[task.pk])).content.decode()
    url = reverse("campaign:task-notice-file", args=[notice.pk])
    assert url in detail and "江组通〔2026〕12号.pdf" in detail
    # kept in the task's history
    assert "红头文件：江组通〔2026〕12号.pdf" in detail

    # the branch it reached sees it on its assignment and downloads it
    secretary = use_campaign(people.secretary_a)
    assignment = task.assignments.get()
    page = secretary.get(reverse("campaign:assignment-detail", args=[assignment.pk]))
    assert url in page.content.decode()
    download = secretary.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # a unit the task did not reach gets a 404
    other = use_campaign(people.secretary_b)
    assert other.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("通知.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "红头文件须为 PDF 或 Word 文件"),
        ("通知.pdf", b"not a pdf at all", "不符"),
        ("通知.exe", b"MZ\x00\x00", "不接受"),
    ],
)
def test_a_notice_that_is_not_a_pdf_or_word_file_is_refused_and_nothing_written(
    name, content, message, tree, people, use_campaign
):
    office = use_campaign(people.county_office)
    response = _deploy(office, tree, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists() and not TaskNotice.objects.exists()


def test_a_notice_added_later_from_the_task_page(campaign, tree, people, use_campaign):
    task = TaskFactory(campaign=campaign, issuer=tree.county_a)
    AssignmentFactory(task=task, unit=tree.branch_a1)
    url = reverse("campaign:task-notice-add", args=[task.pk])
    office = use_campaign(people.county_office)
    office.post(url, {"notice": SimpleUploadedFile("通知.docx", docx())})
    assert TaskNotice.objects.filter(task=task, original_name="通知.docx").exists()
    empty = office.post(url, {}, follow=True)
    assert "请选择要上传的红头文件。" in empty.content.decode()
    # a secretary may read it, not add one
    secretary = use_campaign(people.secretary_a)
    assert secretary.post(url, {"notice": SimpleUploadedFile("x.pdf", PDF)}).status_code == 403
    assert TaskNotice.objects.filter(task=task).count() == 1
