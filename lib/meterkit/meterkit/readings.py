# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading values and the consumption between readings.

Rules implemented (RULES.md §5.3-5.5):

- rollover: a register wraps at its rollover value M; when the user recorded the wrap,
  the consumption is ``M - previous + current``. A wrap is never assumed silently,
  and it is accepted only when that consumption is physically possible: at most
  the meter's maximum rate x the time elapsed since the previous reading
  (:func:`max_consumption`).
- replacement: ``(old closing - old previous) x old multiplier + (new current - new
  opening) x new multiplier``; a replacement meter's opening reading has no consumption.
- interpolation: linear in time, or weighted by degree-days.

Quantities are :class:`~decimal.Decimal` (``int`` is accepted as input). Additions,
subtractions and multiplications are exact up to 100 significant digits; the only
division (interpolation) is carried to 34 significant digits and left unrounded for
the caller to round.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from itertools import pairwise

from . import codes
from ._common import check_decimals_argument, point_label
from .errors import MeterkitError, ReadingError

__all__ = [
    "ConsumptionResult",
    "ReadingPoint",
    "chain_consumption",
    "check_decimals",
    "consumption",
    "consumption_series",
    "decimal_places",
    "interpolate",
    "interpolate_weighted",
    "max_consumption",
    "parse_value",
    "register_index",
    "register_name",
    "replacement_consumption",
    "REGISTER_NAMES",
]

#: The one naming of a meter's registers (the rates of a multi-rate meter):
#: ``T1`` .. ``T8``. Everything that names, parses or checks a register (the
#: models' selections, the SQL of the bulk loaders, exchange files, drivers)
#: takes it from here.
REGISTER_NAMES = tuple(f"T{n}" for n in range(1, 9))
_REGISTER_INDEX = {name: index for index, name in enumerate(REGISTER_NAMES, 1)}


def register_name(index):
    """``"T3"`` for 3; ValueError outside 1..8."""
    if type(index) is not int or not 1 <= index <= len(REGISTER_NAMES):
        raise ValueError(f"no register {index!r}: registers are 1 to 8")
    return REGISTER_NAMES[index - 1]


def register_index(register):
    """3 for "T3"; None for anything that is not T1..T8."""
    return _REGISTER_INDEX.get(register) if isinstance(register, str) else None


_TRAPS = [InvalidOperation, DivisionByZero, Overflow]
_EXACT = Context(prec=100, traps=_TRAPS)
_QUOTIENT = Context(prec=34, traps=_TRAPS)
# "12", "+12", "-12", "12.5", "12,5", "12.", ".5"
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
# Thousands grouped with a space, no-break space, narrow no-break space or an
# apostrophe (Swiss style): "1 234,5", "1'234.5". The decimal part is optional.
_GROUPED = re.compile(
    r"[+-]?[0-9]{1,3}(?:[ \u00a0\u202f'\u2019][0-9]{3})+(?:[.,][0-9]+)?"
)
_GROUP_SEPARATORS = str.maketrans("", "", " \u00a0\u202f'\u2019")
_MAX_SHOWN = 40


@dataclass(frozen=True)
class ReadingPoint:
    """One reading of a register, as given to the series functions.

    :ivar read_at: instant of the reading; all points of a series are either naive
        (by convention UTC) or aware.
    :ivar value: counter value shown by the register.
    :ivar rolled_over: the user recorded that the counter wrapped before this reading.
    :ivar opening: first reading of a meter (e.g. a replacement's opening reading):
        its consumption is 0 and it does not look at any previous value.
    :ivar key: the caller's identifier (e.g. a record id), passed through untouched.
    """

    read_at: datetime
    value: Decimal
    rolled_over: bool = False
    opening: bool = False
    key: object = None


@dataclass(frozen=True)
class ConsumptionResult:
    """Consumption of one reading since the previous reading of its series."""

    key: object
    read_at: datetime
    value: Decimal
    consumption: Decimal


# ------------------------------------------------------------
# PARSING
# ------------------------------------------------------------


