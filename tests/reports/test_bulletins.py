"""工作简报: drafted from a period's data as a Word file, read back here section by section;
numbered per office; the final version uploaded and kept with its number."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from campaign.middleware import SESSION_KEY
from reports import services
from reports.bulletin import SECTIONS
from reports.models import Bulletin
from supervision.models import Case, CaseState, SupervisionVisit
from tests.reports.conftest import build_data_set

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


@pytest.fixture
def world(tree, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        data = build_data_set(tree, people)
    Case.objects.create(
        campaign=data.campaign,
        unit=tree.branch_a1,
        title="“支部+合作社”带动群众增收",
        summary="支部领办合作社，带动42户群众户均增收3000元。",
        body="全文",
        state=CaseState.SELECTED,
        submitted_at=datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        reviewed_at=datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    SupervisionVisit.objects.create(
        campaign=data.campaign,
        unit=tree.branch_a2,
        visited_on=date(2026, 11, 25),
        visitors="县委第一巡回指导组",
        guidance="要求问题清单逐项明确整改时限",
    )
    return data


def _paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(BytesIO(content)).paragraphs]


def _section(lines: list[str], title: str) -> list[str]:
    start = lines.index(title) + 1
    rest = lines[start:]
    ends = [i for i, line in enumerate(rest) if line in SECTIONS]
    return rest[: ends[0]] if ends else rest


def test_a_drafted_bulletin_has_its_sections_filled_from_the_data(world, tree, people):
    bulletin = services.bulletin_draft(
        actor=people.city_office,
        campaign=world.campaign,
        unit=tree.city,
        period_start=date(2026, 11, 23),
        period_end=TODAY,
        next_steps="抓好问题整改销号\n筹备专题民主生活会",
        today=TODAY,
    )
    lines = _paragraphs(bulletin.draft.read())
    assert "主题教育工作简报" in lines and "第1期" in lines
    assert all(title in lines for title in SECTIONS)
    news = _section(lines, "一、工作动态")
    assert any(line.startswith("任务落实方面") and "完成率" in line for line in news)
    assert any(line.startswith("检视整改方面") and "销号率" in line for line in news)
    assert any(line.startswith("推动发展方面") for line in news)
    practices = _section(lines, "二、典型做法")
    assert practices == [
        f"{tree.branch_a1.name}：“支部+合作社”带动群众增收",
        "支部领办合作社，带动42户群众户均增收3000元。",
    ]
    supervision = _section(lines, "三、督导情况")
    assert supervision == [
        f"11月25日，县委第一巡回指导组到{tree.branch_a2.name}督导：要求问题清单逐项明确整改时限"
    ]
    assert _section(lines, "四、下步打算") == ["1. 抓好问题整改销号", "2. 筹备专题民主生活会"]


def test_bulletins_are_numbered_per_office_and_keep_the_final(world, tree, people):
    first = services.bulletin_draft(
        actor=people.county_office,
        campaign=world.campaign,
        unit=tree.county_a,
        period_start=date(2026, 11, 16),
        period_end=date(2026, 11, 22),
        today=TODAY,
    )
    second = services.bulletin_draft(
        actor=people.county_office,
        campaign=world.campaign,
        unit=tree.county_a,
        period_start=date(2026, 11, 23),
        period_end=TODAY,
        today=TODAY,
    )
    city = services.bulletin_draft(
        actor=people.city_office,
        campaign=world.campaign,
        unit=tree.city,
        period_start=date(2026, 11, 23),
        period_end=TODAY,
        today=TODAY,
    )
    assert (first.number, second.number, city.number) == (1, 2, 1)
    # the county's bulletin names nothing of county B
    lines = _paragraphs(second.draft.read())
    assert "本期未开展督导。" not in lines  # A2 (county A) was visited
    with pytest.raises(PermissionDenied):
        services.bulletin_draft(
            actor=people.secretary_a,
            campaign=world.campaign,
            unit=tree.branch_a1,
            period_start=date(2026, 11, 23),
            period_end=TODAY,
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        services.bulletin_draft(
            actor=people.county_office,
            campaign=world.campaign,
            unit=tree.county_a,
            period_start=TODAY,
            period_end=date(2026, 11, 23),
            today=TODAY,
        )
    edited = Document(BytesIO(first.draft.read()))
    edited.add_paragraph("（办公室审定稿）")
    buffer = BytesIO()
    edited.save(buffer)
    services.bulletin_upload_final(
        actor=people.county_office,
        bulletin=first,
        upload=SimpleUploadedFile(
            "第1期定稿.docx",
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    )
    first.refresh_from_db()
    assert first.final_name == "第1期定稿.docx"
    assert "（办公室审定稿）" in _paragraphs(first.final.read())
    assert Bulletin.objects.filter(unit=tree.county_a).count() == 2


def test_the_pages(client, world, tree, people):
    client.force_login(people.county_office)
    session = client.session
    session[SESSION_KEY] = world.campaign.pk
    session.save()
    with time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        response = client.post(
            reverse("reports:bulletin-list"),
            {
                "unit": tree.county_a.pk,
                "period_start": "2026-11-23",
                "period_end": "2026-11-26",
                "next_steps": "开展整改“回头看”",
            },
        )
        assert response.status_code == 302
        bulletin = Bulletin.objects.get()
        download = client.get(reverse("reports:bulletin-draft", args=[bulletin.pk]))
        assert download.status_code == 200
        lines = _paragraphs(b"".join(download.streaming_content))
        assert _section(lines, "四、下步打算") == ["开展整改“回头看”"]
        listing = client.get(reverse("reports:bulletin-list")).content.decode()
        assert f'data-number="{bulletin.number}"' in listing
    # outside its scope the bulletin does not exist
    client.force_login(people.secretary_b)
    assert client.get(reverse("reports:bulletin-detail", args=[bulletin.pk])).status_code == 404


def test_the_weekly_report_shows_the_weeks_highlights_only_when_there_are_some(world, tree, people):
    from django.conf import settings
    from django.utils import translation

    from rectification.models import Mechanism
    from reports.pdf import render_html
    from reports.periods import Week
    from reports.selectors import weekly_figures

    def html(unit):
        figures = weekly_figures(world.campaign, unit, Week.of(TODAY), today=TODAY)
        with translation.override(settings.LANGUAGE_CODE):
            return render_html(figures)

    county = html(tree.county_a)
    assert 'id="supervision"' in county and "要求问题清单逐项明确整改时限" in county
    assert 'id="model-cases"' in county and "“支部+合作社”带动群众增收" in county
    assert 'id="special-plans"' not in county and 'id="mechanisms"' not in county
    # county B had none of them: no empty sections
    other = html(tree.county_b)
    assert 'id="supervision"' not in other and 'id="model-cases"' not in other
    Mechanism.objects.create(
        campaign=world.campaign,
        unit=tree.branch_a1,
        title="党员联系户制度",
        kind="rule",
        issued_on=date(2026, 11, 24),
    )
    assert 'id="mechanisms"' in html(tree.county_a) and "党员联系户制度" in html(tree.city)
