from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.views.generic import ListView

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.permissions import top_units
from accounts.roles import Action

from .models import AuditEvent


class AuditEventListView(LoginRequiredMixin, ListView):
    """Logins, failed logins, exports and imports within the office's scope."""

    template_name = "core/audit_list.html"
    paginate_by = 50
    context_object_name = "events"

    def get_queryset(self) -> QuerySet[AuditEvent]:
        user = self.request.user
        if not permissions.acts_anywhere(user, Action.MANAGE):
            raise PermissionDenied
        units = OrgUnit.objects.visible_to(user, Action.MANAGE)
        people = User.objects.filter(permissions.people_in_scope_q(user, Action.MANAGE) or Q())
        events = AuditEvent.objects.filter(
            Q(unit__in=units) | Q(actor__in=people) | self._failed_logins_q(user, people)
        )
        kind = self.request.GET.get("kind")
        if kind in AuditEvent.Kind.values:
            events = events.filter(kind=kind)
        return events.select_related("actor", "unit").order_by("-at")

    @staticmethod
    def _failed_logins_q(user: Any, people: QuerySet[User]) -> Q:
        """A failed login has no user and no unit: it is shown to the offices of the person
        whose username was tried (as Django matches it, and in any case), and, when the
        username names nobody, to the offices at the top of the tree."""
        named = User.objects.filter(username__iexact=OuterRef("username"))
        failed = Q(kind=AuditEvent.Kind.LOGIN_FAILED)
        shown = Q(Exists(named.filter(pk__in=people.values("pk"))))
        if user.is_superuser or any(g.depth == 1 for g in top_units(user, Action.MANAGE)):
            shown |= ~Q(Exists(named))
        return failed & shown

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = AuditEvent.Kind.choices
        context["kind"] = self.request.GET.get("kind", "")
        return context