def parse_value(raw, *, field="value", row=None, decimals=None):
    """Turn a user- or file-supplied value into a non-negative :class:`Decimal`.

    Accepts ``int``, ``Decimal``, ``float`` (converted through ``str()``, so ``0.1``
    gives ``Decimal("0.1")``) and ``str``. Text is stripped; a comma is accepted as
    the decimal separator (``"12,5"``) and thousands may be grouped with spaces or
    apostrophes (``"1 234,5"``, ``"1'234.5"``). Exponents, ``NaN``, ``Infinity``,
    booleans and empty text are refused.

    :param field: field or column name, used in messages.
    :param row: 1-based row number, used in messages.
    :param decimals: maximum number of significant decimal places (trailing zeros
        do not count); ``0`` means a whole number is required.
    :return: the value; ``-0`` is returned as ``0``.
    :raise ReadingError: ``NOT_NUMERIC``, ``NEGATIVE_VALUE``, ``TOO_MANY_DECIMALS``
        or ``NOT_INTEGER``, naming the field and row.
    :raise MeterkitError: ``INVALID_ARGUMENT`` if ``decimals`` is not an int >= 0.
    """
    value = _to_decimal(raw)
    if value is None:
        raise ReadingError(
            codes.NOT_NUMERIC,
            f"{_where(field, row)}: {_show(raw)} is not a number",
            field=field,
            row=row,
        )
    if value < 0:
        raise ReadingError(
            codes.NEGATIVE_VALUE,
            f"{_where(field, row)}: {_show(raw)} is negative",
            field=field,
            row=row,
        )
    if decimals is not None:
        check_decimals(value, decimals, field=field, row=row)
    return value.copy_abs()


def decimal_places(value):
    """Return the number of significant decimal places of a finite Decimal.

    Trailing zeros do not count: ``12.50`` has 1 place, ``12.0`` and ``1200`` have 0.
    """
    exponent = value.normalize(_EXACT).as_tuple().exponent
    return max(0, -exponent)


def check_decimals(value, decimals, *, field="value", row=None):
    """Raise unless ``value`` has at most ``decimals`` significant decimal places.

    :raise ReadingError: ``NOT_INTEGER`` when ``decimals`` is 0, else
        ``TOO_MANY_DECIMALS``.
    :raise MeterkitError: ``INVALID_ARGUMENT`` if ``decimals`` is not an int >= 0.
    """
    check_decimals_argument(decimals)
    if decimal_places(value) <= decimals:
        return
    if decimals == 0:
        code, detail = codes.NOT_INTEGER, "must be a whole number"
    else:
        code, detail = codes.TOO_MANY_DECIMALS, f"allows at most {decimals} decimal(s)"
    raise ReadingError(
        code, f"{_where(field, row)}: {value} {detail}", field=field, row=row
    )


