from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.views.generic import ListView

from accounts import permissions
from accounts.models import OrgUnit, User
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
        events = AuditEvent.objects.filter(Q(unit__in=units) | Q(actor__in=people))
        kind = self.request.GET.get("kind")
        if kind in AuditEvent.Kind.values:
            events = events.filter(kind=kind)
        return events.select_related("actor", "unit").order_by("-at")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = AuditEvent.Kind.choices
        context["kind"] = self.request.GET.get("kind", "")
        return context
