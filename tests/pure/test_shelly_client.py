# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Shelly Gen2 RPC driver against a local HTTP server speaking RPC."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.drivers import (
    DeviceError,
    DriverError,
    FrameError,
    ShellyClient,
    TransportError,
)
from meterkit.drivers.shelly import parse_rpc_response, switch_values
from meterkit.drivers.simulators import ShellySimulator, free_port

D = Decimal


@pytest.fixture
def shelly():
    with ShellySimulator(switches=2, energy_wh=1000, step_wh=10) as sim:
        yield sim


def test_switch_status_counter_in_kwh(shelly):
    with ShellyClient("127.0.0.1", shelly.port) as client:
        first = client.read(0)
        second = client.read(0)
    assert first.counters == {"T1": D("1.010")}
    assert second.counters["T1"] - first.counters["T1"] == D("0.010")
    assert first.extra["output"] is True
    assert '"method": "Switch.GetStatus"' in first.raw


def test_em_status(shelly):
    with ShellyClient("127.0.0.1", shelly.port) as client:
        result = client.read(0, kind="em")
    assert result.values["a_voltage"] == D("230.1")
    assert result.values["c_voltage"] == 0
    assert result.counters["T1"] == D("1.01")


def test_switch_set_reads_back(shelly):
    with ShellyClient("127.0.0.1", shelly.port) as client:
        actual, raw = client.switch_set(1, False)
    assert actual is False and shelly.switches[1]["output"] is False
    assert [c[0] for c in shelly.calls[-2:]] == ["Switch.Set", "Switch.GetStatus"]
    assert "Switch.Set" in raw


def test_rpc_error(shelly):
    shelly.mode = "error"
    with ShellyClient("127.0.0.1", shelly.port) as client:
        with pytest.raises(DeviceError, match="-103"):
            client.read(0)


def test_garbage_answer(shelly):
    shelly.mode = "garbage"
    with ShellyClient("127.0.0.1", shelly.port) as client:
        with pytest.raises(FrameError):
            client.read(0)


def test_timeout(shelly):
    shelly.mode = "silent"
    with ShellyClient("127.0.0.1", shelly.port, timeout=0.3) as client:
        with pytest.raises(TransportError) as info:
            client.read(0)
    assert info.value.code == "timeout"


def test_unreachable():
    with ShellyClient("127.0.0.1", free_port(), timeout=0.3) as client:
        with pytest.raises(TransportError) as info:
            client.read(0)
    assert info.value.code == "connection"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", FrameError),
        ("[]", FrameError),
        ('{"id": 1}', FrameError),
        ('{"id": 2, "result": {}}', FrameError),
        ('{"id": 1, "error": {"code": 401, "message": "x"}}', DeviceError),
    ],
)
def test_parse_rpc_response_refuses(text, error):
    with pytest.raises(error):
        parse_rpc_response(text, 1)


def test_switch_values_ignore_junk():
    values, output = switch_values({"apower": "x", "aenergy": 5, "output": "yes"})
    assert values == {} and output is None


@given(st.text(max_size=200))
def test_fuzz_rpc_response(text):
    try:
        parse_rpc_response(text)
    except DriverError:
        pass


def test_digest_authentication():
    with ShellySimulator(password="s3cret") as sim:
        with ShellyClient("127.0.0.1", sim.port, password="s3cret") as client:
            assert client.read(0).counters["T1"] > 0
        with ShellyClient("127.0.0.1", sim.port, password="wrong") as client:
            with pytest.raises(TransportError) as info:
                client.read(0)
        assert info.value.code == "http" and "401" in str(info.value)
        with ShellyClient("127.0.0.1", sim.port) as client:
            with pytest.raises(TransportError):
                client.read(0)