def _to_decimal(raw):
    """Return a finite Decimal for ``raw``, or None when it is not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        value = Decimal(str(raw))
    elif isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, str):
        value = _text_to_decimal(raw)
    else:
        return None
    if value is None or not value.is_finite():
        return None
    return value


def _text_to_decimal(raw):
    text = raw.strip()
    if _PLAIN.fullmatch(text) or _GROUPED.fullmatch(text):
        return Decimal(text.translate(_GROUP_SEPARATORS).replace(",", "."))
    return None


def _where(field, row):
    return field if row is None else f"{field} on row {row}"


def _show(raw):
    shown = repr(raw)
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 3] + "..."
    return shown


# ------------------------------------------------------------
# CONSUMPTION
# ------------------------------------------------------------


def consumption(
    previous,
    current,
    *,
    multiplier=Decimal(1),
    rollover_value=None,
    rolled_over=False,
    opening=False,
    most=None,
):
    """Consumption of ``current`` since ``previous``, times ``multiplier``.

    - ``opening`` or no ``previous``: ``Decimal(0)``.
    - ``rolled_over``: ``(rollover_value - previous + current) x multiplier``; needs
      a ``rollover_value``, ``current < previous`` and, when ``most`` (the most
      the meter can count since ``previous``, see :func:`max_consumption`) is
      given, a consumption not above it (``ROLLOVER_IMPLAUSIBLE``, naming the
      implied consumption).
    - otherwise ``(current - previous) x multiplier``, with ``current >= previous``.

    Values are Decimal or int; floats are refused with :class:`TypeError`.

    :raise ReadingError: ``NEGATIVE_CONSUMPTION`` (message gives both values),
        ``ROLLOVER_IMPLAUSIBLE``, ``ABOVE_ROLLOVER`` (a value at or above
        ``rollover_value``), ``NEGATIVE_VALUE`` or ``NOT_NUMERIC``.
    :raise MeterkitError: ``INVALID_ARGUMENT`` if ``multiplier`` or
        ``rollover_value`` is not positive.
    """
    multiplier = _positive(multiplier, "multiplier")
    if rollover_value is not None:
        rollover_value = _positive(rollover_value, "rollover_value")
    current = _reading(current, "current", rollover_value)
    if opening or previous is None:
        return Decimal(0)
    previous = _reading(previous, "previous", rollover_value)
    if rolled_over:
        delta = _wrapped_delta(previous, current, rollover_value)
        implied = _EXACT.multiply(delta, multiplier)
        if most is not None and implied > most:
            raise ReadingError(
                codes.ROLLOVER_IMPLAUSIBLE,
                f"a rollover from {previous} to {current} implies a consumption "
                f"of {implied}, more than the {most} the meter can count in the "
                "time since the previous reading: a reset, replacement or error",
                field="value",
            )
        return implied
    if current < previous:
        raise ReadingError(
            codes.NEGATIVE_CONSUMPTION,
            f"reading {current} is lower than the previous reading {previous} "
            "and no rollover or meter replacement was recorded",
            field="value",
        )
    else:
        delta = _EXACT.subtract(current, previous)
    return _EXACT.multiply(delta, multiplier)


def chain_consumption(previous, values, *, multiplier=Decimal(1)):
    """Consumption of each value of one register, in time order, for bulk paths.

    ``previous`` is the last stored value before the first of ``values`` (None
    when the chain starts here: the first consumption is then 0). No rollover
    is assumed: a value going down is an error. Gives the same results as
    :func:`consumption` called pair by pair, at a fraction of its cost.

    :raise ReadingError: ``NEGATIVE_CONSUMPTION`` with ``row`` set to the index
        of the offending value in ``values``.
    """
    multiplier = _positive(multiplier, "multiplier")
    result = []
    for index, value in enumerate(values):
        if previous is None:
            result.append(Decimal(0))
        elif value < previous:
            raise ReadingError(
                codes.NEGATIVE_CONSUMPTION,
                f"reading {value} is lower than the previous reading {previous} "
                "and no rollover or meter replacement was recorded",
                field="value",
                row=index,
            )
        else:
            result.append(_EXACT.multiply(_EXACT.subtract(value, previous), multiplier))
        previous = value
    return result


def max_consumption(max_rate, since, until):
    """The most a meter counting at most ``max_rate`` per hour can count from
    ``since`` to ``until`` (datetimes): ``max_rate x hours``, unrounded; None
    without a ``max_rate`` (no limit)."""
    if max_rate is None:
        return None
    max_rate = _positive(max_rate, "max_rate")
    hours = _QUOTIENT.divide(
        Decimal(_microseconds(until - since)), Decimal(3_600_000_000)
    )
    return _EXACT.multiply(max_rate, max(hours, Decimal(0)))


def consumption_series(
    points, *, multiplier=Decimal(1), rollover_value=None, max_rate=None
):
    """Consumption of every point of one register since the point before it.

    Points are sorted by ``read_at`` (stable); the first point's consumption is 0.
    Each point's ``rolled_over`` and ``opening`` flags apply as in
    :func:`consumption`; a rollover is plausible up to ``max_rate`` (per hour,
    None: no limit) x the time since the point before it.

    :return: one :class:`ConsumptionResult` per point, in chronological order.
    :raise ReadingError: ``DUPLICATE_INSTANT`` for two points at the same instant, or
        any error of :func:`consumption`, its message prefixed with the point's key
        and instant.
    """
    results = []
    previous = None
    for point in _chronological(points):
        most = None
        if previous is not None and point.rolled_over:
            most = max_consumption(max_rate, previous.read_at, point.read_at)
        amount = _point_consumption(previous, point, multiplier, rollover_value, most)
        results.append(ConsumptionResult(point.key, point.read_at, point.value, amount))
        previous = point
    return results


def replacement_consumption(
    old_previous,
    old_closing,
    new_opening,
    new_current,
    *,
    old_multiplier=Decimal(1),
    new_multiplier=Decimal(1),
):
    """Consumption over a period in which a meter was replaced (RULES.md §5.4).

    ``(old_closing - old_previous) x old_multiplier
    + (new_current - new_opening) x new_multiplier``.

    :raise ReadingError: ``NEGATIVE_CONSUMPTION`` if either meter's part is negative
        (the message says which meter), or any error of :func:`consumption`.
    """
    old_part = _part("old meter", old_previous, old_closing, old_multiplier)
    new_part = _part("new meter", new_opening, new_current, new_multiplier)
    return _EXACT.add(old_part, new_part)


def _part(label, start, end, multiplier):
    try:
        return consumption(start, end, multiplier=multiplier)
    except ReadingError as error:
        raise ReadingError(
            error.code, f"{label}: {error}", field=error.field, row=error.row
        ) from error


def _point_consumption(previous, point, multiplier, rollover_value, most=None):
    try:
        return consumption(
            None if previous is None else previous.value,
            point.value,
            multiplier=multiplier,
            rollover_value=rollover_value,
            rolled_over=point.rolled_over,
            opening=point.opening,
            most=most,
        )
    except ReadingError as error:
        raise ReadingError(
            error.code,
            f"{point_label(point)}: {error}",
            field=error.field,
            row=error.row,
        ) from error


def _chronological(points):
    """Sort points by instant (stable); raise DUPLICATE_INSTANT on a tie."""
    ordered = sorted(points, key=lambda point: point.read_at)
    for earlier, later in pairwise(ordered):
        if earlier.read_at == later.read_at:
            raise ReadingError(
                codes.DUPLICATE_INSTANT,
                f"{point_label(earlier)} and {point_label(later)} "
                "are at the same instant",
                field="read_at",
            )
    return ordered


def _wrapped_delta(previous, current, rollover_value):
    if rollover_value is None:
        raise ReadingError(
            codes.ROLLOVER_IMPLAUSIBLE,
            "a rollover was recorded but the meter has no rollover value",
            field="value",
        )
    if current >= previous:
        raise ReadingError(
            codes.ROLLOVER_IMPLAUSIBLE,
            f"a rollover was recorded but reading {current} is not lower than "
            f"the previous reading {previous}",
            field="value",
        )
    return _EXACT.add(_EXACT.subtract(rollover_value, previous), current)


def _reading(value, name, rollover_value):
    """Check one counter value: a finite Decimal >= 0 and below the rollover."""
    value = _decimal_argument(value, name)
    if value < 0:
        raise ReadingError(
            codes.NEGATIVE_VALUE, f"{name} reading {value} is negative", field="value"
        )
    if rollover_value is not None and value >= rollover_value:
        raise ReadingError(
            codes.ABOVE_ROLLOVER,
            f"{name} reading {value} is not below the rollover value {rollover_value}",
            field="value",
        )
    return value


def _positive(value, name):
    value = _decimal_argument(value, name)
    if value <= 0:
        raise MeterkitError(
            codes.INVALID_ARGUMENT, f"{name} must be positive, not {value}", field=name
        )
    return value


def _decimal_argument(value, name):
    """Return ``value`` as a finite Decimal; ints are accepted, floats are not."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{name} must be a Decimal or an int, not {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if not value.is_finite():
        raise ReadingError(
            codes.NOT_NUMERIC, f"{name} {value} is not a number", field=name
        )
    return value


