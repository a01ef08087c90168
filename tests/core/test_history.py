from datetime import date

import pghistory

from campaign.models import Campaign
from core.history import history_for
from rectification.models import Problem, ProblemSource, ProblemType


def test_history_shows_who_changed_what_with_names_and_labels(people, tree):
    campaign = Campaign.objects.create(
        name="测试", root_unit=tree.city, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    with pghistory.context(user=people.secretary_a.pk):
        problem = Problem.objects.create(
            campaign=campaign,
            unit=tree.branch_a1,
            number=1,
            category="工作作风",
            source=ProblemSource.SELF_REVIEW,
            description="会议多",
            discovered_on=date(2026, 3, 1),
            type=ProblemType.DEADLINE,
        )
    with pghistory.context(user=people.county_office.pk):
        problem.type = ProblemType.IMMEDIATE
        problem.responsible_person = people.secretary_a
        problem.save()
    entries = history_for(problem)
    assert [e.created for e in entries] == [False, True]
    change = {c.field: c for c in entries[0].changes}
    assert entries[0].actor == str(people.county_office)
    assert change["type"].before == "限期整改" and change["type"].after == "立行立改"
    assert change["responsible_person_id"].after == str(people.secretary_a)
    assert change["responsible_person_id"].label == str(
        Problem._meta.get_field("responsible_person").verbose_name
    )
