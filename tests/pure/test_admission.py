# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""admission_error: the rules a reading must pass before it is stored."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from meterkit import MeterRules, admission_error, codes

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


def test_new_codes_are_described():
    for code in (codes.VIRTUAL_METER, codes.CLOSED_SITE, codes.BAD_REGISTER):
        assert codes.DESCRIPTIONS[code]
