# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schedules in cron fields and file-name templates of exchange jobs."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import codes
from ..errors import MeterkitError

__all__ = ["CronSchedule", "next_run_utc", "parse_cron", "render_filename"]

# name, lowest, highest
_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("weekday", 0, 7),
)
_MAX_DAYS = 366 * 5  # long enough to meet any possible date (29 February)


@dataclass(frozen=True)
class CronSchedule:
    """The instants a job is due, as sets of allowed values per field.

    ``weekday`` uses 0 (or 7) for Sunday. As in cron, when both ``day`` and
    ``weekday`` are restricted, a date matching either is due.
    """

    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset
    day_any: bool
    weekday_any: bool

    def matches_date(self, day):
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.day_any and self.weekday_any:
            return True
        if self.day_any:
            return in_weekdays
        if self.weekday_any:
            return in_days
        return in_days or in_weekdays

    def next_after(self, instant):
        """The first due instant (whole minute) strictly after ``instant``."""
        start = instant.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(_MAX_DAYS):
            if self.matches_date(day):
                found = self._first_time(day, start)
                if found is not None:
                    return found
            day += timedelta(days=1)
        raise MeterkitError(
            codes.INVALID_ARGUMENT, "the schedule never comes due", field="schedule"
        )

    def _first_time(self, day, start):
        for hour in sorted(self.hours):
            for minute in sorted(self.minutes):
                candidate = datetime(day.year, day.month, day.day, hour, minute)
                if candidate >= start:
                    return candidate
        return None


def next_run_utc(schedule, after, tz="UTC"):
    """The first due instant strictly after ``after`` (naive UTC), the
    schedule's fields being read on the wall clock of time zone ``tz``;
    returned as naive UTC.

    A wall-clock time skipped by a daylight-saving change runs at the same
    offset as before the change (02:30 becomes 03:30 in spring); one repeated
    in autumn runs once, at its first occurrence.

    :raise MeterkitError: ``INVALID_ARGUMENT`` for an unknown time zone.
    """
    try:
        zone = ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise MeterkitError(
            codes.INVALID_ARGUMENT, f"unknown time zone {tz!r}", field="tz"
        ) from error
    local = after.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    while True:
        local = schedule.next_after(local)
        utc = local.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)
        if utc > after:
            return utc


def parse_cron(minute="*", hour="*", day="*", month="*", weekday="*"):
    """Parse the five cron fields of a schedule.

    Each field is ``*``, a number, a range ``a-b``, a step ``*/n`` or ``a-b/n``,
    or a comma-separated list of those.

    :raise MeterkitError: ``INVALID_ARGUMENT`` naming the field and its text.
    """
    texts = (minute, hour, day, month, weekday)
    sets = [
        _parse_field(str(text), name, low, high)
        for text, (name, low, high) in zip(texts, _FIELDS, strict=True)
    ]
    weekdays = frozenset(value % 7 for value in sets[4])
    schedule = CronSchedule(
        minutes=sets[0],
        hours=sets[1],
        days=sets[2],
        months=sets[3],
        weekdays=weekdays,
        day_any=str(day).strip() == "*",
        weekday_any=str(weekday).strip() == "*",
    )
    if schedule.weekday_any and not any(
        _day_exists(d, m) for d in schedule.days for m in schedule.months
    ):
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"day {day!r} never occurs in month {month!r}",
            field="day",
        )
    return schedule


def _day_exists(day, month):
    return day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)


def _parse_field(text, name, low, high):
    text = text.strip()
    if not text:
        raise _bad_field(name, text, "empty")
    values = set()
    for part in text.split(","):
        values.update(_parse_part(part.strip(), name, low, high, text))
    return frozenset(values)


def _parse_part(part, name, low, high, text):
    match = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", part)
    if not match:
        raise _bad_field(name, text, f"{part!r} is not *, n, a-b or a step /n")
    span, step = match.group(1), int(match.group(2) or 1)
    if span == "*":
        first, last = low, high
    elif "-" in span:
        first, last = (int(v) for v in span.split("-"))
    else:
        first = last = int(span)
        if match.group(2):
            last = high
    if not (low <= first <= last <= high):
        raise _bad_field(name, text, f"values must be in {low}..{high}, ascending")
    if step < 1:
        raise _bad_field(name, text, "the step must be at least 1")
    return range(first, last + 1, step)


def _bad_field(name, text, detail):
    return MeterkitError(
        codes.INVALID_ARGUMENT, f"cron field {name} {text!r}: {detail}", field=name
    )


_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^{}]*))?\}")
_DEFAULT_FORMATS = {"date": "%Y%m%d", "datetime": "%Y%m%d-%H%M%S"}


def render_filename(template, *, entity, when, extension=None, entity_id=None):
    """A file name from a template such as ``readings_{entity}_{date}.xml``.

    Placeholders: ``{entity}`` (the exported site, building or company code),
    ``{entity_id}`` (its database id), ``{date}`` (``YYYYMMDD``),
    ``{datetime}`` (``YYYYMMDD-HHMMSS``); dates take a strftime format:
    ``{date:%Y-%m}``. ``extension`` is appended when the template gives none
    (no dot outside its placeholders: a dot in an entity is no extension).

    :raise MeterkitError: ``INVALID_ARGUMENT`` for an unknown placeholder, a
        stray brace, or a result that is empty or holds a path separator.
    """
    if not isinstance(when, date):
        raise TypeError("when must be a date or datetime")

    def replace(match):
        name, spec = match.group(1), match.group(2)
        if name in ("entity", "entity_id"):
            if spec:
                raise _bad_template(template, f"{{{name}}} takes no format")
            return _safe_part(str(entity if name == "entity" else entity_id))
        if name in _DEFAULT_FORMATS:
            return when.strftime(spec or _DEFAULT_FORMATS[name])
        raise _bad_template(template, f"unknown placeholder {{{name}}}")

    name = _PLACEHOLDER.sub(replace, template)
    literal = _PLACEHOLDER.sub("", template)
    if "{" in literal or "}" in literal:
        raise _bad_template(template, "unbalanced brace")
    name = name.strip()
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise _bad_template(template, f"{name!r} is not a file name")
    if extension and "." not in literal:
        name = f"{name}.{extension}"
    return name


def _safe_part(text):
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "_"


def _bad_template(template, detail):
    return MeterkitError(
        codes.INVALID_ARGUMENT,
        f"file name template {template!r}: {detail}",
        field="filename_template",
    )
