# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one naming of registers (T1..T8), used by the models, the SQL of the
bulk loaders, the exchange files and the drivers."""

import pytest
from meterkit.admission import register_index as admission_register_index
from meterkit.drivers.registers import REGISTERS as DRIVER_REGISTERS
from meterkit.exchange.readings_xml import REGISTERS as XML_REGISTERS
from meterkit.readings import REGISTER_NAMES, register_index, register_name


@pytest.mark.parametrize(
    ("register", "index"),
    [
        ("T1", 1),
        ("T8", 8),
        ("T0", None),
        ("T9", None),
        ("t1", None),
        ("T10", None),
        ("", None),
        (None, None),
        (1, None),
    ],
)
def test_register_index(register, index):
    assert register_index(register) == index


@pytest.mark.parametrize("index", [0, 9, -1, True, "1", 1.0])
def test_register_name_outside_the_registers(index):
    with pytest.raises(ValueError):
        register_name(index)


def test_names_and_indexes_round_trip_and_are_shared():
    assert REGISTER_NAMES == ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8")
    assert [register_index(register_name(i)) for i in range(1, 9)] == list(range(1, 9))
    assert admission_register_index is register_index
    assert DRIVER_REGISTERS == REGISTER_NAMES
    assert XML_REGISTERS == frozenset(REGISTER_NAMES)
