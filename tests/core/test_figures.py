from datetime import date

from core.figures import cached_figures, data_version
from tests.factories import make_unit


def test_cached_figures_recompute_after_any_tracked_write(tree, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-figures",
        }
    }
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    today = date(2026, 11, 18)
    assert cached_figures("t", [1], compute, today=today) == 1
    assert cached_figures("t", [1], compute, today=today) == 1  # cached
    before = data_version()
    make_unit(tree.branch_a1.get_parent())  # a write through the history triggers
    assert data_version() != before
    assert cached_figures("t", [1], compute, today=today) == 2  # recomputed
    assert cached_figures("t", [1], compute, today=date(2026, 11, 19)) == 3  # a new day


def test_bulk_update_moves_the_version(tree):
    from accounts.models import OrgUnit

    before = data_version()
    OrgUnit.objects.filter(pk=tree.branch_a1.pk).update(name="改名")
    assert data_version() != before


def test_a_delete_keeps_its_history_and_moves_the_version(tree, people):
    """Deletes are writes too: a revoked role leaves a "delete" event and new figures."""
    from accounts.models import RoleAssignment

    role = RoleAssignment.objects.filter(user=people.secretary_a).first()
    assert role is not None
    before = data_version()
    pk = role.pk
    role.delete()
    assert data_version() != before
    events = RoleAssignment.pgh_event_model.objects.filter(pgh_obj_id=pk)  # type: ignore[attr-defined]
    assert events.filter(pgh_label="delete").count() == 1
