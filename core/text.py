"""Text that leaves the site (a spreadsheet, a PDF, a robot message, an email) made safe.

Any field a person typed can hold control characters (text pasted from Word, a scanner's
output): XML refuses them (openpyxl raises ``IllegalCharacterError``, lxml and WeasyPrint
stumble), and robots and mail clients show them as garbage. Each writer calls
``printable`` on what it writes, at the one place it writes it, so no field is forgotten.
"""

from __future__ import annotations

import re
from typing import Any

# What XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return,
# lone surrogates, U+FFFE and U+FFFF (openpyxl's ILLEGAL_CHARACTERS_RE and a bit more).
UNPRINTABLE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def printable(text: str) -> str:
    """``text`` without the characters no document format can hold."""
    if UNPRINTABLE.search(text) is None:
        return text
    return UNPRINTABLE.sub("", text)


def printable_data(value: Any) -> Any:
    """The same for every string in a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_data(v) for v in value]
    return value
