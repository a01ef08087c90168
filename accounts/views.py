from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.history import history_for
from core.models import BackgroundJob, JobState
from core.pages import apply_errors, paginate
from core.platforms import platforms_on

from . import permissions, selectors, services
from .forms import (
    LoginForm,
    OrgImportForm,
    RoleForm,
    UnitForm,
    UnitSearchForm,
    UserCreateForm,
    UserFilterForm,
    UserForm,
)
from .org_import import WorkbookRefused, check_workbook_file
from .org_import_jobs import ORG_IMPORT_JOB_KIND, start_org_import
from .permissions import can
from .roles import Action


class TrackerLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_platforms": platforms_on()}


class TrackerPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        user: Any = self.request.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response


# Management of units and users by the office, within its scope -----------------------

# The office pages through units and people fifty at a time (one pagination rule,
# core.pages.paginate, with a longer page).
MANAGE_PAGE_SIZE = 50
# Above this many units, roles are added on their own page rather than inline.
INLINE_UNIT_CHOICES = 300


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    search = UnitSearchForm(request.GET or None)
    term = search.cleaned_data["q"] if search.is_valid() else ""
    page = paginate(
        request, selectors.units_for(request.user, search=term), per_page=MANAGE_PAGE_SIZE
    )
    top = min((u.depth for u in page.object_list), default=1)
    rows = [(u, min(u.depth - top, 3)) for u in page.object_list]
    return render(
        request,
        "accounts/unit_list.html",
        {
            "search": search,
            "page_obj": page,
            "rows": rows,
            "searching": bool(term),
            "may_import": selectors.manageable_units(request.user).exists(),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.get_unit_for_user(request.user, pk)
    children = paginate(
        request, selectors.unit_children(request.user, unit), per_page=MANAGE_PAGE_SIZE
    )
    return render(
        request,
        "accounts/unit_detail.html",
        {
            "unit": unit,
            "parent": selectors.unit_parent(unit),
            "page_obj": children,
            "roles": selectors.unit_roles(unit),
            "answering": selectors.first_responsible_for(unit),
            "may_manage": can(request.user, Action.MANAGE, unit),
            "history": history_for(unit),
        },
    )


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = selectors.get_unit_for_user(request.user, pk, write=True)
    form = UnitForm(
        request.POST or None,
        initial={"sector": parent.sector_id, "level": parent.level, "domain": parent.domain},
        people=selectors.responsible_candidates(parent),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                unit = services.unit_create(
                    actor=request.user,
                    parent=parent,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    sector=data["sector"],
                    webhook_url=data["webhook_url"],
                    is_active=data["is_active"],
                )
                services.unit_set_responsibility(
                    actor=request.user,
                    unit=unit,
                    level=data["level"],
                    domain=data["domain"],
                    special=data["special"],
                    first_responsible=data["first_responsible"],
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The unit was created."))
            return redirect("accounts:unit-detail", pk=unit.pk)
    return render(
        request, "accounts/unit_form.html", {"form": form, "parent": parent, "unit": None}
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.get_unit_for_user(request.user, pk, write=True)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "sector": unit.sector_id,
        "is_active": unit.is_active,
        "level": unit.level,
        "domain": unit.domain,
        "special": unit.special,
        "first_responsible": unit.first_responsible_id,
    }
    form = UnitForm(
        request.POST or None,
        initial=initial,
        editing=True,
        webhook_url=unit.webhook_url,
        people=selectors.responsible_candidates(unit, current=unit.first_responsible_id),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.unit_update(
                    actor=request.user,
                    unit=unit,
                    name=data["name"],
                    kind=data["kind"],
                    sector=data["sector"],
                    webhook_url=data["webhook_url"],
                    is_active=data["is_active"],
                )
                services.unit_set_responsibility(
                    actor=request.user,
                    unit=unit,
                    level=data["level"],
                    domain=data["domain"],
                    special=data["special"],
                    first_responsible=data["first_responsible"],
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("accounts:unit-detail", pk=unit.pk)
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit})


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    units = selectors.units_for(request.user)
    filters = UserFilterForm(
        request.GET or None,
        units=units,
        shown_units=selectors.filter_units(request.user, selected=request.GET.get("unit")),
    )
    unit, role, term = None, "", ""
    if filters.is_valid():
        unit = filters.cleaned_data["unit"]
        role = filters.cleaned_data["role"]
        term = filters.cleaned_data["q"].strip()
    users = selectors.users_for(request.user, unit=unit, role=role)
    if term:
        users = users.filter(
            Q(username__icontains=term) | Q(full_name__icontains=term) | Q(phone__icontains=term)
        )
    return render(
        request,
        "accounts/user_list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, users, per_page=MANAGE_PAGE_SIZE),
            "may_create": selectors.manageable_units(request.user).exists(),
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_user_for_user(request.user, pk)
    manageable = selectors.manageable_units(request.user)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "roles": selectors.user_roles_for(request.user, person),
            "may_manage": permissions.may_manage_user(request.user, person),
            "role_form": (
                RoleForm(units=manageable)
                if manageable.exists() and manageable.count() <= INLINE_UNIT_CHOICES
                else None
            ),
            "may_add_role": manageable.exists(),
            "history": history_for(person),
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    units = selectors.manageable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit") else {}
    form = UserCreateForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, password = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                title=data["title"],
                email=data["email"],
                unit=data["unit"],
                role=data["role"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            response = render(
                request,
                "accounts/password_shown.html",
                {"person": person, "password": password, "created": True},
            )
            return _no_store(response)
    return render(request, "accounts/user_form.html", {"form": form, "person": None})


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_user_for_user(request.user, pk, write=True)
    initial = {
        "username": person.username,
        "full_name": person.full_name,
        "phone": person.phone,
        "title": person.title,
        "email": person.email,
        "is_active": person.is_active,
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The user was saved."))
            return redirect("accounts:user-detail", pk=person.pk)
    return render(request, "accounts/user_form.html", {"form": form, "person": person})


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_user_for_user(request.user, pk, write=True)
    password = services.user_reset_password(actor=request.user, user=person)
    response = render(
        request,
        "accounts/password_shown.html",
        {"person": person, "password": password, "created": False},
    )
    return _no_store(response)


@login_required
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_user_for_user(request.user, pk)
    units = selectors.manageable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = RoleForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(
                actor=request.user,
                user=person,
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The role was added."))
            return redirect("accounts:user-detail", pk=person.pk)
    return render(request, "accounts/role_form.html", {"form": form, "person": person})


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_role_for_user(request.user, pk)
    person_pk = assignment.user_id
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The role was removed."))
    if selectors.users_for(request.user).filter(pk=person_pk).exists():
        return redirect("accounts:user-detail", pk=person_pk)
    return redirect("accounts:user-list")


@login_required
def org_import(request: HttpRequest) -> HttpResponse:
    """The office loads units and users under its own units from a workbook: the file is
    stored and a background job reads it (the next page follows it)."""
    if not selectors.manageable_units(request.user).exists():
        raise PermissionDenied
    form = OrgImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_workbook_file(upload, name=upload.name, size=upload.size)
        except WorkbookRefused as exc:
            form.add_error("file", str(exc))
        else:
            job = start_org_import(
                upload=upload, user=request.user, dry_run=form.cleaned_data["dry_run"]
            )
            return redirect("accounts:org-import-job", pk=job.pk)
    return render(request, "accounts/org_import.html", {"form": form, "result": None})


@login_required
def org_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation import's progress and result (its requester's only)."""
    job = (
        BackgroundJob.objects.filter(pk=pk, kind=ORG_IMPORT_JOB_KIND, requested_by=request.user.pk)
        .select_related("unit")
        .first()
    )
    if job is None or not selectors.manageable_units(request.user).exists():
        raise Http404
    return render(
        request,
        "accounts/org_import.html",
        {"job": job, "result": job.result if job.state == JobState.DONE else None},
    )
