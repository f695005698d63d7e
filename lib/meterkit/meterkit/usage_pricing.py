# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pricing of usage sessions: EV charging, laundry machines, eBike sockets.

A tariff prices the sessions of one kind (``ev``, ``laundry``, ``ebike``)
with any of three components: per kWh, per hour of session and per session.
The sessions of a billing period are summed per component (kWh, minutes,
count) and each component gives one line whose amount is rounded once, at the
money line (RULES.md 5.1): ``round_half_up(quantity x price)``. Hours are kept
as minutes until then so that 10 minutes at 3.00/h are exactly 0.50.
"""

from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True)
class UsagePrice:
    """A tariff component pricing sessions of ``session_kind``."""

    key: object
    kind: str  # one of USAGE_KINDS
    session_kind: str
    price: Decimal
    sequence: int = 10


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
            quantity = sum((s.energy_kwh.quantize(KWH) for s in matching), Decimal(0))
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
