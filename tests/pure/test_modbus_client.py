# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Modbus driver against a real pymodbus server on 127.0.0.1."""

import socket
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from meterkit.drivers import (
    DeviceError,
    DriverError,
    ModbusGateway,
    TransportError,
    get_map,
)
from meterkit.drivers.simulators import ModbusSimulator, SimulatedMeter

D = Decimal
SDM630 = get_map("sdm630")


@pytest.fixture(scope="module")
def gateway():
    meters = {
        1: SimulatedMeter(SDM630, {"energy_import": "1234.5"}),
        2: SimulatedMeter(SDM630, {"energy_import": "10"}),
        3: SimulatedMeter(get_map("abb_b23"), {"energy_import": "55.55"}),
        4: SimulatedMeter(get_map("em24"), {"energy_import": "77.7"}),
    }
    with ModbusSimulator(meters) as sim:
        yield sim


def test_sdm630_values_change_between_polls(gateway):
    with ModbusGateway("127.0.0.1", gateway.port, timeout=1) as client:
        first = client.read_map(1, SDM630)
        second = client.read_map(1, SDM630)
    assert first.values["voltage_L1"] == D("230.1")
    assert first.values["frequency"] == D("50")
    assert second.counters["T1"] - first.counters["T1"] == D("0.5")
    assert first.raw.startswith("> ") and "\n< " in first.raw
    assert first.address == "1"


@pytest.mark.parametrize(
    ("unit", "code", "start"), [(3, "abb_b23", D("55.55")), (4, "em24", D("77.7"))]
)
def test_integer_maps(gateway, unit, code, start):
    with ModbusGateway("127.0.0.1", gateway.port, timeout=1) as client:
        result = client.read_map(unit, get_map(code))
    assert start < result.counters["T1"] <= start + 1
    assert result.values["voltage_L1"] == D("230.1")


def test_scan_finds_the_units(gateway):
    with ModbusGateway("127.0.0.1", gateway.port, timeout=1) as client:
        found = client.scan(range(1, 8), SDM630)
    assert [unit for unit, status, _text in found] == [1, 2, 3, 4]
    assert dict((u, s) for u, s, _t in found)[1] == "ok"


def test_exception_reply(gateway):
    gateway.mode = "exception"
    try:
        with ModbusGateway("127.0.0.1", gateway.port, timeout=1) as client:
            with pytest.raises(DeviceError) as info:
                client.read_map(1, SDM630)
    finally:
        gateway.mode = "ok"
    assert info.value.exception_code == 4
    assert "device failure" in str(info.value)
    assert info.value.raw


def test_timeout_is_explicit_and_short(gateway):
    gateway.mode = "silent"
    try:
        with ModbusGateway("127.0.0.1", gateway.port, timeout=0.3) as client:
            started = time.monotonic()
            with pytest.raises(TransportError) as info:
                client.read_map(1, SDM630)
            assert time.monotonic() - started < 1.5
    finally:
        gateway.mode = "ok"
    assert info.value.code in ("timeout", "connection")


def test_unit_id_absent_behind_gateway(gateway):
    with ModbusGateway("127.0.0.1", gateway.port, timeout=1) as client:
        with pytest.raises(DeviceError) as info:
            client.read_map(99, SDM630)
    assert info.value.exception_code == 11


def test_relay_coil_is_read_back(gateway):
    with ModbusGateway("127.0.0.1", gateway.port, timeout=1) as client:
        actual, raw = client.set_coil(2, 1, True)
        assert actual is True and gateway.meters[2].coils[1] is True
        actual, raw = client.set_coil(2, 1, False)
    assert actual is False and "> " in raw


def test_refused_connection():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransportError) as info:
        ModbusGateway("127.0.0.1", port, timeout=0.5).connect()
    assert info.value.code == "connection"


def test_gateway_dropping_and_coming_back():
    with ModbusSimulator({1: SimulatedMeter(SDM630)}) as sim:
        with ModbusGateway("127.0.0.1", sim.port, timeout=0.5) as client:
            assert client.read_map(1, SDM630).counters
            sim.stop()
            with pytest.raises(TransportError):
                client.read_map(1, SDM630)
            sim.start()
            # the sync client reconnects on the next request
            assert client.read_map(1, SDM630).counters


def test_rtu_over_tcp_converter():
    with ModbusSimulator(
        {7: SimulatedMeter(SDM630, {"energy_import": "5"})}, framer="rtu"
    ) as sim:
        with ModbusGateway("127.0.0.1", sim.port, framer="rtu", timeout=1) as client:
            result = client.read_map(7, SDM630)
    assert D(5) < result.counters["T1"] <= D("5.5")
    # the raw evidence is an RTU frame: unit id, function code, CRC
    assert result.raw.splitlines()[0].startswith("> 07 04 00 00")


class _RawPeer:
    """A TCP peer answering each Modbus TCP request with bytes built by
    ``reply(request)`` (malformed, truncated, foreign transaction ids...)."""

    def __init__(self, reply):
        import socketserver
        import threading

        peer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                while True:
                    try:
                        request = self.request.recv(260)
                    except OSError:
                        return
                    if not request:
                        return
                    answer = peer.reply(request)
                    if answer is None:
                        self.request.close()
                        return
                    self.request.sendall(answer)

        self.reply = reply
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _mbap(request, pdu):
    return request[:4] + (len(pdu) + 1).to_bytes(2, "big") + request[6:7] + pdu


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("truncated", lambda r: _mbap(r, b"\x04\x98\x43\x66")),
        ("wrong function", lambda r: _mbap(r, b"\x03\x04\x00\x00\x00\x00")),
        ("byte count too big", lambda r: _mbap(r, b"\x04\xff\x00\x00")),
        (
            "foreign transaction",
            lambda r: b"\x99\x99" + _mbap(r, b"\x04\x02\x00\x01")[2:],
        ),
        ("other unit", lambda r: r[:6] + b"\x09" + b"\x04\x02\x00\x01"),
        ("garbage", lambda r: b"\xde\xad\xbe\xef" * 3),
        ("drops", lambda r: None),
    ],
)
def test_malformed_responses_are_driver_errors(name, reply):
    peer = _RawPeer(reply)
    try:
        with ModbusGateway("127.0.0.1", peer.port, timeout=0.3) as client:
            with pytest.raises(DriverError) as info:
                client.read_map(1, SDM630)
        assert info.value.code in (
            "timeout",
            "connection",
            "frame_truncated",
            "frame_length",
        ), name
    finally:
        peer.close()


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=0, max_size=40))
def test_fuzz_modbus_responses(payload):
    peer = _RawPeer(lambda r: _mbap(r, payload) if payload else b"")
    try:
        with ModbusGateway("127.0.0.1", peer.port, timeout=0.15) as client:
            try:
                client.read_registers(1, "input", 0, 2)
            except DriverError:
                pass
    finally:
        peer.close()
