"""Every user-visible string marked for translation has a Simplified Chinese translation."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
SKIP = {".venv", "tests", "migrations", "node_modules", ".pgdata", "var"}

PY_CALL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|ngettext|ngettext_lazy)\(\s*(?:\n\s*)?("(?:[^"\\]|\\.)*"(?:\s*\n?\s*"(?:[^"\\]|\\.)*")*)"""
)
TPL_TRANS = re.compile(r"""{%\s*(?:translate|trans)\s+"([^"]*)"(?:\s+as\s+\w+)?\s*%}""")
TPL_BLOCK = re.compile(
    r"""{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*(?:endblocktrans(?:late)?|plural)\s*%}""", re.S
)
TPL_VAR = re.compile(r"{{\s*(\w+)\s*}}")


def _files(pattern: str):
    for path in BASE.rglob(pattern):
        if not SKIP.intersection(path.relative_to(BASE).parts):
            yield path


def _python_msgids():
    for path in _files("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in PY_CALL.finditer(text):
            pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
            yield (
                path,
                "".join(pieces).encode().decode("unicode_escape").encode("latin-1").decode("utf-8"),
            )


def _template_msgids():
    for path in _files("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in TPL_TRANS.finditer(text):
            yield path, match.group(1)
        for match in TPL_BLOCK.finditer(text):
            if "trimmed" in match.group(1):
                body = " ".join(line.strip() for line in match.group(2).strip().splitlines())
            else:
                body = match.group(2)
            yield path, TPL_VAR.sub(r"%(\1)s", body)


def _catalogue() -> set[str]:
    known = set()
    for po_path in _files("django.po"):
        for entry in polib.pofile(str(po_path)):
            if (entry.msgstr or any(entry.msgstr_plural.values())) and "fuzzy" not in entry.flags:
                known.add(entry.msgid)
    return known


def test_every_marked_string_is_translated():
    known = _catalogue()
    missing = []
    with translation.override("zh-hans"):
        for path, msgid in [*_python_msgids(), *_template_msgids()]:
            if not msgid.strip() or msgid in known:
                continue
            if translation.gettext(msgid) != msgid:
                continue  # Django's own catalogue has it
            missing.append(f"{path.relative_to(BASE)}: {msgid!r}")
    assert not missing, "untranslated strings:\n" + "\n".join(sorted(set(missing)))
