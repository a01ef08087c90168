"""With English on, every choice is English (activity kinds, problem sources and types,
research methods and foci, visit methods, workstreams in the dashboard's tables) and no
line mixes the two languages; in Chinese the same choices read as before."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from campaign.models import ActivityKind, DevelopmentCategory, Workstream
from rectification.choices import MechanismKind, ProblemSource, ProblemType
from research.models import ResearchFocus, ResearchMethod
from supervision.models import VisitMethod

pytestmark = pytest.mark.django_db

CHOICES = [
    ActivityKind,
    DevelopmentCategory,
    ProblemSource,
    ProblemType,
    MechanismKind,
    ResearchFocus,
    ResearchMethod,
    VisitMethod,
    Workstream,
]
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def back_to_chinese():
    """A request in English leaves English active in this thread: restore the default."""
    yield
    translation.deactivate()


@pytest.mark.parametrize("choices", CHOICES, ids=lambda c: c.__name__)
def test_every_choice_has_an_english_label_and_a_chinese_translation(choices):
    with translation.override("en"):
        english = [str(label) for label in choices.labels]
    with translation.override("zh-hans"):
        chinese = [str(label) for label in choices.labels]
    assert not any(HAN.search(label) for label in english), english
    assert all(HAN.search(label) for label in chinese), chinese


def test_the_old_chinese_labels_are_kept(db):
    with translation.override("zh-hans"):
        assert ActivityKind.PARTY_DAY.label == "主题党日"
        assert ProblemSource.SELF_REVIEW.label == "自查自纠"
        assert ProblemType.ONGOING.label == "长期坚持"
        assert ResearchMethod.ONSITE.label == "蹲点调研"


def _english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_pages_in_english_show_english_choices(client, people, tree):
    from tests.campaign.factories import CampaignFactory

    campaign = CampaignFactory(root_unit=tree.city)
    from campaign.middleware import SESSION_KEY

    c = _english(client, people.secretary_a)
    session = c.session
    session[SESSION_KEY] = campaign.pk
    session.save()
    form = c.get(reverse("campaign:activity-create")).content.decode()
    assert "Themed Party day" in form and "主题党日" not in form


def test_the_dashboard_names_workstreams_in_the_readers_language(client, people, tree):
    from tests.campaign.factories import CampaignFactory

    campaign = CampaignFactory(root_unit=tree.city)
    from campaign.middleware import SESSION_KEY

    client.force_login(people.city_office)
    session = client.session
    session[SESSION_KEY] = campaign.pk
    session.save()
    url = reverse("dashboard:office")
    chinese = client.get(url).content.decode()  # the figures are cached from this one
    assert ">理论学习</td>" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    table = english[english.index('id="workstreams"') :]
    table = table[: table.index("</table>")]
    assert ">Theory study</td>" in table and not HAN.search(table)
    assert "Long-term problems without progress for 30 days" in english


def test_default_problem_categories_read_in_the_readers_language():
    from campaign.defaults import PROBLEM_CATEGORIES, category_label

    with translation.override("en"):
        english = [category_label(c) for c in PROBLEM_CATEGORIES]
        assert not any(HAN.search(c) for c in english), english
        assert category_label("本单位自定类别") == "本单位自定类别"  # an office's own
    with translation.override("zh-hans"):
        assert [category_label(c) for c in PROBLEM_CATEGORIES] == PROBLEM_CATEGORIES


def test_the_problem_list_in_english_shows_english_sources_types_and_categories(
    client, people, tree
):
    from campaign.middleware import SESSION_KEY
    from tests.rectification.factories import make_campaign, make_problem

    campaign = make_campaign(tree.city)
    make_problem(campaign=campaign, unit=tree.branch_a1)
    c = _english(client, people.county_office)
    session = c.session
    session[SESSION_KEY] = campaign.pk
    session.save()
    page = c.get(reverse("rectification:problem-list")).content.decode()
    body = page[page.index("<tbody") : page.index("</tbody>")]
    assert '<td data-label="Category">Theory study</td>' in body
    assert '<td data-label="Source">Self-examination</td>' in body
    assert '<td data-label="Type">Fix by a deadline</td>' in body
    assert "Self-examination" in page and "Fix by a deadline" in page
    assert "自查自纠" not in page and "限期整改" not in page
