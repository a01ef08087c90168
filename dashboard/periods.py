"""The span a figure is counted over: a week, Monday to Sunday in Asia/Shanghai, seen from
its as-of day.

The dashboard looks at the running week from today; the weekly report looks at any week
from its Sunday (or from today while the week is running). Both hand a :class:`Period` to
the same figure functions, so the running week's report and today's dashboard agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class Period:
    """A week (``monday`` to ``sunday``) and the day its figures are taken on (``as_of``).

    - "this week" is Monday to the as-of day, "last week" the whole week before;
    - a state that history keeps (accepted, closed) counts when it was reached before the
      week's end (``end``): a past week is counted as it ended;
    - overdue is judged on the as-of day; the quarter and year are those of the as-of day.
    """

    monday: date
    as_of: date

    @classmethod
    def of_week(cls, monday: date, today: date | None = None) -> Period:
        """The week beginning on ``monday``, as of its Sunday or today if that is earlier."""
        today = today or timezone.localdate()
        return cls(monday=monday, as_of=min(monday + timedelta(days=6), today))

    @classmethod
    def on(cls, day: date) -> Period:
        """The week that ``day`` lies in, as of ``day`` (the dashboard's period)."""
        return cls(monday=day - timedelta(days=day.weekday()), as_of=day)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 Asia/Shanghai."""
        return _midnight(self.monday)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 Asia/Shanghai (exclusive)."""
        return _midnight(self.monday + timedelta(days=7))

    @property
    def last_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def last_sunday(self) -> date:
        return self.monday - timedelta(days=1)

    @property
    def last_start(self) -> datetime:
        return _midnight(self.last_monday)

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def quarter(self) -> int:
        return (self.as_of.month - 1) // 3 + 1

    @property
    def quarter_start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def quarter_end(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    def weeks_back(self, weeks: int) -> list[date]:
        """The Mondays of the last ``weeks`` weeks, oldest first, this week last."""
        return [self.monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