# ------------------------------------------------------------
# INTERPOLATION
# ------------------------------------------------------------


def interpolate(before, after, at, *, rollover_value=None):
    """Counter value at instant ``at``, linear in time between two readings.

    ``R(at) = R1 + (R2 - R1) x (at - t1) / (t2 - t1)`` (RULES.md §5.5), with time
    counted in microseconds. When ``after.rolled_over`` and ``rollover_value`` is
    given, the line runs across the wrap and the result is taken modulo
    ``rollover_value``. The result is not rounded.

    :return: ``before.value`` at ``t1`` and ``after.value`` at ``t2``.
    :raise ReadingError: ``OUT_OF_ORDER`` if ``at`` is outside ``[t1, t2]`` or
        ``t1 > t2``; ``DUPLICATE_INSTANT`` if ``t1 == t2`` and ``at`` differs; any
        error of :func:`consumption` for the pair.
    :raise MeterkitError: ``INVALID_ARGUMENT`` if ``after`` opens a new meter.
    """
    if before.read_at == after.read_at and at == before.read_at:
        return before.value
    delta = _span(before, after, rollover_value)
    if not before.read_at <= at <= after.read_at:
        raise ReadingError(
            codes.OUT_OF_ORDER,
            f"{at.isoformat()} is outside {before.read_at.isoformat()} .. "
            f"{after.read_at.isoformat()}",
            field="read_at",
        )
    if at == before.read_at:
        return before.value
    if at == after.read_at:
        return after.value
    done = _microseconds(at - before.read_at)
    total = _microseconds(after.read_at - before.read_at)
    modulus = rollover_value if after.rolled_over else None
    return _advance(before.value, delta, Decimal(done), Decimal(total), modulus)


