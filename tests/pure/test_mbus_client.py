# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The M-Bus client against a fake M-Bus-to-Ethernet converter on 127.0.0.1,
answering with frames built here and, when present, real libmbus frames."""

from decimal import Decimal
from pathlib import Path

import pytest
from meterkit.drivers import MBusClient, TransportError, mbus
from meterkit.drivers.simulators import MBusSimulator, heat_meter_frame
from test_mbus_decoder import CORPUS, needs_corpus

D = Decimal


def _growing(address, ident):
    state = {"kwh": 4567}

    def frame(access):
        state["kwh"] += 1
        return heat_meter_frame(address, ident, state["kwh"], "12.34", access)

    return frame


@pytest.fixture
def converter():
    with MBusSimulator(
        {5: _growing(5, 12345678), 7: heat_meter_frame(7, 12345679, 10, 1)}
    ) as sim:
        yield sim


def test_read_primary_twice_grows(converter):
    with MBusClient("127.0.0.1", converter.port, timeout=0.5) as client:
        first = client.read(5)
        second = client.read(5)
    assert second.counters["T1"] - first.counters["T1"] == 1
    assert first.raw.startswith("> 10 5b 05")
    assert first.device_time.year == 2021


def test_scan_primary_and_secondary(converter):
    with MBusClient("127.0.0.1", converter.port, timeout=0.05, retries=0) as client:
        assert client.scan_primary(range(0, 12)) == [5, 7]
        secondaries = client.scan_secondary()
    assert secondaries == ["123456782C2D0104", "123456792C2D0104"]


def test_read_by_secondary_address(converter):
    with MBusClient("127.0.0.1", converter.port, timeout=0.5) as client:
        result = client.read(secondary="123456792C2D0104")
    assert result.counters == {"T1": D(10)}
    assert "> 68 0b 0b 68 53 fd 52" in result.raw


@pytest.mark.parametrize("mode", ["silent", "garbled"])
def test_faults_time_out_or_refuse(converter, mode):
    converter.mode = mode
    with MBusClient("127.0.0.1", converter.port, timeout=0.2, retries=1) as client:
        with pytest.raises((TransportError, Exception)) as info:
            client.read(5)
        assert info.value.code in ("timeout", "frame_truncated", "frame_malformed")
        converter.mode = "ok"
        assert client.read(5).counters  # the next poll recovers


def test_dropped_connection(converter):
    converter.mode = "drop"
    with MBusClient("127.0.0.1", converter.port, timeout=0.5) as client:
        with pytest.raises(TransportError) as info:
            client.read(5)
    assert info.value.code == "connection"


@needs_corpus
def test_real_frames_through_the_converter():
    names = [
        "kamstrup_multical_601",
        "landis+gyr_ultraheat_t230",
        "itron_cyble_m-bus_v1.4_water",
    ]
    frames = {
        i + 1: bytes.fromhex(Path(CORPUS, "test-frames", f"{n}.hex").read_text())
        for i, n in enumerate(names)
    }
    with (
        MBusSimulator(frames) as sim,
        MBusClient("127.0.0.1", sim.port, timeout=0.5) as client,
    ):
        kamstrup = client.read(1)
        water = client.read(3)
    assert kamstrup.counters == {"T1": D("37351")}  # 37351000 Wh
    assert kamstrup.values["volume"] == D("561.08")
    assert water.counters["T1"] > 0


def test_multi_telegram_read():
    more = mbus.build_rsp_ud(
        9,
        11223344,
        "LUG",
        0x04,
        [bytes([0x04, 0x06]) + (100).to_bytes(4, "little"), b"\x1f"],
    )
    last = mbus.build_rsp_ud(
        9,
        11223344,
        "LUG",
        0x04,
        [bytes([0x04, 0x13]) + (2500).to_bytes(4, "little")],
    )
    with (
        MBusSimulator({9: [more, last]}) as sim,
        MBusClient("127.0.0.1", sim.port, timeout=0.5) as client,
    ):
        result = client.read(9)
        again = client.read(9)
    assert result.counters == {"T1": D(100)}
    assert result.values["volume"] == D("2.5")
    assert result.raw.count("> 10") == 2  # two REQ_UD2
    assert "> 10 7b 09" in result.raw  # the second with FCB set
    assert again.values == result.values
