"""The campaign of the mobilisation speech, for the demo."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from campaign.defaults import PROBLEM_CATEGORIES
from campaign.models import Campaign, Objective

from .org import DemoOrg

CAMPAIGN_NAME = "学习贯彻习近平新时代中国特色社会主义思想主题教育（第二批）"
GENERAL_REQUIREMENT = "学思想、强党性、重实践、建新功"
FUNDAMENTAL_TASK = "以学铸魂、以学增智、以学正风、以学促干"
OBJECTIVES = [
    (
        "凝心铸魂筑牢根本",
        "深入学习贯彻习近平新时代中国特色社会主义思想，坚定拥护“两个确立”、坚决做到“两个维护”。",
    ),
    ("锤炼品格强化忠诚", "锤炼政治品格，强化对党忠诚，增强党性修养。"),
    (
        "实干担当促进发展",
        "敢为争先、真抓实干，推动高质量发展，解决发展差距拉大、民生事业欠账等重点难点问题。",
    ),
    (
        "践行宗旨为民造福",
        "扎实推进乡村振兴、生态环保等重点工作，让群众有更多获得感、幸福感和安全感。",
    ),
    ("廉洁奉公树立新风", "以学正风，坚决反对形式主义，树立清正廉洁的新风正气。"),
]


@transaction.atomic
def seed_campaign(org: DemoOrg, *, start: date, end: date) -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(
        name=CAMPAIGN_NAME,
        root_unit=org.units["JZ"],
        defaults={
            "start_date": start,
            "end_date": end,
            "general_requirement": GENERAL_REQUIREMENT,
            "fundamental_task": FUNDAMENTAL_TASK,
            "problem_categories": PROBLEM_CATEGORIES,
        },
    )
    for order, (title, description) in enumerate(OBJECTIVES, start=1):
        Objective.objects.get_or_create(
            campaign=campaign, order=order, defaults={"title": title, "description": description}
        )
    return campaign
