# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""admission_error: the rules a reading must pass before it is stored."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from meterkit import MeterRules, admission_error, codes, latest_instant
from meterkit.admission import FUTURE_TOLERANCE, MAX_VALUE

AT = datetime(2025, 3, 1, 12, 0)
FULL = MeterRules(
    registers=2,
    commissioning=date(2025, 1, 1),
    rollover_value=D(100000),
    decimals=2,
)


@pytest.mark.parametrize(
    ("rules", "register", "read_at", "value", "code"),
    [
        (FULL, "T1", AT, D("12.5"), None),
        (FULL, "T2", AT, D("99999.99"), None),
        (FULL, "T1", AT, D("12.500"), None),  # trailing zeros are not decimals
        (FULL, "T1", date(2025, 1, 1), D(0), None),  # a date is a day
        (MeterRules(), "T1", AT, D("1.123456789"), None),
        (FULL, "T1", AT, D(-1), codes.NEGATIVE_VALUE),
        (FULL, "T3", AT, D(1), codes.BAD_REGISTER),
        (FULL, "T0", AT, D(1), codes.BAD_REGISTER),
        (FULL, "T9", AT, D(1), codes.BAD_REGISTER),
        (FULL, "t1", AT, D(1), codes.BAD_REGISTER),
        (FULL, None, AT, D(1), codes.BAD_REGISTER),
        (FULL, "T1", datetime(2024, 12, 31, 23, 59), D(1), codes.BEFORE_COMMISSIONING),
        (FULL, "T1", AT, D(100000), codes.ABOVE_ROLLOVER),
        (FULL, "T1", AT, D("1.234"), codes.TOO_MANY_DECIMALS),
        (MeterRules(decimals=0), "T1", AT, D("1.5"), codes.NOT_INTEGER),
        (MeterRules(decimals=0), "T1", AT, D("1.0"), None),
        (MeterRules(blocked=codes.VIRTUAL_METER), "T1", AT, D(1), codes.VIRTUAL_METER),
        (MeterRules(blocked=codes.CLOSED_SITE), "T1", AT, D(1), codes.CLOSED_SITE),
        # the order is fixed: a negative value on a blocked meter is negative
        (
            MeterRules(blocked=codes.ARCHIVED_METER),
            "T1",
            AT,
            D(-1),
            codes.NEGATIVE_VALUE,
        ),
        (
            MeterRules(blocked=codes.ARCHIVED_METER),
            "T9",
            AT,
            D(1),
            codes.ARCHIVED_METER,
        ),
    ],
)
def test_admission(rules, register, read_at, value, code):
    assert admission_error(rules, register, read_at, value) == code


NOW = datetime(2026, 3, 1, 12, 0)  # naive UTC
BOUNDED = MeterRules(commissioning=date(2025, 1, 1), not_after=latest_instant(NOW))
TZ_PLUS_2 = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("rules", "read_at", "value", "code"),
    [
        # not_after = NOW + 15 minutes (FUTURE_TOLERANCE)
        (BOUNDED, NOW, D(5), None),
        (BOUNDED, datetime(2026, 3, 1, 12, 15), D(5), None),
        (BOUNDED, datetime(2026, 3, 1, 12, 15, 1), D(5), codes.IN_THE_FUTURE),
        (BOUNDED, datetime(2099, 1, 1), D(5), codes.IN_THE_FUTURE),
        # 14:15+02:00 is 12:15 UTC; 14:16+02:00 is 12:16 UTC
        (BOUNDED, datetime(2026, 3, 1, 14, 15, tzinfo=TZ_PLUS_2), D(5), None),
        (
            BOUNDED,
            datetime(2026, 3, 1, 14, 16, tzinfo=TZ_PLUS_2),
            D(5),
            codes.IN_THE_FUTURE,
        ),
        (BOUNDED, date(2026, 3, 1), D(5), None),
        (BOUNDED, date(2026, 3, 2), D(5), codes.IN_THE_FUTURE),
        # the commissioning bound comes first
        (BOUNDED, datetime(2024, 12, 31), D(5), codes.BEFORE_COMMISSIONING),
        # capacity: 10^12 without rollover nor maximum
        (BOUNDED, NOW, MAX_VALUE - 1, None),
        (BOUNDED, NOW, MAX_VALUE, codes.ABOVE_CAPACITY),
        (BOUNDED, NOW, D("1e300"), codes.ABOVE_CAPACITY),
        (MeterRules(max_value=D(1000)), NOW, D("999.9"), None),
        (MeterRules(max_value=D(1000)), NOW, D(1000), codes.ABOVE_CAPACITY),
        # a rollover value is the register's capacity: it decides
        (MeterRules(rollover_value=D(10**13), max_value=D(1000)), NOW, D(5000), None),
        (MeterRules(rollover_value=D(1000)), NOW, D(1000), codes.ABOVE_ROLLOVER),
        # no not_after: no date bound
        (MeterRules(), datetime(2099, 1, 1), D(5), None),
    ],
)
def test_admission_bounds(rules, read_at, value, code):
    assert admission_error(rules, "T1", read_at, value) == code


def test_latest_instant_is_naive_utc_now_plus_tolerance():
    assert FUTURE_TOLERANCE == timedelta(minutes=15)
    assert latest_instant(NOW) == datetime(2026, 3, 1, 12, 15)
    aware = datetime(2026, 3, 1, 14, 0, tzinfo=TZ_PLUS_2)
    assert latest_instant(aware) == datetime(2026, 3, 1, 12, 15)
    assert latest_instant(NOW, timedelta(0)) == NOW


def test_new_codes_are_described():
    for code in (
        codes.VIRTUAL_METER,
        codes.CLOSED_SITE,
        codes.BAD_REGISTER,
        codes.IN_THE_FUTURE,
        codes.ABOVE_CAPACITY,
    ):
        assert codes.DESCRIPTIONS[code]
