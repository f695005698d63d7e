# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The concurrent poller and the commissioning command line, against local peers."""

import io
import time
from decimal import Decimal

import pytest
from meterkit.drivers import DeviceSpec, GatewaySpec, get_map, poll_gateways
from meterkit.drivers.cli import main
from meterkit.drivers.poller import rs485_request_seconds
from meterkit.drivers.simulators import (
    MBusSimulator,
    ModbusSimulator,
    ShellySimulator,
    SimulatedMeter,
    free_port,
    heat_meter_frame,
)

D = Decimal
SDM630 = get_map("sdm630")


@pytest.fixture(scope="module")
def peers():
    with (
        ModbusSimulator(
            {
                1: SimulatedMeter(SDM630, {"energy_import": "100"}),
                2: SimulatedMeter(SDM630, {"energy_import": "200"}),
            }
        ) as modbus,
        MBusSimulator({5: heat_meter_frame(5, 12345678, 4567, "12.34")}) as mbus,
        ShellySimulator() as shelly,
    ):
        yield modbus, mbus, shelly


def _specs(peers, dead_port):
    modbus, mbus, shelly = peers
    return [
        GatewaySpec(
            "mb",
            "modbus_tcp",
            "127.0.0.1",
            modbus.port,
            timeout=0.5,
            devices=(
                DeviceSpec("m1", 1, regmap=SDM630),
                DeviceSpec("m2", 2, regmap="sdm630"),
                DeviceSpec("m9", 9, regmap=SDM630),
            ),
        ),
        GatewaySpec(
            "bus",
            "mbus_tcp",
            "127.0.0.1",
            mbus.port,
            timeout=0.5,
            devices=(DeviceSpec("h5", 5),),
        ),
        GatewaySpec(
            "sh",
            "shelly",
            "127.0.0.1",
            shelly.port,
            timeout=0.5,
            devices=(DeviceSpec("s0", 0, relay=(0, False)),),
        ),
        GatewaySpec(
            "dead",
            "modbus_tcp",
            "127.0.0.1",
            dead_port,
            timeout=0.3,
            devices=(DeviceSpec("d1", 1, regmap=SDM630),),
        ),
    ]


def test_poll_gateways_concurrently(peers):
    outcomes = poll_gateways(_specs(peers, free_port()), max_workers=4)
    by_key = {o.key: o for o in outcomes}
    assert [o.key for o in outcomes] == ["mb", "bus", "sh", "dead"]
    mb = {d.key: d for d in by_key["mb"].devices}
    assert by_key["mb"].reached
    assert D(100) < mb["m1"].result.counters["T1"] <= D("100.5")
    assert mb["m9"].error.exception_code == 11  # one silent meter, gateway fine
    assert by_key["bus"].devices[0].result.counters == {"T1": D(4567)}
    shelly_dev = by_key["sh"].devices[0]
    assert shelly_dev.relay.actual is False and shelly_dev.relay.desired is False
    assert not by_key["dead"].reached and by_key["dead"].error.code == "connection"


def test_all_devices_silent_means_gateway_not_reached(peers):
    modbus = peers[0]
    modbus.mode = "exception"
    try:
        spec = GatewaySpec(
            "mb",
            "modbus_tcp",
            "127.0.0.1",
            modbus.port,
            timeout=0.5,
            devices=(DeviceSpec("m1", 1, regmap=SDM630),),
        )
        (outcome,) = poll_gateways([spec])
    finally:
        modbus.mode = "ok"
    assert not outcome.reached and outcome.error.code == "device_exception"


@pytest.mark.parametrize(
    ("count", "baud", "expected_ms"),  # (8 + 5 + 2n + 7) chars x 11 bits / baud
    [(2, 9600, D("27.50")), (76, 9600, D("197.08")), (2, 19200, D("13.75"))],
)
def test_rs485_bus_time(count, baud, expected_ms):
    seconds = rs485_request_seconds(count, baud)
    assert round(D(str(seconds * 1000)), 2) == expected_ms


def run(argv):
    out = io.StringIO()
    code = main(argv, out)
    return code, out.getvalue()


def test_cli_modbus(peers):
    modbus = peers[0]
    code, text = run(
        [
            "modbus-scan",
            "--host",
            "127.0.0.1",
            "--port",
            str(modbus.port),
            "--first",
            "1",
            "--last",
            "4",
            "--map",
            "sdm630",
        ]
    )
    assert code == 0 and "unit   1: ok" in text and "2 device(s) answered" in text
    code, text = run(
        [
            "read",
            "--host",
            "127.0.0.1",
            "--port",
            str(modbus.port),
            "--unit",
            "2",
            "--map",
            "sdm630",
            "--raw",
        ]
    )
    assert code == 0 and "counter T1" in text and "voltage_L1" in text and "> " in text
    code, text = run(
        [
            "relay",
            "--host",
            "127.0.0.1",
            "--port",
            str(modbus.port),
            "--unit",
            "2",
            "--coil",
            "3",
            "--on",
        ]
    )
    assert code == 0 and "device says on" in text