def interpolate_weighted(
    before, after, weight_done, weight_total, *, rollover_value=None
):
    """Counter value after a share of the weight between two readings.

    ``R1 + (R2 - R1) x weight_done / weight_total``, e.g. with degree-days for heat
    (RULES.md §5.5). Rollover is handled as in :func:`interpolate`. Not rounded.

    :raise MeterkitError: ``INVALID_ARGUMENT`` unless
        ``0 <= weight_done <= weight_total`` and ``weight_total > 0``.
    :raise ReadingError: as :func:`interpolate` for the pair of readings.
    """
    done = _decimal_argument(weight_done, "weight_done")
    total = _decimal_argument(weight_total, "weight_total")
    if not (total > 0 and 0 <= done <= total):
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"weights must satisfy 0 <= done <= total and total > 0, "
            f"got done={done}, total={total}",
            field="weight_done",
        )
    delta = _span(before, after, rollover_value)
    modulus = rollover_value if after.rolled_over else None
    return _advance(before.value, delta, done, total, modulus)


def _span(before, after, rollover_value):
    """Check the pair of readings and return the counter advance between them."""
    if before.read_at == after.read_at:
        raise ReadingError(
            codes.DUPLICATE_INSTANT,
            f"{point_label(before)} and {point_label(after)} are at the same instant",
            field="read_at",
        )
    if before.read_at > after.read_at:
        raise ReadingError(
            codes.OUT_OF_ORDER,
            f"{point_label(before)} is after {point_label(after)}",
            field="read_at",
        )
    if after.opening:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"{point_label(after)} opens a new meter: "
            "interpolate on each meter separately",
        )
    return consumption(
        before.value,
        after.value,
        rollover_value=rollover_value,
        rolled_over=after.rolled_over,
    )


def _advance(start, delta, done, total, modulus):
    step = _QUOTIENT.divide(_EXACT.multiply(delta, done), total)
    value = _EXACT.add(start, step)
    if modulus is not None and value >= modulus:
        value = _EXACT.subtract(value, modulus)
    return value


def _microseconds(span):
    return span // timedelta(microseconds=1)
