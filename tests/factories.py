"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import factory

from accounts.models import OrgUnit, RoleAssignment, UnitKind, User
from accounts.services import unit_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


_unit_counter = iter(range(1, 10_000_000))


def make_unit(
    parent: OrgUnit | None = None,
    *,
    kind: str = UnitKind.BRANCH,
    name: str | None = None,
    code: str | None = None,
) -> OrgUnit:
    n = next(_unit_counter)
    if parent is not None:
        parent.refresh_from_db()
    return unit_create(code=code or f"U{n:05d}", name=name or f"单位{n}", kind=kind, parent=parent)


def grant(user: User, unit: OrgUnit, role: str) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, unit=unit, role=role)
