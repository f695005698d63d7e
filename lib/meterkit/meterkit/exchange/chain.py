# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which new readings of one register chain can be stored when bad ones are
skipped instead of failing the whole batch."""

from decimal import Decimal

from .. import codes
from ..readings import chain_consumption

__all__ = ["settle_chain"]

_NEW, _STORED = 0, 1


def settle_chain(previous, values, later=(), *, multiplier=Decimal(1)):
    """Keep the new values of one register that make a non-decreasing chain.

    :param previous: last stored value before the first new one (None: the
        chain starts here).
    :param values: new ``(instant, value)`` pairs, instants distinct and not
        stored yet (any order).
    :param later: stored ``(instant, value)`` pairs at or after the first new
        instant; they are never dropped.
    :param multiplier: the meter's multiplier.
    :return: ``(kept, rejected)``: ``kept`` lists ``(position, consumption)``
        in time order (position in ``values``; consumption since the previous
        kept or stored value); ``rejected`` lists ``(position, code)`` sorted by
        position, code ``negative_consumption``.

    A new value lower than the value before it is dropped (the earlier data
    wins). A stored value lower than new values just before it drops those new
    values, so no stored reading ends with a negative consumption.
    """
    merged = _merged(values, later)
    rejected = []
    pending = []  # new values kept since the last stored one: (position, value)
    last = previous
    for _at, kind, value, position in merged:
        if kind == _STORED:
            while pending and pending[-1][1] > value:
                rejected.append((pending.pop()[0], codes.NEGATIVE_CONSUMPTION))
            pending = []
        elif last is not None and value < last:
            rejected.append((position, codes.NEGATIVE_CONSUMPTION))
            continue
        else:
            pending.append((position, value))
        last = value
    dropped = {position for position, _code in rejected}
    kept = []
    last = previous
    for _at, kind, value, position in merged:
        if position in dropped:
            continue
        if kind == _NEW:
            (cons,) = chain_consumption(last, [value], multiplier=multiplier)
            kept.append((position, cons))
        last = value
    return kept, sorted(rejected)


def _merged(values, later):
    return sorted(
        [(at, _NEW, value, position) for position, (at, value) in enumerate(values)]
        + [(at, _STORED, value, None) for at, value in later],
        key=lambda item: (item[0], item[1]),
    )
