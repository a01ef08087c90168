"""django-import-export resources for the admin: units and users from an xlsx sheet.

The admin reads the first sheet of the workbook; its header is found like the command's
(Chinese or English names, any order, title rows above). Units must come parents first.
Every import runs with ``rollback_on_validation_errors=True`` (see ``admin.py``): one bad
row and nothing is written. Users created here get no usable password: the office gives
each one with "reset password" (or uses ``import_org``, which writes a password list).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .models import OrgUnit, Sector, User
from .org_import import (
    UNIT_COLUMNS,
    UNIT_REQUIRED,
    USER_COLUMNS,
    USER_REQUIRED,
    _find_header,
    _norm,
    parse_kind,
    parse_role,
)
from .services import role_grant, unit_create


def normalise_dataset(dataset: Any, columns: dict[str, tuple[str, ...]], required: Any) -> None:
    """Replace the dataset's header by canonical names; drop title rows above it."""
    rows = [tuple(dataset.headers or ()), *[tuple(r) for r in dataset]]
    found = _find_header(rows, columns, required)
    if found is None:
        raise ValidationError(
            _("No header row with the columns %(columns)s was found.")
            % {"columns": ", ".join(required)}
        )
    index, mapping = found
    width = max(len(r) for r in rows)
    headers = [f"ignored_{i}" for i in range(width)]
    for name, col in mapping.items():
        headers[col] = name
    body = [list(r) + [None] * (width - len(r)) for r in rows[index + 1 :]]
    body = [r for r in body if any(v not in (None, "") for v in r)]
    dataset.wipe()
    dataset.headers = headers
    for row in body:
        dataset.append(row)


class KindWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        kind = parse_kind(str(value or ""))
        if kind is None:
            raise ValueError(
                _(
                    "unknown kind “%(value)s”; use city, county, department, committee, "
                    "general_branch or branch"
                )
                % {"value": value}
            )
        return kind


class SectorWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Sector | None:
        key = _norm(value)
        if not key:
            return None
        for sector in Sector.objects.all():
            if key in (_norm(sector.code), _norm(sector.name)):
                return sector
        raise ValueError(_("unknown sector “%(value)s”") % {"value": value})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.name if value else ""


class OrgUnitResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    kind = fields.Field(attribute="kind", column_name="kind", widget=KindWidget())
    parent = fields.Field(attribute="import_parent_code", column_name="parent")
    sector = fields.Field(attribute="sector", column_name="sector", widget=SectorWidget())

    class Meta:
        model = OrgUnit
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "parent", "sector"]
        clean_model_instances = False

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        normalise_dataset(dataset, UNIT_COLUMNS, UNIT_REQUIRED)
        if "parent" not in dataset.headers:
            dataset.append_col([""] * dataset.height, header="parent")
        if "sector" not in dataset.headers:
            dataset.append_col([""] * dataset.height, header="sector")

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        code = str(row.get("code") or "").strip()
        parent_code = str(row.get("parent") or "").strip()
        if not code:
            errors["code"] = [_("the code is empty")]
        if not str(row.get("name") or "").strip():
            errors["name"] = [_("the name is empty")]
        if instance.pk is None:
            if parent_code and not OrgUnit.objects.filter(code=parent_code).exists():
                errors["parent"] = [
                    _("parent code “%(code)s” is neither in the sheet nor in the system")
                    % {"code": parent_code}
                ]
        else:
            current = OrgUnit.objects.filter(path=instance.path[: -OrgUnit.steplen]).first()
            current_code = current.code if current and instance.depth > 1 else ""
            if parent_code != current_code:
                errors["parent"] = [
                    _(
                        "unit “%(code)s” already exists under “%(parent)s”; the import does "
                        "not move units"
                    )
                    % {"code": code, "parent": current_code or "—"}
                ]
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        if not is_create:
            instance.save(update_fields=["name", "kind", "sector"])
            return
        parent_code = getattr(instance, "import_parent_code", "") or ""
        parent = OrgUnit.objects.filter(code=parent_code).first() if parent_code else None
        created = unit_create(
            code=instance.code,
            name=instance.name,
            kind=instance.kind,
            parent=parent,
            sector=instance.sector,
        )
        instance.__dict__.update(
            {k: v for k, v in created.__dict__.items() if not k.startswith("_")}
        )

    def dehydrate_parent(self, unit: OrgUnit) -> str:
        if unit.depth <= 1:
            return ""
        parent = OrgUnit.objects.filter(path=unit.path[: -OrgUnit.steplen]).first()
        return parent.code if parent else ""


class UserResource(resources.ModelResource):
    username = fields.Field(attribute="username", column_name="username")
    name = fields.Field(attribute="full_name", column_name="name")
    phone = fields.Field(attribute="phone", column_name="phone")
    title = fields.Field(attribute="title", column_name="title")
    email = fields.Field(attribute="email", column_name="email")
    unit = fields.Field(attribute="import_unit_code", column_name="unit")
    role = fields.Field(attribute="import_role", column_name="role")

    class Meta:
        model = User
        import_id_fields = ["username"]
        fields = ["username", "name", "phone", "title", "email", "unit", "role"]
        clean_model_instances = False

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        normalise_dataset(dataset, USER_COLUMNS, USER_REQUIRED)
        for column in ("phone", "title", "email"):
            if column not in dataset.headers:
                dataset.append_col([""] * dataset.height, header=column)

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for attr in ("username", "full_name", "phone", "title", "email"):
            value = getattr(instance, attr)
            setattr(instance, attr, "" if value is None else str(value).strip())
        if not instance.username:
            errors["username"] = [_("the username is empty")]
        if not instance.full_name:
            errors["name"] = [_("the name is empty")]
        unit_code = str(row.get("unit") or "").strip()
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None:
            errors["unit"] = [
                _("unit code “%(code)s” is neither in the units sheet nor in the system")
                % {"code": unit_code}
            ]
        role = parse_role(str(row.get("role") or ""))
        if role is None:
            errors["role"] = [
                _("unknown role “%(value)s”; use office, leader, secretary, member or viewer")
                % {"value": row.get("role")}
            ]
        if errors:
            raise ValidationError(errors)
        instance.import_unit = unit
        instance.import_role = role

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        if instance.pk is None:
            instance.must_change_password = True
            instance.set_unusable_password()

    def after_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        role_grant(user=instance, unit=instance.import_unit, role=instance.import_role)

    def dehydrate_unit(self, user: User) -> str:
        return ""

    def dehydrate_role(self, user: User) -> str:
        return ""
