"""The city office's work bulletins: last week's, with its final version uploaded, and this
week's draft."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from campaign.models import Campaign
from reports import services
from reports.models import Bulletin

from .org import DemoOrg


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    if Bulletin.objects.filter(campaign=campaign).exists():
        return
    office, city = org.users["office"], org.refreshed().units["JZ"]
    monday = today - timedelta(days=today.weekday())
    last = services.bulletin_draft(
        actor=office,
        campaign=campaign,
        unit=city,
        period_start=monday - timedelta(days=7),
        period_end=monday - timedelta(days=1),
        next_steps="紧盯问题清单推进整改销号\n督促各级领导班子高质量召开专题民主生活会",
        today=today,
    )
    with last.draft.open("rb") as draft:
        services.bulletin_upload_final(
            actor=office,
            bulletin=last,
            upload=SimpleUploadedFile(
                f"工作简报第{last.number}期（定稿）.docx",
                draft.read(),
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        )
    services.bulletin_draft(
        actor=office,
        campaign=campaign,
        unit=city,
        period_start=monday,
        period_end=today,
        next_steps="开展为民办实事项目群众满意度回访",
        today=today,
    )