def test_cli_mbus_and_shelly(peers):
    _modbus, mbus, shelly = peers
    code, text = run(
        [
            "mbus-scan",
            "--host",
            "127.0.0.1",
            "--port",
            str(mbus.port),
            "--first",
            "0",
            "--last",
            "6",
            "--timeout",
            "0.05",
        ]
    )
    assert code == 0 and "address 5" in text
    code, text = run(
        ["mbus-read", "--host", "127.0.0.1", "--port", str(mbus.port), "--address", "5"]
    )
    assert code == 0 and "counter T1" in text and "4567" in text
    code, text = run(
        ["shelly-status", "--host", "127.0.0.1", "--port", str(shelly.port), "--em"]
    )
    assert code == 0 and "SPEM-003CEBEU" in text and "a_voltage" in text


def test_cli_errors_are_reported_not_raised():
    code, text = run(
        [
            "read",
            "--host",
            "127.0.0.1",
            "--port",
            str(free_port()),
            "--unit",
            "1",
            "--map",
            "sdm630",
            "--timeout",
            "0.3",
        ]
    )
    assert code == 2 and text.startswith("error (connection)")
    code, text = run(
        [
            "--json",
            "mbus-read",
            "--host",
            "127.0.0.1",
            "--port",
            str(free_port()),
            "--address",
            "1",
        ]
    )
    assert code == 2 and '"error": "connection"' in text


def test_cli_maps():
    code, text = run(["maps", "-v"])
    assert code == 0 and "sdm630" in text and "0x0048" in text


def test_serial_kinds_through_pyserial_urls():
    """RTU serial and M-Bus serial over pyserial's socket:// URL: the same
    code path as a local /dev/ttyUSB0, against real peers."""
    with (
        ModbusSimulator(
            {3: SimulatedMeter(SDM630, {"energy_import": "42"})}, framer="rtu"
        ) as rtu,
        MBusSimulator({5: heat_meter_frame(5, 12345678, 4567, "12.34")}) as bus,
    ):
        specs = [
            GatewaySpec(
                "rtu",
                "modbus_rtu_serial",
                serial_port=f"socket://127.0.0.1:{rtu.port}",
                timeout=1,
                devices=(DeviceSpec("m3", 3, regmap=SDM630),),
            ),
            GatewaySpec(
                "mbus",
                "mbus_serial",
                serial_port=f"socket://127.0.0.1:{bus.port}",
                timeout=1,
                devices=(DeviceSpec("h5", 5),),
            ),
            GatewaySpec(
                "bad",
                "mbus_serial",
                serial_port="/dev/does-not-exist",
                devices=(DeviceSpec("x", 1),),
            ),
        ]
        rtu_out, bus_out, bad = poll_gateways(specs)
    assert D(42) < rtu_out.devices[0].result.counters["T1"] <= D("42.5")
    assert bus_out.devices[0].result.counters == {"T1": D(4567)}
    assert not bad.reached and bad.error.code == "connection"


def test_cli_simulate_serves_readable_devices():
    import threading

    out = io.StringIO()
    thread = threading.Thread(
        target=main,
        args=(
            [
                "simulate",
                "--modbus-port",
                "0",
                "--units",
                "1-2",
                "--mbus-port",
                "0",
                "--mbus-addresses",
                "1-2",
                "--shelly-port",
                "0",
                "--seconds",
                "3",
            ],
            out,
        ),
    )
    thread.start()
    for _ in range(50):
        if out.getvalue().count("\n") >= 3:
            break
        # not a timed Event.wait: under libfaketime (faked dates) it never
        # wakes up, a sleep does
        time.sleep(0.05)
    lines = out.getvalue().splitlines()
    ports = [int(line.rsplit(":", 1)[1]) for line in lines]
    code, text = run(
        [
            "read",
            "--host",
            "127.0.0.1",
            "--port",
            str(ports[0]),
            "--unit",
            "2",
            "--map",
            "sdm120",
        ]
    )
    assert code == 0 and "counter T1" in text and "20200" in text
    code, text = run(
        ["mbus-read", "--host", "127.0.0.1", "--port", str(ports[1]), "--address", "2"]
    )
    assert code == 0 and "counter T1" in text
    thread.join()
