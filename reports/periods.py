"""ISO weeks as the reports name them: "2026-W48", Monday to Sunday in Asia/Shanghai."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """Read "2026-W48"; ValueError on anything else or a week the year does not have."""
        match = WEEK_RE.match(text.strip())
        if not match:
            raise ValueError(text)
        week = cls(int(match.group(1)), int(match.group(2)))
        week.monday  # noqa: B018 - raises ValueError for week 53 of a 52-week year
        return week

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def current(cls) -> Week:
        return cls.of(timezone.localdate())

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def previous(self, weeks: int = 1) -> Week:
        return Week.of(self.monday - timedelta(weeks=weeks))

    def __str__(self) -> str:
        """The week as stored and sent in forms; people read :attr:`label`."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def label(self) -> str:
        """The week as people write it: 2026年第48周."""
        return _("week %(number)s of %(year)s") % {"year": self.year, "number": self.number}

    @property
    def short_label(self) -> str:
        """第48周, where the year is plain (a chart's axis)."""
        return _("week %(number)s") % {"number": self.number}
