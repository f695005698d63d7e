# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pricing of usage sessions: EV charging, laundry machines, eBike sockets.

A tariff prices the sessions of one kind (``ev``, ``laundry``, ``ebike``)
with any of three components: per kWh, per hour of session and per session.
The sessions of a billing period are summed per component (kWh, minutes,
count) and each component gives one line whose amount is rounded once, at the
money line (RULES.md 5.1): ``round_half_up(quantity x price)``. Hours are kept
as minutes until then so that 10 minutes at 3.00/h are exactly 0.50.

In a self-consumption community (RULES.md 2.2) a per-kWh component may price
only the solar or only the grid part of the sessions' energy: the solar kWh
of a session (:func:`session_solar_kwh`) spreads its energy evenly over its
duration and takes, in each 15-minute interval, the community's solar ratio
(self-consumed / consumption) of that interval; the grid part is the rest.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from .allocation import round_money

KWH = Decimal("0.001")
HOURS = Decimal("0.0001")
USAGE_KINDS = ("usage_kwh", "usage_hour", "usage_session")


@dataclass(frozen=True)
class SessionUse:
    """A stopped session: its kind, energy (kWh) and duration (minutes)."""

    key: object
    kind: str
    energy_kwh: Decimal
    minutes: Decimal
    #: the solar part of ``energy_kwh`` (community sites), else None
    solar_kwh: Decimal | None = None


@dataclass(frozen=True)
class UsagePrice:
    """A tariff component pricing sessions of ``session_kind``."""

    key: object
    kind: str  # one of USAGE_KINDS
    session_kind: str
    price: Decimal
    sequence: int = 10
    part: str = "both"  # "solar", "grid" (usage_kwh only) or "both"


@dataclass(frozen=True)
class UsageLine:
    price_key: object
    kind: str
    session_kind: str
    quantity: Decimal
    price: Decimal
    amount_exact: Decimal
    amount: Decimal
    session_keys: tuple
    sequence: int = 10


def price_sessions(sessions, prices, quantum=Decimal("0.01")):
    """One :class:`UsageLine` per price that has sessions of its kind; the
    sessions of a kind without price are not in any line (the caller leaves
    them unbilled). Energy is counted in kWh at 3 decimals per session."""
    lines = []
    for price in sorted(prices, key=lambda p: (p.sequence, str(p.key))):
        if price.kind not in USAGE_KINDS:
            raise ValueError(f"unknown usage component kind {price.kind!r}")
        matching = [s for s in sessions if s.kind == price.session_kind]
        if not matching:
            continue
        if price.kind == "usage_kwh":
            quantity = sum((_part_kwh(s, price.part) for s in matching), Decimal(0))
            exact = quantity * price.price
        elif price.kind == "usage_hour":
            minutes = sum((s.minutes for s in matching), Decimal(0))
            quantity = (minutes / 60).quantize(HOURS)
            exact = minutes * price.price / 60
        else:
            quantity = Decimal(len(matching))
            exact = quantity * price.price
        lines.append(
            UsageLine(
                price_key=price.key,
                kind=price.kind,
                session_kind=price.session_kind,
                quantity=quantity,
                price=price.price,
                amount_exact=exact,
                amount=round_money(exact, quantum),
                session_keys=tuple(s.key for s in matching),
                sequence=price.sequence,
            )
        )
    return lines


def _part_kwh(session, part):
    energy = session.energy_kwh.quantize(KWH)
    if part == "both":
        return energy
    if session.solar_kwh is None:
        raise ValueError(f"session {session.key!r}: no solar part to price")
    solar = min(session.solar_kwh.quantize(KWH), energy)
    return solar if part == "solar" else energy - solar


INTERVAL = timedelta(minutes=15)


def interval_start(at):
    """The start of the 15-minute interval holding ``at``."""
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def session_intervals(start, stop):
    """Starts of the 15-minute intervals a session ``[start, stop]`` touches
    (at least the one holding ``start``)."""
    at = interval_start(start)
    starts = [at]
    while at + INTERVAL < stop:
        at += INTERVAL
        starts.append(at)
    return starts


def session_solar_kwh(energy_kwh, start, stop, ratios):
    """The solar kWh of a session of ``energy_kwh`` from ``start`` to
    ``stop`` (naive datetimes), its energy spread evenly over its duration:
    sum over its intervals of energy x overlap / duration x ratio, rounded
    half-up to 3 decimals (Wh). A session of no duration takes the ratio of
    the interval holding ``start``.

    :param ratios: ``{interval start: Decimal ratio in [0, 1]}``.
    :raise KeyError: an interval of the session has no ratio.
    """
    starts = session_intervals(start, stop)
    duration = Decimal((stop - start).total_seconds())
    if duration <= 0:
        return (energy_kwh * ratios[starts[0]]).quantize(KWH, ROUND_HALF_UP)
    solar = Decimal(0)
    for at in starts:
        overlap = min(at + INTERVAL, stop) - max(at, start)
        solar += energy_kwh * Decimal(overlap.total_seconds()) / duration * ratios[at]
    return solar.quantize(KWH, ROUND_HALF_UP)


def solar_ratio(self_consumed, consumption, production=Decimal(0)):
    """The community's solar ratio of an interval or month: self-consumed /
    consumption; without consumption 1 when there is production (a session
    there runs on it), else 0."""
    if consumption > 0:
        return min(Decimal(1), self_consumed / consumption)
    return Decimal(1) if production > 0 else Decimal(0)
