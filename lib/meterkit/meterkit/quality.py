# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Data-quality checks beyond one register's series (see
:func:`~meterkit.validate_series` for those): consumption limits, main meter
against the sum of its sub-meters, replacements without a closing reading."""

from decimal import Decimal

from . import codes
from .validation import ERROR, WARNING, Issue

__all__ = ["balance_issue", "limit_issues", "replacement_issue"]


def limit_issues(results, *, minimum=None, maximum=None):
    """Issues for consumptions (:class:`~meterkit.ConsumptionResult`) outside
    ``minimum``..``maximum`` (either may be None). The first reading of a series
    (consumption 0 with no previous value) is checked like the others."""
    issues = []
    for result in results:
        label = f"reading {result.key!r} at {result.read_at.isoformat()}"
        if maximum is not None and result.consumption > maximum:
            issues.append(
                Issue(
                    codes.ABOVE_LIMIT,
                    result.key,
                    f"{label}: consumption {result.consumption} is above the "
                    f"limit {maximum}",
                    WARNING,
                )
            )
        elif minimum is not None and result.consumption < minimum:
            issues.append(
                Issue(
                    codes.BELOW_LIMIT,
                    result.key,
                    f"{label}: consumption {result.consumption} is below the "
                    f"limit {minimum}",
                    WARNING,
                )
            )
    return issues


def balance_issue(main, subs, tolerance_percent, *, key=None, label="main meter"):
    """An issue when the consumption ``main`` of a main meter and the sum of
    ``subs`` (its sub-meters' consumptions over the same period) differ by more
    than ``tolerance_percent`` of ``main``; None otherwise.

    Sub-meters above their main meter are an error (physically impossible beyond
    the tolerance); below it, a warning (losses, unmetered use).
    """
    total = sum((Decimal(sub) for sub in subs), Decimal(0))
    main = Decimal(main)
    allowed = abs(main) * Decimal(tolerance_percent) / 100
    difference = total - main
    if abs(difference) <= allowed:
        return None
    share = (difference / main * 100).quantize(Decimal("0.1")) if main else None
    detail = f"{share}%" if share is not None else "no main consumption"
    return Issue(
        codes.BALANCE_MISMATCH,
        key,
        f"{label}: consumption {main}, sub-meters {total} ({detail}, "
        f"tolerance {tolerance_percent}%)",
        ERROR if difference > 0 else WARNING,
    )


def replacement_issue(has_closing, *, key=None, label="meter"):
    """An issue when a replaced meter has no closing reading."""
    if has_closing:
        return None
    return Issue(
        codes.REPLACEMENT_WITHOUT_CLOSING,
        key,
        f"{label}: replaced without a closing reading",
        ERROR,
    )
