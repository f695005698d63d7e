# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The decoded result of one device read, with its evidence."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DeviceResult:
    """What one device said.

    :param address: unit id, M-Bus address or Shelly channel, as text.
    :param values: every decoded value ``{key: Decimal | None}`` (live values
        and counters, in the units of the map).
    :param counters: billing counters per meter register ``{"T1": Decimal}``
        (kWh for electricity and heat, m³ for volumes).
    :param raw: the frames or response the values come from (hex or JSON).
    :param read_at: the caller's clock when the device was read.
    :param device_time: the device's own clock, when it reports one.
    """

    address: str
    values: dict
    counters: dict
    raw: str
    read_at: datetime | None = None
    device_time: datetime | None = None
    elapsed: float = 0.0
    extra: dict = field(default_factory=dict)
