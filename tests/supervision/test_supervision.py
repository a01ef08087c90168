"""Supervision visits (findings become problems) and model cases (select / return)."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import Campaign
from rectification.models import Problem, ProblemSource, ProblemState
from supervision import selectors, services
from supervision.models import Case, CaseState, SupervisionVisit

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def campaign(tree):
    return Campaign.objects.create(
        name="测试主题教育",
        root_unit=tree.city,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 2, 28),
        problem_categories=["工作作风", "其他"],
    )


def visit(people, tree, campaign, **kwargs):
    values = {
        "actor": people.city_office,
        "campaign": campaign,
        "unit": tree.branch_a1,
        "visited_on": date(2026, 11, 17),
        "visitors": "王海燕、李建国",
        "methods": ["on_site", "talks"],
        "guidance": "建立台账，逐项销号",
        "follow_up_on": date(2026, 12, 1),
        "findings": [
            services.FindingInput(description="学习记录不完整", category="工作作风"),
            services.FindingInput(
                description="群众反映办事难",
                category="其他",
                type="immediate",
                deadline=date(2026, 11, 30),
            ),
        ],
    }
    values.update(kwargs)
    return services.visit_create(**values)


# ---------------------------------------------------------------- services


def test_each_finding_becomes_a_problem_of_the_visited_unit(people, tree, campaign):
    v = visit(people, tree, campaign)
    findings = list(v.findings.select_related("problem"))
    assert len(findings) == 2
    problems = [f.problem for f in findings]
    assert all(p.unit == tree.branch_a1 for p in problems)
    assert all(p.source == ProblemSource.SUPERVISION for p in problems)
    assert all(p.state == ProblemState.DRAFT for p in problems)
    assert all(p.discovered_on == date(2026, 11, 17) for p in problems)
    assert [p.number for p in problems] == [1, 2]
    assert problems[1].type == "immediate" and problems[1].deadline == date(2026, 11, 30)
    assert problems[0].supervision_finding.visit == v


def test_finding_added_later_and_methods_required(people, tree, campaign):
    v = visit(people, tree, campaign, findings=[])
    finding = services.finding_add(
        actor=people.city_office,
        visit=v,
        finding=services.FindingInput(description="制度不健全", category="其他"),
    )
    assert finding.problem.source == ProblemSource.SUPERVISION
    with pytest.raises(ValidationError) as exc:
        visit(people, tree, campaign, methods=[])
    assert "methods" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        visit(people, tree, campaign, follow_up_on=date(2026, 11, 1))
    assert "follow_up_on" in exc.value.error_dict


def test_a_bad_finding_saves_nothing(people, tree, campaign):
    with pytest.raises(ValidationError):
        visit(
            people,
            tree,
            campaign,
            findings=[
                services.FindingInput(description="有效问题", category="工作作风"),
                services.FindingInput(description="类别不对", category="不存在的类别"),
            ],
        )
    assert not SupervisionVisit.objects.exists()
    assert not Problem.objects.exists()


def test_only_the_office_in_scope_supervises(people, tree, campaign):
    for user in (people.secretary_a, people.viewer, people.leader):
        with pytest.raises(PermissionDenied):
            visit(people, tree, campaign, actor=user)
    with pytest.raises(PermissionDenied):
        visit(people, tree, campaign, actor=people.county_office, unit=tree.branch_b1)
    assert visit(people, tree, campaign, actor=people.county_office).unit == tree.branch_a1


def test_follow_ups_for_units(people, tree, campaign):
    v1 = visit(people, tree, campaign, findings=[], follow_up_on=date(2026, 11, 17))
    v2 = visit(people, tree, campaign, findings=[], follow_up_on=date(2026, 12, 1))
    visit(people, tree, campaign, findings=[], follow_up_on=None)
    visit(people, tree, campaign, findings=[], unit=tree.branch_b1)
    units = tree.branch_a1.__class__.objects.filter(pk=tree.branch_a1.pk)
    rows = list(selectors.follow_ups_for_units(units, date(2026, 11, 18)))
    assert [(r.pk, r.is_overdue) for r in rows] == [(v1.pk, True), (v2.pk, False)]
    services.visit_follow_up_done(actor=people.city_office, visit=v1, done_on=date(2026, 11, 18))
    assert [r.pk for r in selectors.follow_ups_for_units(units, date(2026, 11, 18))] == [v2.pk]


def test_case_select_and_return(people, tree, campaign):
    case = services.case_submit(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        title="“支部+网格”服务群众",
        summary="把支部建在网格上",
        body="具体做法……",
        photos=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
    )
    assert case.state == CaseState.SUBMITTED and case.photos.count() == 1
    with pytest.raises(PermissionDenied):
        services.case_select(actor=people.viewer, case=case)
    with pytest.raises(ValidationError):
        services.case_return(actor=people.city_office, case=case, reason="  ")
    services.case_return(actor=people.county_office, case=case, reason="请补充成效数据")
    case.refresh_from_db()
    assert (case.state, case.return_reason) == (CaseState.RETURNED, "请补充成效数据")
    with pytest.raises(ValidationError):
        services.case_select(actor=people.city_office, case=case)
    services.case_resubmit(
        actor=people.secretary_a,
        case=case,
        title=case.title,
        summary=case.summary,
        body="补充了数据",
    )
    services.case_select(actor=people.city_office, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.SELECTED and case.reviewed_by == people.city_office
    with pytest.raises(ValidationError):
        services.case_resubmit(
            actor=people.secretary_a, case=case, title="x", summary="y", body="z"
        )
    # a selected model is seen across the whole campaign; a submitted case only in scope
    other = services.case_submit(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        title="t",
        summary="s",
        body="b",
    )
    visible_b = set(Case.objects.visible_to(people.secretary_b))
    assert case in visible_b and other not in visible_b


def test_case_photos_must_be_images(people, tree, campaign):
    with pytest.raises(ValidationError) as exc:
        services.case_submit(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            title="t",
            summary="s",
            body="b",
            photos=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
        )
    assert "photos" in exc.value.error_dict
    assert not Case.objects.exists()


def test_case_submit_needs_a_writing_role(people, tree, campaign):
    for user in (people.viewer, people.member_a):
        with pytest.raises(PermissionDenied):
            services.case_submit(
                actor=user, campaign=campaign, unit=tree.branch_a1, title="t", summary="s", body="b"
            )


# ---------------------------------------------------------------- views


def test_record_a_visit_through_the_page(client, people, tree, campaign):
    client.force_login(people.city_office)
    url = reverse("supervision:visit-create")
    page = client.get(url, {"unit": tree.branch_a1.code})
    html = page.content.decode()
    assert page.status_code == 200 and tree.branch_a1.name in html
    # the unit is chosen by name from a searchable list, opened on the unit of the link
    assert re.search(
        rf'<option value="{tree.branch_a1.pk}"[^>]* selected>{tree.branch_a1.name}（', html
    )
    assert "data-unit-picker" in html
    # today's date, written the way a date box reads it
    assert 'type="date" name="visited_on" value="2026-11-18"' in html
    data = {
        "unit": tree.branch_a1.pk,
        "visited_on": "2026-11-17",
        "visitors": "王海燕",
        "methods": ["documents", "masses"],
        "guidance": "限期整改",
        "follow_up_on": "2026-12-01",
        "findings-TOTAL_FORMS": "3",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
        "findings-0-description": "三会一课记录缺失",
        "findings-0-category": "工作作风",
        "findings-0-type": "deadline",
        "findings-0-deadline": "2026-12-31",
        "findings-1-type": "deadline",
        "findings-1-category": "工作作风",
        "findings-2-type": "deadline",
        "findings-2-category": "工作作风",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    v = SupervisionVisit.objects.get()
    assert v.methods == ["documents", "masses"]
    problem = v.findings.get().problem
    assert (problem.description, problem.source) == ("三会一课记录缺失", "supervision")
    detail = client.get(reverse("supervision:visit-detail", args=[v.pk]))
    assert "三会一课记录缺失" in detail.content.decode()


def test_bad_visit_input_shows_errors_and_saves_nothing(client, people, tree, campaign):
    client.force_login(people.city_office)
    response = client.post(
        reverse("supervision:visit-create"),
        {
            "unit": 999999,  # no such unit in scope
            "visited_on": "2026-11-17",
            "visitors": "",
            "findings-TOTAL_FORMS": "0",
            "findings-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"unit", "visitors", "methods"}
    assert not SupervisionVisit.objects.exists()


def test_visit_permissions(client, people, tree, campaign):
    v = visit(people, tree, campaign)
    detail = reverse("supervision:visit-detail", args=[v.pk])
    edit = reverse("supervision:visit-edit", args=[v.pk])
    add = reverse("supervision:finding-add", args=[v.pk])
    done = reverse("supervision:follow-up-done", args=[v.pk])
    assert client.get(detail).status_code == 302  # anonymous → login
    client.force_login(people.outsider)
    for url in (detail, edit):
        assert client.get(url).status_code == 404
    assert client.post(add, {"description": "x"}).status_code == 404
    assert client.get(reverse("supervision:visit-create")).status_code == 404
    client.force_login(people.secretary_b)  # county B: branch A1 is out of scope
    assert client.get(detail).status_code == 404
    client.force_login(people.viewer)
    assert client.get(detail).status_code == 200
    assert client.get(edit).status_code == 403
    assert client.post(add, {"description": "x"}).status_code == 403
    assert client.post(done, {"done_on": "2026-11-18"}).status_code == 403
    assert client.get(reverse("supervision:visit-create")).status_code == 403
    assert client.get(reverse("supervision:visit-list")).status_code == 200
    client.force_login(people.county_office)
    assert client.post(done, {"done_on": "2026-11-18"}).status_code == 302
    v.refresh_from_db()
    assert v.follow_up_done_on == date(2026, 11, 18)


def test_case_views_and_permissions(client, people, tree, campaign):
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("supervision:case-create"),
        {
            "unit": tree.branch_a1.pk,
            "title": "党员积分管理",
            "summary": "积分激励",
            "body": "做法",
            "photos": [SimpleUploadedFile("p.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    photo = case.photos.get()
    detail = reverse("supervision:case-detail", args=[case.pk])
    select = reverse("supervision:case-select", args=[case.pk])
    ret = reverse("supervision:case-return", args=[case.pk])
    photo_url = reverse("supervision:case-photo", args=[photo.pk])
    assert client.post(select).status_code == 403  # a secretary cannot select
    client.force_login(people.outsider)
    for url in (detail, photo_url, reverse("supervision:case-edit", args=[case.pk])):
        assert client.get(url).status_code == 404
    assert client.post(select).status_code == 404
    client.force_login(people.secretary_b)
    assert client.get(detail).status_code == 404  # not selected yet: not seen outside scope
    client.force_login(people.viewer)
    assert client.get(detail).status_code == 200
    assert client.post(select).status_code == 403
    assert client.post(ret, {"reason": "x"}).status_code == 403
    assert client.get(reverse("supervision:case-create")).status_code == 403
    client.force_login(people.city_office)
    bad = client.post(ret, {"reason": ""})
    assert bad.status_code == 400 and "reason" in bad.context["return_form"].errors
    assert client.post(select).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SELECTED
    client.force_login(people.secretary_b)
    assert client.get(detail).status_code == 200
    assert client.get(photo_url).status_code == 200
    listing = client.get(reverse("supervision:case-list"))
    assert "党员积分管理" in listing.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_list_pages_query_count(
    client, people, tree, campaign, size, django_assert_max_num_queries
):
    for i in range(size):
        visit(people, tree, campaign, findings=[], visitors=f"组{i}")
        services.case_submit(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            title=f"案例{i}",
            summary="s",
            body="b",
            photos=[SimpleUploadedFile("p.png", BytesIO(PNG).read(), content_type="image/png")],
        )
    client.force_login(people.city_office)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("supervision:visit-list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("supervision:case-list"), {"state": "submitted"}).status_code == 200
        )


def test_follow_ups_include_for_the_todo_page(rf, people, tree, campaign):
    from django.template.loader import render_to_string

    v = visit(people, tree, campaign, findings=[], follow_up_on=date(2026, 11, 17))
    units = tree.branch_a1.__class__.objects.filter(pk=tree.branch_a1.pk)
    follow_ups = list(selectors.follow_ups_for_units(units, date(2026, 11, 18)))
    for item in follow_ups:
        item.late_for_me = item.is_overdue  # the supervising office's page
    html = render_to_string("supervision/_follow_ups.html", {"follow_ups": follow_ups})
    assert reverse("supervision:visit-detail", args=[v.pk]) in html
    assert "list-group-item-danger" in html
    # the unit visited has nothing to do about a passed date: not red, and told why
    for item in follow_ups:
        item.late_for_me = False
    html = render_to_string("supervision/_follow_ups.html", {"follow_ups": follow_ups})
    assert "list-group-item-danger" not in html and "待督导组另行安排回访" in html
    assert render_to_string("supervision/_follow_ups.html", {"follow_ups": []}).strip() == ""


def test_todo_page_shows_the_units_follow_ups(client, people, tree, campaign):
    import time_machine

    with time_machine.travel(date(2026, 11, 18), tick=False):
        v = visit(people, tree, campaign, findings=[], follow_up_on=date(2026, 11, 25))
        other = visit(
            people,
            tree,
            campaign,
            findings=[],
            unit=tree.branch_b1,
            follow_up_on=date(2026, 11, 25),
        )
        client.force_login(people.secretary_a)
        page = client.get(reverse("campaign:todo")).content.decode()
    assert reverse("supervision:visit-detail", args=[v.pk]) in page
    assert reverse("supervision:visit-detail", args=[other.pk]) not in page


def test_a_person_is_put_forward_and_selected_beside_the_practices(client, people, tree, campaign):
    def put_forward(**extra):
        return services.case_submit(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            title="扎根社区二十年的“老娘舅”",
            summary="调解邻里纠纷300余起",
            body="事迹材料……",
            kind="person",
            **extra,
        )

    with pytest.raises(ValidationError) as excinfo:
        put_forward()
    assert "person_name" in excinfo.value.message_dict
    person = put_forward(person_name="王德明", person_title="网格员")
    services.case_select(actor=people.county_office, case=person)
    practice = services.case_submit(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        title="“支部+网格”服务群众",
        summary="把支部建在网格上",
        body="具体做法……",
    )
    services.case_select(actor=people.county_office, case=practice)
    models = selectors.case_list(user=people.city_office, campaign=campaign, params={})
    assert {(c.kind, c.person_name) for c in models} == {("person", "王德明"), ("practice", "")}
    people_only = selectors.case_list(
        user=people.city_office, campaign=campaign, params={"kind": "person"}
    )
    assert [c.title for c in people_only] == ["扎根社区二十年的“老娘舅”"]
    client.force_login(people.city_office)
    page = client.get(reverse("supervision:case-detail", args=[person.pk])).content.decode()
    assert "先进个人" in page and "王德明" in page and "网格员" in page
