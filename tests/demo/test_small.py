"""``seed_demo``: what it prints, that it runs twice, and that its city reads like a real one
(the product's own signals find only what is planted on purpose)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from accounts.models import OrgUnit, UnitKind, User
from accounts.permissions import can
from accounts.roles import Action, Role
from campaign.models import Activity, Assignment
from demo.org import USERS
from demo.small import seed_small
from rectification.models import Problem, SpecialPlan
from research.models import ResearchReport
from supervision.models import Case, CasePhoto, SupervisionVisit
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db

COUNTED = (User, OrgUnit, Activity, Assignment, Problem, ResearchReport, SupervisionVisit)


def test_seed_demo_prints_every_user_it_creates_and_a_second_run_changes_nothing():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "Demo@2026" in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert len(USERS) == 34
    assert set(lines) == {username for username, *_ in USERS}
    for username, full_name, title, unit_code, role in USERS:
        line = lines[username]
        assert re.match(rf"^  {username}\s+{role}\s", line), line
        unit_name = OrgUnit.objects.get(code=unit_code).name
        assert f"{full_name} · {title} · {unit_name} ({unit_code})" in line
    counts = [model.objects.count() for model in COUNTED]

    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert [model.objects.count() for model in COUNTED] == counts
    assert again.getvalue() == text


def test_formalism_panel_of_the_demo_city_shows_only_the_planted_signals(client):
    org, _campaign = seed_small(seed=2026, today=TODAY)
    client.force_login(org.users["office"])
    response = client.get(reverse("dashboard:office"))
    assert response.status_code == 200
    signals = response.context["board"].signals

    # 石桥村 entered 桃园村's account of a 主题党日 word for word: one pair, nothing else
    copied = signals["copied"]
    assert copied.count == 2 and len(copied.groups) == 1
    codes = {a.unit.code for a in copied.groups[0]["records"]}
    assert codes == {"JZ-JB-DS-01", "JZ-JB-DS-02"}
    # 荷塘村 entered four past activities on the evening its task fell due
    rush = signals["rush"]
    assert rush.count == 4 and len(rush.groups) == 1
    assert rush.groups[0]["unit"].code == "JZ-NH-QS-02"
    # the product does not let a problem go to 销号 without evidence
    assert signals["no_evidence"].count == 0
    # one decision cites no research (南湖县's car park)
    assert signals["no_research"].count == 1
    assert [d.unit.code for d in signals["no_research"].records] == ["JZ-NH"]


def test_the_demo_city_reads_like_a_real_one():
    _org, campaign = seed_small(seed=2026, today=TODAY)

    # every branch writes its own summaries: only the planted copy is shared by two units
    units_by_summary: dict[str, set[str]] = {}
    for summary, code in Activity.objects.values_list("summary", "unit__code"):
        units_by_summary.setdefault(summary, set()).add(code)
    shared = {s: codes for s, codes in units_by_summary.items() if len(codes) > 1}
    assert list(shared.values()) == [{"JZ-JB-DS-01", "JZ-JB-DS-02"}]
    assert len(units_by_summary) > 50

    # each research report has a body of its own, about the places its research went to
    reports = list(ResearchReport.objects.prefetch_related("projects"))
    assert len({r.body for r in reports}) == len(reports) == 3
    for report in reports:
        sites = [site for p in report.projects.all() for site in p.site_list]
        assert any(site[-4:] in report.body for site in sites), (report.title, sites)

    # a bureau's own problems are filed at its party group, by its office, not in a branch
    # (the bureaus with branches: the leading group's member units keep no list of their own
    # in the demo)
    bureaus = OrgUnit.objects.filter(
        kind=UnitKind.DEPARTMENT, code__startswith="JZ-", numchild__gt=0
    )
    for bureau in bureaus:
        problems = Problem.objects.filter(unit=bureau)
        assert problems.exists(), bureau.name
        for problem in problems:
            assert can(problem.reported_by, Action.DEPLOY, bureau), problem.description
    assert SpecialPlan.objects.get(title__contains="河道").unit.code == "JZ-HB"

    # a branch's problem is led by its own secretary or by a leader over the branch
    secretaries = {code: name for _u, name, _t, code, role in USERS if role == Role.SECRETARY}
    for problem in Problem.objects.filter(unit__kind=UnitKind.BRANCH).select_related("unit"):
        if problem.responsible_leader is not None:
            assert can(problem.responsible_leader, Action.LEAD, problem.unit)
        elif problem.responsible_leader_name:
            assert problem.responsible_leader_name == secretaries[problem.unit.code]
    texts = [
        *Problem.objects.values_list("responsible_person_name", flat=True),
        *SpecialPlan.objects.values_list("body", flat=True),
    ]
    assert not [t for t in texts if "社区党委" in t]

    # supervision by the leadership-group offices (市、县两级不组建指导组)
    for visit in SupervisionVisit.objects.select_related("created_by", "unit"):
        assert "领导小组办公室" in visit.visitors
        assert "督导组" not in visit.visitors and "指导组" not in visit.visitors
        assert can(visit.created_by, Action.SUPERVISE, visit.unit)

    # the model cases' photos are real pictures
    photos = list(CasePhoto.objects.filter(case__campaign=campaign))
    assert len(photos) == 5
    for photo in photos:
        with photo.file.open("rb") as f, Image.open(f) as image:
            assert image.size == (640, 400)
            assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 20

    # the members in the study: rolls, a 三会一课 per branch with absentees and 补学
    from accounts.models import PartyMember
    from campaign.models import Attendance, DevelopmentItem, ReviewMeeting
    from reports.models import Bulletin

    branches = OrgUnit.objects.filter(kind=UnitKind.BRANCH, code__startswith="JZ-")
    assert PartyMember.objects.values("unit").distinct().count() == branches.count()
    absent = Attendance.objects.filter(present=False)
    assert absent.exists() and all(line.absence_reason for line in absent)
    assert absent.filter(makeup_on__isnull=False).exists()
    assert absent.filter(makeup_on__isnull=True).exists()
    # 推动发展: a 为民办实事 list with a verdict, a key target of each kind the speech names
    people = DevelopmentItem.objects.filter(for_the_people=True)
    assert people.exists() and people.exclude(verdict="").exists()
    assert DevelopmentItem.objects.filter(state="closed").exists()
    assert {"industry", "gap", "livelihood", "rural", "ecology"} <= set(
        DevelopmentItem.objects.values_list("category", flat=True)
    )
    # the closing meetings and their 班子 / 个人 problems
    meetings = ReviewMeeting.objects.all()
    assert {m.kind for m in meetings} == {"democratic_life", "organisational_life"}
    scopes = set(Problem.objects.filter(meeting__isnull=False).values_list("scope", flat=True))
    assert scopes == {"collective", "individual"}
    # a person put forward and selected beside the practices
    assert Case.objects.filter(kind="person", state="selected", person_name="孙晓燕").exists()
    # the city office's bulletins, the first with its final version
    assert list(Bulletin.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert Bulletin.objects.get(number=1).final
