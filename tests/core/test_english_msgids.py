"""The English interface reads in English: no source string (msgid) carries Chinese words,
and every one of them has its Chinese translation.

A few strings name what the user writes in Chinese whichever language he reads: the column
headers, state words and date forms of an office's rectification ledger, which the ledger
import reads only in Chinese. They are listed here, each with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    [*ROOT.glob("locale/*/LC_MESSAGES/django.po"), *ROOT.glob("*/locale/*/LC_MESSAGES/django.po")]
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

LEDGER = "names what the office writes in its ledger, which the import reads in Chinese only"
ALLOWED: dict[str, str] = {
    "“%(value)s” is not a date (write 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日).": (
        LEDGER + ": the date as written in Chinese"
    ),
    "No header row was found. The ledger needs a row naming its columns, such as 序号, "
    "问题类别, 问题描述, 整改措施, 整改时限.": LEDGER + ": its column headers",
    "“%(value)s” is not a known state (未开始, 整改中, 已完成, 已销号 …).": (
        LEDGER + ": its state words"
    ),
    "Columns: 序号, 问题类别 (or 类别), 问题来源, 问题描述 (or 存在问题), 整改措施 (or 整改举措), "
    "责任领导, 责任单位, 责任人, 整改时限 (or 完成时限), 整改进展, 完成情况/状态, 备注.": (
        LEDGER + ": its column headers"
    ),
    "Rows with the same 序号 are the measures of one problem; merged cells are read as "
    "repeated.": LEDGER + ": its column header",
    "Deadlines: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, an Excel date, 立行立改 "
    "or 长期坚持.": LEDGER + ": the deadline words",
    "States: 未开始, 整改中, 已完成, 待销号, 已销号.": LEDGER + ": its state words",
    "A ledger carries no evidence: a problem marked 待销号 or 已销号 is imported in "
    "rectification with its measures done; upload the evidence and submit it for closing "
    "on its page.": LEDGER + ": its state words",
    "The rows of one problem carry the 编号 of different problems (%(codes)s).": (
        LEDGER + ": its column header"
    ),
}


def _entries():
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                yield path.relative_to(ROOT), entry


def test_the_catalogues_are_found():
    assert len(CATALOGUES) >= 8, CATALOGUES


def test_no_msgid_carries_chinese_words():
    mixed = [
        f"{path}: {entry.msgid!r}"
        for path, entry in _entries()
        if (CJK.search(entry.msgid) or CJK.search(entry.msgid_plural or ""))
        and entry.msgid not in ALLOWED
    ]
    assert not mixed, "English source strings with Chinese words:\n" + "\n".join(mixed)


def test_the_allow_list_holds_only_strings_still_in_use():
    msgids = {entry.msgid for _path, entry in _entries()}
    stale = [msgid for msgid in ALLOWED if msgid not in msgids]
    assert not stale, stale


@pytest.mark.parametrize("reason", ALLOWED.values())
def test_each_allowed_string_says_why(reason):
    assert len(reason) > 20


def test_every_msgid_has_a_translation():
    empty = []
    for path, entry in _entries():
        if not entry.msgid:
            continue  # the header
        if entry.msgid_plural:
            forms = entry.msgstr_plural.values()
            if not forms or not all(form.strip() for form in forms):
                empty.append(f"{path}: {entry.msgid!r}")
        elif not entry.msgstr.strip():
            empty.append(f"{path}: {entry.msgid!r}")
        elif "fuzzy" in entry.flags:
            empty.append(f"{path}: {entry.msgid!r} (fuzzy)")
    assert not empty, "Strings without a translation:\n" + "\n".join(empty)
