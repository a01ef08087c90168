from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.roles import Action
from core.pages import paginate

from . import selectors, services
from .models import Delivery, DeliveryState, UrgeItem


def _safe_next(request: HttpRequest, target: str, default: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    qs = selectors.notifications_for(request.user, unread_only=unread_only)
    page = paginate(request, qs)
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "unread_only": unread_only,
            "is_office": permissions.acts_anywhere(request.user, Action.MANAGE),
        },
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_for_user(request.user, pk)
    if notification is None:
        raise Http404
    services.mark_read(user=request.user, notification=notification)
    default = reverse("notifications:list")
    if request.POST.get("open") and notification.link:
        return redirect(_safe_next(request, notification.link, default))
    return redirect(_safe_next(request, request.POST.get("next", ""), default))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


def _require_office(request: HttpRequest) -> None:
    if not permissions.acts_anywhere(request.user, Action.MANAGE):
        raise PermissionDenied


@require_GET
@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    state = request.GET.get("state", "")
    if state not in DeliveryState.values:
        state = ""
    qs = (
        selectors.deliveries_for(request.user, state=state)
        .annotate(item_count=Count("reminders"))
        .order_by("-day", "-pk")
    )
    page = paginate(request, qs)
    return render(
        request,
        "notifications/deliveries.html",
        {"page_obj": page, "state": state, "states": DeliveryState.choices},
    )


@require_POST
@login_required
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request)
    try:
        delivery = selectors.deliveries_for(request.user).get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not delivery.can_retry():
        messages.info(request, _("Only a failed delivery can be sent again."))
    else:
        services.retry_delivery(user=request.user, delivery=delivery)
        messages.success(request, _("The delivery is queued to be sent again."))
    return redirect(
        _safe_next(request, request.POST.get("next", ""), reverse("notifications:deliveries"))
    )


@require_POST
@login_required
def urge(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """催办: the office presses a lagging unit or an overdue item; once a day at most."""
    if kind not in UrgeItem.values:
        raise Http404
    target = selectors.urge_target(request.user, kind, pk)
    back = _safe_next(request, request.POST.get("next", ""), target.link)
    if not permissions.can(request.user, Action.URGE, target.unit):
        raise PermissionDenied
    if not target.urgeable:
        messages.info(request, _("Only an overdue item can be urged."))
        return redirect(back)
    outcome = services.urge(
        actor=request.user,
        unit=target.unit,
        item_kind=target.item_kind,
        item_id=target.item_id,
        title=target.title,
        link=target.link,
        also=list(target.also),
    )
    if outcome.created:
        messages.success(
            request,
            _("%(unit)s was urged: %(n)s people were told.")
            % {"unit": target.unit.name, "n": outcome.urge.recipients},
        )
    else:
        when = timezone.localtime(outcome.urge.created_at).strftime("%H:%M")
        who = outcome.urge.actor.display_name if outcome.urge.actor else ""
        messages.info(
            request,
            _("Already urged today (%(time)s, %(who)s); it can be urged again tomorrow.")
            % {"time": when, "who": who},
        )
    return redirect(back)


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("By email"), required=False)
    personal = forms.BooleanField(label=_("By WeCom / DingTalk personal message"), required=False)
    quiet_from = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_to = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Nothing is sent to you between these hours; it waits until they end."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("quiet_from")) != bool(data.get("quiet_to")):
            self.add_error("quiet_to", _("Give both the start and the end of the quiet hours."))
        return data


@login_required
def preference_edit(request: HttpRequest) -> HttpResponse:
    """How I am notified: email, personal messages, quiet hours (the centre is always on)."""
    user_id: int = request.user.pk  # type: ignore[assignment]
    current = selectors.preferences([user_id]).get(user_id)
    initial = {
        "email": current.email if current else True,
        "personal": current.personal if current else True,
        "quiet_from": current.quiet_from if current else None,
        "quiet_to": current.quiet_to if current else None,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
