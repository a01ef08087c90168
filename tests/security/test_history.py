"""Every record of the workstreams keeps its history, bulk writes and links included."""

from __future__ import annotations

from datetime import date

import pghistory.models
import pytest
from django.apps import apps
from django.db import models

from core.models import AuditEvent
from rectification.models import Measure, Problem, ProblemSource
from tests.security.world import build_world

APPS = ("campaign", "research", "rectification", "supervision")


def _tracked_models() -> set[type[models.Model]]:
    tracked = set()
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event) and not model._meta.abstract:
            target = getattr(model, "pgh_tracked_model", None)
            if target is not None:
                tracked.add(target._meta.concrete_model)
                tracked.add(target)
    return tracked


def _records() -> list[type[models.Model]]:
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if issubclass(model, pghistory.models.Event) or model._meta.proxy:
                continue
            found.append(model)
    return found


def test_every_model_and_link_has_an_event_model() -> None:
    tracked = _tracked_models()
    untracked = [m._meta.label for m in _records() if m not in tracked]
    assert not untracked, f"models without history: {untracked}"


@pytest.mark.django_db
def test_bulk_update_and_bulk_create_leave_history(tree, people, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world(tree, people)
    problem_events = apps.get_model("rectification", "ProblemEvent")
    measure_events = apps.get_model("rectification", "MeasureEvent")
    before = problem_events.objects.count()
    Problem.objects.filter(unit=tree.branch_a1).update(description="批量改写")
    after = problem_events.objects.filter(description="批量改写")
    assert problem_events.objects.count() == before + 1
    assert after.count() == 1

    problem = world.a["problem"]
    Measure.objects.bulk_create(
        [Measure(problem=problem, description=f"批量措施{i}") for i in range(3)]
    )
    assert measure_events.objects.filter(description__startswith="批量措施").count() == 3

    Problem.objects.bulk_create(
        [
            Problem(
                campaign=world.campaign,
                unit=tree.branch_a2,
                number=i,
                category="其他",
                source=ProblemSource.SELF_REVIEW,
                description=f"导入问题{i}",
                discovered_on=date(2026, 11, 1),
            )
            for i in range(1, 3)
        ]
    )
    assert problem_events.objects.filter(description__startswith="导入问题").count() == 2


@pytest.mark.django_db
def test_links_leave_history(tree, people, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world(tree, people)
    a = world.a
    link_events = {
        "research.ReportProjectEvent": lambda: a["research_report"].projects.remove(a["project"]),
        "research.DecisionProjectEvent": lambda: a["decision"].projects.add(a["project"]),
        "research.DecisionReportEvent": lambda: a["decision"].reports.add(a["research_report"]),
        "research.ProjectParticipantEvent": lambda: a["project"].participants.add(people.member_a),
        "rectification.SpecialPlanProblemEvent": lambda: a["plan"].problems.add(a["problem"]),
        "rectification.MechanismProblemEvent": lambda: a["mechanism"].problems.add(a["problem"]),
    }
    for label, change in link_events.items():
        event_model = apps.get_model(label)
        before = event_model.objects.count()
        change()
        assert event_model.objects.count() == before + 1, label


@pytest.mark.django_db
def test_export_is_in_the_security_log(tree, people, settings, tmp_path, client) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    build_world(tree, people)
    client.force_login(people.city_office)
    from django.urls import reverse

    for name in ("rectification:ledger-export", "research:ledger-export"):
        before = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count()
        response = client.get(reverse(name))
        assert response.status_code in (200, 302), name
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == before + 1, name
