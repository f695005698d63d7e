# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Validation of a series of readings: report every problem, raise for none."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from . import codes
from ._common import check_decimals_argument, point_label
from .errors import MeterkitError
from .readings import decimal_places

__all__ = ["ERROR", "WARNING", "Issue", "validate_series"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem found on one reading.

    :ivar code: stable code from :mod:`meterkit.codes`.
    :ivar key: the reading's ``key``, passed through.
    :ivar message: human-readable message naming the reading and its instant.
    :ivar severity: ``"error"`` (the reading must not be accepted as is) or
        ``"warning"`` (plausible, but worth a look).
    """

    code: str
    key: object
    message: str
    severity: str


@dataclass(frozen=True)
class _Rules:
    commissioning: datetime | None
    rollover_value: Decimal | None
    max_gap: timedelta | None
    decimals: int | None
    archived_after: datetime | None
    require_previous: bool = False


def validate_series(
    points,
    *,
    commissioning=None,
    rollover_value=None,
    max_gap_days=None,
    decimals=None,
    archived_after=None,
    require_previous=False,
):
    """Check a series of readings of one register: the validation catalogue
    behind the meter_base addon.

    Points are taken in chronological order (stable sort on ``read_at``); each one
    is compared with the previous point that has a numeric value. Bad data never
    raises: every problem becomes an :class:`Issue`, in chronological order.

    Errors: ``NOT_NUMERIC`` (value is not a finite Decimal or int),
    ``BEFORE_COMMISSIONING`` (``read_at < commissioning``), ``ARCHIVED_METER``
    (``read_at > archived_after``), ``NEGATIVE_VALUE``, ``TOO_MANY_DECIMALS`` /
    ``NOT_INTEGER`` (more decimal places than ``decimals``), ``ABOVE_ROLLOVER``
    (value >= ``rollover_value``), ``DUPLICATE_INSTANT`` (same instant as the
    previous point), ``NEGATIVE_CONSUMPTION`` (lower than the previous value without
    ``rolled_over``), ``ROLLOVER_IMPLAUSIBLE`` (``rolled_over`` without a
    ``rollover_value``, or a value that did not go down).
    Warnings: ``EQUAL_READINGS`` (same value as the previous point), ``GAP_TOO_LONG``
    (more than ``max_gap_days`` after the previous point), ``MISSING_PREVIOUS``
    (with ``require_previous``: the first point is not an opening reading, so
    its consumption cannot be computed).

    The first point and ``opening`` points are not compared with a previous value
    (only the gap is checked), as :func:`~meterkit.consumption_series` ignores
    their flags. A series of numeric points without error issues therefore always
    has a consumption series, and vice versa.

    :raise MeterkitError: ``INVALID_ARGUMENT`` for bad arguments (not bad data):
        ``rollover_value <= 0``, ``max_gap_days < 0``, ``decimals`` not an int >= 0.
    """
    rules = _rules(
        commissioning, rollover_value, max_gap_days, decimals, archived_after
    )
    if require_previous:
        rules = replace(rules, require_previous=True)
    issues = []
    previous = None
    for point in sorted(points, key=lambda point: point.read_at):
        if not _is_number(point.value):
            issues.append(_issue(codes.NOT_NUMERIC, point, "value is not a number"))
            continue
        issues += _point_issues(point, rules)
        if previous is not None:
            issues += _pair_issues(previous, point, rules)
        elif rules.require_previous and not point.opening:
            issues.append(
                _issue(
                    codes.MISSING_PREVIOUS,
                    point,
                    "no previous reading to compute the consumption from",
                    WARNING,
                )
            )
        previous = point
    return issues


def _rules(commissioning, rollover_value, max_gap_days, decimals, archived_after):
    if rollover_value is not None and not (
        _is_number(rollover_value) and rollover_value > 0
    ):
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"rollover_value must be positive, not {rollover_value!r}",
            field="rollover_value",
        )
    max_gap = None
    if max_gap_days is not None:
        if (
            isinstance(max_gap_days, bool)
            or not isinstance(max_gap_days, int)
            or max_gap_days < 0
        ):
            raise MeterkitError(
                codes.INVALID_ARGUMENT,
                f"max_gap_days must be an integer >= 0, not {max_gap_days!r}",
                field="max_gap_days",
            )
        max_gap = timedelta(days=max_gap_days)
    if decimals is not None:
        check_decimals_argument(decimals)
    return _Rules(commissioning, rollover_value, max_gap, decimals, archived_after)


def _is_number(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int)


def _issue(code, point, detail, severity=ERROR):
    return Issue(code, point.key, f"{point_label(point)}: {detail}", severity)


def _point_issues(point, rules):
    """Problems of one reading on its own."""
    checks = (
        _check_commissioning,
        _check_archived,
        _check_negative,
        _check_decimals,
        _check_above_rollover,
    )
    return [issue for check in checks if (issue := check(point, rules))]


def _check_commissioning(point, rules):
    if rules.commissioning is not None and point.read_at < rules.commissioning:
        return _issue(
            codes.BEFORE_COMMISSIONING,
            point,
            f"taken before commissioning on {rules.commissioning.isoformat()}",
        )
    return None


def _check_archived(point, rules):
    if rules.archived_after is not None and point.read_at > rules.archived_after:
        return _issue(
            codes.ARCHIVED_METER,
            point,
            f"taken after the meter was archived on {rules.archived_after.isoformat()}",
        )
    return None


def _check_negative(point, rules):
    if point.value < 0:
        return _issue(codes.NEGATIVE_VALUE, point, f"value {point.value} is negative")
    return None


def _check_decimals(point, rules):
    if rules.decimals is None or decimal_places(Decimal(point.value)) <= rules.decimals:
        return None
    if rules.decimals == 0:
        return _issue(
            codes.NOT_INTEGER, point, f"value {point.value} must be a whole number"
        )
    return _issue(
        codes.TOO_MANY_DECIMALS,
        point,
        f"value {point.value} has more than {rules.decimals} decimal(s)",
    )


def _check_above_rollover(point, rules):
    if rules.rollover_value is not None and point.value >= rules.rollover_value:
        return _issue(
            codes.ABOVE_ROLLOVER,
            point,
            f"value {point.value} is not below the rollover value "
            f"{rules.rollover_value}",
        )
    return None


def _pair_issues(previous, point, rules):
    """Problems of a reading compared with the previous one."""
    if point.read_at == previous.read_at:
        return [
            _issue(
                codes.DUPLICATE_INSTANT,
                point,
                f"same instant as {point_label(previous)}",
            )
        ]
    issues = []
    if rules.max_gap is not None and point.read_at - previous.read_at > rules.max_gap:
        issues.append(
            _issue(
                codes.GAP_TOO_LONG,
                point,
                f"{(point.read_at - previous.read_at).days} day(s) after the previous "
                f"reading (at most {rules.max_gap.days} allowed)",
                WARNING,
            )
        )
    if not point.opening:
        issue = _compare_values(previous, point, rules)
        if issue:
            issues.append(issue)
    return issues


def _compare_values(previous, point, rules):
    if point.rolled_over:
        if rules.rollover_value is None:
            return _issue(
                codes.ROLLOVER_IMPLAUSIBLE,
                point,
                "a rollover was recorded but the meter has no rollover value",
            )
        if point.value >= previous.value:
            return _issue(
                codes.ROLLOVER_IMPLAUSIBLE,
                point,
                f"a rollover was recorded but value {point.value} is not lower "
                f"than the previous value {previous.value}",
            )
        return None
    if point.value < previous.value:
        return _issue(
            codes.NEGATIVE_CONSUMPTION,
            point,
            f"value {point.value} is lower than the previous value "
            f"{previous.value} and no rollover or replacement was recorded",
        )
    if point.value == previous.value:
        return _issue(
            codes.EQUAL_READINGS,
            point,
            f"value {point.value} equals the previous value",
            WARNING,
        )
    return None
