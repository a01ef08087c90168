from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from core.robots import mask_robot_url, validate_robot_url

from .models import OrgUnit, Sector, UnitDomain, UnitKind, UnitLevel, UnitSpecial, User
from .roles import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
                "class": "form-control form-control-lg",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control form-control-lg"}
        ),
    )


class StyledForm(forms.Form):
    """Gives every widget its Bootstrap class, so fields fit a phone screen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class UnitSearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=64)


class UnitForm(StyledForm):
    """Fields of a unit the office may edit; the code is given at creation only."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Stable identifier used in imports and on the command line."),
    )
    name = forms.CharField(label=_("Name"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.order_by("name"), required=False
    )
    webhook_url = forms.URLField(
        label=_("Group-robot webhook"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "WeCom or DingTalk group robot address for reminders (https://qyapi.weixin.qq.com/… "
            "or https://oapi.dingtalk.com/…). Its key is never shown again: leave the masked "
            "address as it is to keep it."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    # 分类指导 and 第一责任人
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", "—"), *UnitLevel.choices], required=False
    )
    domain = forms.ChoiceField(
        label=_("Field"), choices=[("", "—"), *UnitDomain.choices], required=False
    )
    special = forms.ChoiceField(
        label=_("Special kind"), choices=[("", "—"), *UnitSpecial.choices], required=False
    )
    first_responsible = forms.ModelChoiceField(
        label=_("First responsible person"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "The principal responsible comrade of this party organisation; the units below "
            "without their own answer to him."
        ),
    )

    def __init__(
        self,
        *args: Any,
        editing: bool = False,
        webhook_url: str = "",
        people: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["first_responsible"].queryset = people  # type: ignore[attr-defined]
        # The stored address is shown masked; posting the mask back keeps it unchanged.
        self._webhook_url = webhook_url
        if webhook_url:
            self.initial["webhook_url"] = mask_robot_url(webhook_url)
        if editing:
            del self.fields["code"]

    def clean_webhook_url(self) -> str:
        url = (self.cleaned_data.get("webhook_url") or "").strip()
        if self._webhook_url and url == mask_robot_url(self._webhook_url):
            return self._webhook_url
        validate_robot_url(url)
        return url

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if OrgUnit.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A unit with this code already exists."))
        return code


class UserFilterForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=64)

    def __init__(self, *args: Any, units: Any, shown_units: Any, **kwargs: Any) -> None:
        """``units`` are accepted (any unit in scope, e.g. from a unit page's link);
        ``shown_units`` are listed, so a city's thousands of branches do not fill the page."""
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        choices = [("", _("All units"))]
        choices += [(u.pk, u.name) for u in shown_units]
        unit_field.widget.choices = choices


class UserForm(StyledForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=64)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class UserCreateForm(UserForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["is_active"]
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class RoleForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class OrgImportForm(StyledForm):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "A units sheet (code, name, kind, parent code, sector) and a users sheet "
            "(username, name, phone, unit code, role)."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)
