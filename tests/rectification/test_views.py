"""The pages: the permission table for every view, fixed query counts on the lists, bad
input shown next to the field with nothing saved, and the workflow driven through HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from rectification import services
from rectification.models import (
    MeasureEvidence,
    MeasureState,
    Mechanism,
    Problem,
    ProblemState,
    ProblemType,
    ProgressNote,
    SpecialPlan,
)
from tests.rectification.factories import make_campaign, make_problem
from tests.rectification.test_workflow import PNG, finish_measures, png

pytestmark = pytest.mark.django_db

ALL = [
    "secretary_a",
    "secretary_b",
    "county_office",
    "city_office",
    "leader",
    "viewer",
    "member_a",
    "outsider",
    "anonymous",
]


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


@pytest.fixture
def world(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    measure = problem.measures.get()
    # a draft with a note on record (as older data holds): the pages still show it
    ProgressNote.objects.create(
        measure=measure, noted_on=date(2026, 11, 2), text="已开展", author=people.secretary_a
    )
    evidence = services.evidence_add(measure=measure, actor=people.secretary_a, upload=png())
    plan = services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="方案",
        goal="目标",
        document=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test"),
        problems=[problem],
        milestones=[services.MilestoneInput("第一阶段", date(2026, 12, 1))],
    )
    mechanism = services.mechanism_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="制度",
        kind="rule",
        issued_on=date(2026, 11, 1),
        document=SimpleUploadedFile("制度.pdf", b"%PDF-1.4 test"),
        problems=[problem],
    )
    started = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, description="已在整改"
    )
    services.problem_start(problem=started, actor=people.secretary_a)
    return {
        "problem": problem,
        "measure": measure,
        "started_measure": started.measures.get(),
        "evidence": evidence,
        "plan": plan,
        "mechanism": mechanism,
        "milestone": plan.milestones.get(),
    }


def client_for(client, people, who):
    if who != "anonymous":
        client.force_login(getattr(people, who))
    return client


SEE = {
    "secretary_a": 200,
    "secretary_b": 404,
    "county_office": 200,
    "city_office": 200,
    "leader": 200,
    "viewer": 200,
    "member_a": 200,
    "outsider": 404,
    "anonymous": 302,
}
EDIT = {**SEE, "leader": 403, "viewer": 403, "member_a": 403}
CREATE = {
    "secretary_a": 200,
    "secretary_b": 200,
    "county_office": 200,
    "city_office": 200,
    "leader": 200,
    "viewer": 403,
    "member_a": 403,
    "outsider": 403,
    "anonymous": 302,
}
EVERYONE = {**{w: 200 for w in ALL}, "anonymous": 302}
OFFICE = {**{w: 403 for w in ALL}, "county_office": 200, "city_office": 200, "anonymous": 302}

GET_PAGES = [
    ("rectification:problem-list", None, EVERYONE),
    ("rectification:problem-create", None, CREATE),
    ("rectification:problem-detail", "problem", SEE),
    ("rectification:problem-edit", "problem", EDIT),
    ("rectification:measure-edit", "measure", EDIT),
    ("rectification:evidence-download", "evidence", SEE),
    ("rectification:verify-queue", None, OFFICE),
    ("rectification:plan-list", None, EVERYONE),
    ("rectification:plan-create", None, CREATE),
    ("rectification:plan-detail", "plan", SEE),
    ("rectification:plan-edit", "plan", EDIT),
    ("rectification:plan-document", "plan", SEE),
    ("rectification:mechanism-list", None, EVERYONE),
    ("rectification:mechanism-create", None, CREATE),
    ("rectification:mechanism-detail", "mechanism", SEE),
    ("rectification:mechanism-document", "mechanism", SEE),
]


@pytest.mark.parametrize("who", ALL)
@pytest.mark.parametrize(("name", "obj", "table"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_permission_table_get(client, people, world, who, name, obj, table):
    url = reverse(name, args=[world[obj].pk] if obj else [])
    response = client_for(client, people, who).get(url)
    assert response.status_code == table[who], (name, who)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]


WRITE = {**SEE, "leader": 403, "viewer": 403, "member_a": 403}


def _post_cases(world):
    m = world["measure"].pk
    n = world["started_measure"].pk  # progress is noted once rectification has started
    return [
        ("rectification:problem-transition", [world["problem"].pk, "start"], {}),
        (
            "rectification:problem-transition",
            [world["problem"].pk, "withdraw"],
            {"w-reason": "重复"},
        ),
        ("rectification:measure-create", [world["problem"].pk], {"m-description": "新措施"}),
        ("rectification:measure-state", [n], {f"s{n}-state": "in_progress"}),
        (
            "rectification:note-create",
            [n],
            {f"n{n}-noted_on": "2026-11-20", f"n{n}-text": "进展"},
        ),
        ("rectification:evidence-create", [m], {f"e{m}-file": SimpleUploadedFile("a.png", PNG)}),
        ("rectification:milestone-create", [world["plan"].pk], {"title": "阶段", "due_on": ""}),
        ("rectification:milestone-done", [world["milestone"].pk], {}),
    ]


POST_NAMES = [
    "start",
    "withdraw",
    "measure",
    "state",
    "note",
    "evidence",
    "milestone",
    "milestone-done",
]


@pytest.mark.parametrize("who", ALL)
@pytest.mark.parametrize("case", range(len(POST_NAMES)), ids=POST_NAMES)
def test_permission_table_post(client, people, world, who, case):
    name, args, data = _post_cases(world)[case]
    response = client_for(client, people, who).post(reverse(name, args=args), data)
    expected = WRITE[who]
    if expected == 200:
        expected = 302
    assert response.status_code == expected, (name, who, getattr(response, "content", b"")[:300])


@pytest.mark.parametrize("who", ALL)
def test_only_offices_above_may_close_through_the_page(client, campaign, tree, people, who):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    finish_measures(problem, people.secretary_a)
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    url = reverse("rectification:problem-transition", args=[problem.pk, "close"])
    response = client_for(client, people, who).post(url, {"c-note": "核查属实"})
    expected = {**WRITE, "secretary_a": 403, "county_office": 302, "city_office": 302}[who]
    assert response.status_code == expected
    problem.refresh_from_db()
    closed = expected == 302 and who != "anonymous"
    assert (problem.state == ProblemState.CLOSED) == closed


def test_leader_edits_the_problem_he_leads(client, campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        responsible_leader=people.leader,
    )
    client.force_login(people.leader)
    assert client.get(reverse("rectification:problem-edit", args=[problem.pk])).status_code == 200
    response = client.post(reverse("rectification:problem-transition", args=[problem.pk, "start"]))
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_RECTIFICATION


def test_unknown_transition_is_404(client, world, people):
    client.force_login(people.secretary_a)
    url = reverse("rectification:problem-transition", args=[world["problem"].pk, "explode"])
    assert client.post(url).status_code == 404


def test_get_on_a_transition_is_refused(client, world, people):
    client.force_login(people.secretary_a)
    url = reverse("rectification:problem-transition", args=[world["problem"].pk, "start"])
    assert client.get(url).status_code == 405


# --- bad input ---------------------------------------------------------------------------


def test_create_problem_through_the_form(client, campaign, tree, people):
    client.force_login(people.secretary_a)
    url = reverse("rectification:problem-create")
    page = client.get(url)
    assert "理论学习" in page.content.decode()  # categories come from the campaign
    data = {
        "unit": tree.branch_a1.pk,
        "source": "self_review",
        "category": "理论学习",
        "description": "",
        "type": "deadline",
        "deadline": "2026-12-31",
        "discovered_on": "2026-11-20",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Problem.objects.exists()
    response = client.post(url, {**data, "type": "ongoing", "description": "学习不深入"})
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert problem.deadline is None  # 长期坚持 keeps no deadline
    assert problem.reported_by == people.secretary_a


def test_category_outside_the_campaign_list_is_refused(client, campaign, tree, people):
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:problem-create"),
        {
            "unit": tree.branch_a1.pk,
            "source": "self_review",
            "category": "随便写",
            "description": "问题",
            "type": "deadline",
            "discovered_on": "2026-11-20",
        },
    )
    assert response.status_code == 200
    assert not Problem.objects.exists()


def test_secretary_cannot_enter_for_another_unit(client, campaign, tree, people):
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:problem-create"),
        {
            "unit": tree.branch_b1.pk,
            "source": "self_review",
            "category": "其他",
            "description": "问题",
            "type": "deadline",
            "discovered_on": "2026-11-20",
        },
    )
    assert response.status_code == 200
    assert not Problem.objects.exists()


def test_start_refused_shows_why(client, campaign, tree, people):
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=0
    )
    client.force_login(people.secretary_a)
    response = client.post(reverse("rectification:problem-transition", args=[problem.pk, "start"]))
    assert response.status_code == 400
    assert "至少" in response.content.decode() or "measure" in response.content.decode()
    problem.refresh_from_db()
    assert problem.state == ProblemState.DRAFT


def test_return_without_reason_shows_error_next_to_field(client, campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    finish_measures(problem, people.secretary_a)
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    client.force_login(people.county_office)
    url = reverse("rectification:problem-transition", args=[problem.pk, "return"])
    response = client.post(url, {"r-reason": ""})
    assert response.status_code == 400
    assert 'id="id_r-reason_error"' in response.content.decode()
    problem.refresh_from_db()
    assert problem.state == ProblemState.SUBMITTED
    response = client.post(url, {"r-reason": "佐证材料不足"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_RECTIFICATION
    detail = client.get(reverse("rectification:problem-detail", args=[problem.pk])).content.decode()
    assert "佐证材料不足" in detail  # the timeline shows the reason


def test_bad_evidence_file_is_refused_with_a_message(client, world, people):
    m = world["measure"].pk
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:evidence-create", args=[m]),
        {f"e{m}-file": SimpleUploadedFile("x.png", b"<script>")},
    )
    assert response.status_code == 400
    assert f'id="id_e{m}-file_error"' in response.content.decode()
    assert MeasureEvidence.objects.count() == 1


def test_future_progress_note_is_refused(client, world, people):
    m = world["started_measure"].pk
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:note-create", args=[m]),
        {f"n{m}-noted_on": "2026-12-01", f"n{m}-text": "未来的事"},
    )
    assert response.status_code == 400
    assert f'id="id_n{m}-noted_on_error"' in response.content.decode()


def test_plan_and_mechanism_forms(client, campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        mass_concern=True,
        long_unresolved=True,
    )
    client.force_login(people.secretary_a)
    page = client.get(reverse("rectification:plan-create") + f"?problem={problem.pk}")
    assert page.status_code == 200
    response = client.post(
        reverse("rectification:plan-create"),
        {
            "unit": tree.branch_a1.pk,
            "title": "方案",
            "goal": "目标",
            "body": "",
            "problems": [problem.pk],
            "milestones": "",
        },
    )
    assert response.status_code == 200
    assert not SpecialPlan.objects.exists()
    response = client.post(
        reverse("rectification:plan-create"),
        {
            "unit": tree.branch_a1.pk,
            "title": "停车难专项整治方案",
            "goal": "年底前解决",
            "body": "一、成立专班",
            "problems": [problem.pk],
            "milestones": "2026-12-01 摸排\n2026-12-20 完工",
        },
    )
    plan = SpecialPlan.objects.get()
    assert response.status_code == 302
    assert plan.milestones.count() == 2
    response = client.post(
        reverse("rectification:mechanism-create"),
        {
            "unit": tree.branch_a1.pk,
            "title": "",
            "kind": "rule",
            "issued_on": "2026-11-01",
        },
    )
    assert response.status_code == 200
    response = client.post(
        reverse("rectification:mechanism-create"),
        {
            "unit": tree.branch_a1.pk,
            "title": "群众诉求闭环办理制度",
            "kind": "rule",
            "issued_on": "2026-11-01",
            "problems": [problem.pk],
        },
    )
    assert response.status_code == 302
    assert Mechanism.objects.get().problems.get() == problem


# --- the list page -----------------------------------------------------------------------


def test_list_flags_problems_needing_a_plan(client, campaign, tree, people):
    make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        mass_concern=True,
        long_unresolved=True,
    )
    client.force_login(people.county_office)
    html = client.get(reverse("rectification:problem-list")).content.decode()
    assert 'class="needs-plan"' in html


def test_export_button_carries_the_filters(client, campaign, tree, people):
    make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    client.force_login(people.county_office)
    html = client.get(
        reverse("rectification:problem-list") + "?type=deadline&page=1"
    ).content.decode()
    try:
        export = reverse("rectification:ledger-export")
    except NoReverseMatch:
        assert "data-export-link" not in html
    else:
        assert f'href="{export}?type=deadline"' in html


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(campaign, tree, people, n):
    for i in range(n):
        unit = tree.branch_a1 if i % 2 else tree.branch_a2
        problem = make_problem(
            campaign=campaign,
            unit=unit,
            actor=people.county_office,
            mass_concern=bool(i % 3),
            long_unresolved=True,
            type=ProblemType.ONGOING if i % 4 == 0 else ProblemType.DEADLINE,
        )
        services.special_plan_create(
            campaign=campaign,
            unit=unit,
            actor=people.county_office,
            title=f"方案{i}",
            goal="目标",
            body="内容",
            problems=[problem],
            milestones=[services.MilestoneInput("阶段")],
        )
        services.mechanism_create(
            campaign=campaign,
            unit=unit,
            actor=people.county_office,
            title=f"制度{i}",
            kind="rule",
            issued_on=date(2026, 11, 1),
            problems=[problem],
        )
        services.problem_start(problem=problem, actor=people.county_office)
        finish_measures(problem, people.county_office)
        services.problem_submit_for_closing(problem=problem, actor=people.county_office)


@pytest.mark.parametrize(
    "name",
    [
        "rectification:problem-list",
        "rectification:verify-queue",
        "rectification:plan-list",
        "rectification:mechanism-list",
    ],
)
def test_list_query_count_is_fixed(
    client, campaign, tree, people, name, django_assert_max_num_queries
):
    client.force_login(people.county_office)
    url = reverse(name)
    _grow(campaign, tree, people, 2)
    small = _count(client, url)
    _grow(campaign, tree, people, 12)
    large = _count(client, url)
    assert small == large
    with django_assert_max_num_queries(12):
        client.get(url)


def test_detail_query_count_does_not_grow_with_measures(client, campaign, tree, people):
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=1
    )
    first = problem.measures.get()
    services.problem_start(problem=problem, actor=people.secretary_a)
    services.progress_note_add(measure=first, actor=people.secretary_a, text="进展")
    services.evidence_add(measure=first, actor=people.secretary_a, upload=png())
    client.force_login(people.secretary_a)
    url = reverse("rectification:problem-detail", args=[problem.pk])
    few = _count(client, url)
    for i in range(5):
        measure = services.measure_add(
            problem=problem, actor=people.secretary_a, description=f"措施{i}"
        )
        services.progress_note_add(measure=measure, actor=people.secretary_a, text="进展")
        services.evidence_add(measure=measure, actor=people.secretary_a, upload=png())
    assert _count(client, url) == few


def test_measure_done_through_the_page(client, campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    m = problem.measures.get().pk
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:measure-state", args=[m]),
        {f"s{m}-state": "done", f"s{m}-completed_on": "2026-11-19"},
    )
    assert response.status_code == 302
    assert problem.measures.get().state == MeasureState.DONE


def test_plan_edit_links_a_problem_later_and_clears_the_flag(client, campaign, tree, people):
    plan = services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="方案",
        goal="目标",
        body="内容",
    )
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        mass_concern=True,
        long_unresolved=True,
    )
    client.force_login(people.secretary_a)
    url = reverse("rectification:plan-edit", args=[plan.pk])
    response = client.post(url, {"title": "", "goal": "目标", "body": "内容"})
    assert response.status_code == 200
    response = client.post(
        url, {"title": "停车难专项方案", "goal": "目标", "body": "内容", "problems": [problem.pk]}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "停车难专项方案"
    assert list(plan.problems.all()) == [problem]
    html = client.get(reverse("rectification:problem-list")).content.decode()
    assert 'class="needs-plan"' not in html


def test_leader_edits_only_the_plans_he_leads(client, campaign, tree, people):
    plan = services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="方案",
        goal="目标",
        body="内容",
        lead=people.leader,
    )
    other = services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="方案二",
        goal="目标",
        body="内容",
    )
    client.force_login(people.leader)
    assert client.get(reverse("rectification:plan-edit", args=[plan.pk])).status_code == 200
    assert client.get(reverse("rectification:plan-edit", args=[other.pk])).status_code == 403


def test_verifier_goes_back_to_the_queue(client, campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    finish_measures(problem, people.secretary_a)
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    client.force_login(people.county_office)
    queue = client.get(reverse("rectification:verify-queue")).content.decode()
    detail_url = reverse("rectification:problem-detail", args=[problem.pk]) + "?from=queue"
    assert detail_url in queue
    assert 'name="next" value="queue"' in client.get(detail_url).content.decode()
    response = client.post(
        reverse("rectification:problem-transition", args=[problem.pk, "close"]),
        {"c-note": "", "next": "queue"},
    )
    assert response["Location"] == reverse("rectification:verify-queue")
