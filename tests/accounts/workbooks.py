"""Workbooks built in the tests, the way a city office keeps them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

UNIT_HEADER = ["单位编码", "单位名称", "组织类型", "上级单位编码", "行业系统"]
USER_HEADER = ["用户名", "姓名", "手机号", "单位编码", "角色"]


def build_workbook(
    units: list[list[object]] | None = None,
    users: list[list[object]] | None = None,
    *,
    unit_header: list[str] = UNIT_HEADER,
    user_header: list[str] = USER_HEADER,
    title: str | None = "江州市主题教育组织架构",
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "单位"
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(unit_header)
    for row in units or []:
        sheet.append(row)
    if users is not None:
        people = workbook.create_sheet("人员")
        if title:
            people.append([title])
        people.append(user_header)
        for row in users:
            people.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, content: bytes, name: str = "org.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def zip_bomb(uncompressed_bytes: int) -> bytes:
    """A valid-looking xlsx whose sheet unpacks to ``uncompressed_bytes`` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * uncompressed_bytes)
    return buffer.getvalue()
