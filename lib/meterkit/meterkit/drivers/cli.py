# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Commissioning on site, without Odoo: ``python -m meterkit.drivers.cli``.

Commands::

    maps                                   list the built-in register maps
    modbus-scan  --host H --port P [--rtu] [--first 1 --last 247] [--map sdm630]
    read         --host H --port P [--rtu] --unit 1 --map sdm630 [--raw]
    mbus-scan    --host H --port P [--first 0 --last 250] [--secondary]
    mbus-read    --host H --port P (--address 5 | --secondary 1234567...) [--raw]
    shelly-status --host H [--port 80] [--channel 0] [--em] [--password X]
    relay        --host H --port P --unit 1 --coil 0 (--on | --off)
    simulate     [--modbus-port 5020 --map sdm120 --units 1-3 [--rtu]]
                 [--mbus-port 10001 --mbus-addresses 1] [--shelly-port 8080]
                 (simulated devices on 127.0.0.1 for training and the demo)

Exit status: 0 on success, 2 when the device or gateway did not answer or
answered with an error (the message says which), 1 on bad arguments.
"""

import argparse
import json
import sys

from .errors import DriverError
from .mbus import MBusClient
from .modbus import ModbusGateway
from .registers import BUILTIN_MAPS, get_map
from .shelly import ShellyClient


def _print_result(result, show_raw, out):
    for key, value in sorted(result.values.items()):
        out.write(f"{key:<28} {'n/a' if value is None else value}\n")
    for register, value in sorted(result.counters.items()):
        out.write(f"counter {register:<20} {value}\n")
    if result.device_time:
        out.write(f"device time                  {result.device_time.isoformat()}\n")
    for key, value in sorted(result.extra.items()):
        out.write(f"{key:<28} {value}\n")
    if show_raw:
        out.write(result.raw + "\n")


def _modbus(args):
    return ModbusGateway(
        args.host,
        args.port,
        framer="rtu" if args.rtu else "socket",
        timeout=args.timeout,
        retries=args.retries,
    )


def cmd_maps(args, out):
    for code, regmap in sorted(BUILTIN_MAPS.items()):
        out.write(f"{code:<16} {regmap.name} ({len(regmap.points)} values)\n")
        if args.verbose:
            for p in regmap.points:
                out.write(
                    f"    {p.key:<24} {p.table:<7} 0x{p.address:04X} {p.dtype:<7} "
                    f"{p.word_order:<6} x{p.scale} {p.unit} {p.register}\n"
                )


def cmd_modbus_scan(args, out):
    regmap = get_map(args.map) if args.map else None
    with _modbus(args) as gateway:
        found = gateway.scan(range(args.first, args.last + 1), regmap)
    for unit, status, text in found:
        out.write(f"unit {unit:>3}: {status} {text}\n")
    out.write(f"{len(found)} device(s) answered\n")
    return 0 if found else 2


def cmd_read(args, out):
    with _modbus(args) as gateway:
        result = gateway.read_map(args.unit, get_map(args.map))
    _print_result(result, args.raw, out)
    return 0


def cmd_mbus_scan(args, out):
    with MBusClient(
        args.host, args.port, timeout=args.timeout, retries=args.retries
    ) as c:
        if args.secondary:
            found = c.scan_secondary()
        else:
            found = c.scan_primary(range(args.first, args.last + 1))
    for address in found:
        out.write(f"address {address}\n")
    out.write(f"{len(found)} meter(s) answered\n")
    return 0 if found else 2


def cmd_mbus_read(args, out):
    with MBusClient(
        args.host, args.port, timeout=args.timeout, retries=args.retries
    ) as c:
        result = c.read(address=args.address, secondary=args.secondary)
    _print_result(result, args.raw, out)
    return 0


def cmd_shelly_status(args, out):
    with ShellyClient(
        args.host, args.port, timeout=args.timeout, password=args.password
    ) as client:
        info = client.device_info()
        result = client.read(args.channel, kind="em" if args.em else "switch")
    out.write(
        f"device {info.get('id')} model {info.get('model')} gen {info.get('gen')}\n"
    )
    _print_result(result, args.raw, out)
    return 0


def cmd_relay(args, out):
    with _modbus(args) as gateway:
        actual, raw = gateway.set_coil(args.unit, args.coil, args.on)
    out.write(
        f"relay unit {args.unit} coil {args.coil}: asked {'on' if args.on else 'off'}, "
        f"device says {'on' if actual else 'off'}\n"
    )
    if args.raw:
        out.write(raw + "\n")
    return 0 if actual == args.on else 2


def _units(text):
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def cmd_simulate(args, out):
    """Serve simulated devices until interrupted (or for ``--seconds``)."""
    import time
    from contextlib import ExitStack
    from datetime import datetime, timezone

    from .simulators import (
        MBusSimulator,
        ModbusSimulator,
        ShellySimulator,
        SimulatedMeter,
        heat_meter_frame,
    )

    with ExitStack() as stack:
        if args.modbus_port is not None:
            regmap = get_map(args.map)
            meters = {
                u: SimulatedMeter(regmap, {"energy_import": 20000 + 100 * u})
                for u in _units(args.units)
            }
            sim = stack.enter_context(
                ModbusSimulator(
                    meters,
                    framer="rtu" if args.rtu else "socket",
                    port=args.modbus_port,
                )
            )
            out.write(f"modbus {args.map} units {args.units} on 127.0.0.1:{sim.port}\n")
        if args.mbus_port is not None:
            state = {}

            def slave(address):
                def frame(access):
                    state[address] = state.get(address, 40000 + 10 * address) + 1
                    return heat_meter_frame(
                        address,
                        12345600 + address,
                        state[address],
                        "12.5",
                        access,
                        clock=datetime.now(timezone.utc).replace(tzinfo=None),
                    )

                return frame

            sim = stack.enter_context(
                MBusSimulator(
                    {a: slave(a) for a in _units(args.mbus_addresses)},
                    port=args.mbus_port,
                )
            )
            out.write(
                f"m-bus heat meters {args.mbus_addresses} on 127.0.0.1:{sim.port}\n"
            )
        if args.shelly_port is not None:
            sim = stack.enter_context(ShellySimulator(port=args.shelly_port))
            out.write(f"shelly pro 3em on 127.0.0.1:{sim.port}\n")
        out.flush()
        try:
            deadline = time.monotonic() + args.seconds if args.seconds else None
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.1)
        except KeyboardInterrupt:
            pass
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m meterkit.drivers.cli",
        description="Commission meters and gateways.",
    )
    parser.add_argument("--json", action="store_true", help="errors as JSON")
    sub = parser.add_subparsers(dest="command", required=True)

    def net(p, port):
        p.add_argument("--host", required=True)
        p.add_argument("--port", type=int, default=port)
        p.add_argument("--timeout", type=float, default=1.5)
        p.add_argument("--retries", type=int, default=0)
        p.add_argument("--raw", action="store_true", help="print the frames")

    p = sub.add_parser("maps", help="list built-in register maps")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_maps)
    for name, func, help_ in (
        ("modbus-scan", cmd_modbus_scan, "find Modbus unit ids"),
        ("read", cmd_read, "read a Modbus meter through a map"),
        ("relay", cmd_relay, "switch a relay coil"),
    ):
        p = sub.add_parser(name, help=help_)
        net(p, 502)
        p.add_argument(
            "--rtu", action="store_true", help="RTU framing (transparent converter)"
        )
        p.set_defaults(func=func)
        if name == "modbus-scan":
            p.add_argument("--first", type=int, default=1)
            p.add_argument("--last", type=int, default=247)
            p.add_argument("--map", choices=sorted(BUILTIN_MAPS))
        else:
            p.add_argument("--unit", type=int, required=True)
        if name == "read":
            p.add_argument("--map", required=True, choices=sorted(BUILTIN_MAPS))
        if name == "relay":
            p.add_argument("--coil", type=int, default=0)
            group = p.add_mutually_exclusive_group(required=True)
            group.add_argument("--on", dest="on", action="store_true")
            group.add_argument("--off", dest="on", action="store_false")
    p = sub.add_parser("mbus-scan", help="find M-Bus meters")
    net(p, 10001)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--last", type=int, default=250)
    p.add_argument("--secondary", action="store_true", help="wildcard secondary search")
    p.set_defaults(func=cmd_mbus_scan)
    p = sub.add_parser("mbus-read", help="read one M-Bus meter")
    net(p, 10001)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--address", type=int)
    group.add_argument("--secondary")
    p.set_defaults(func=cmd_mbus_read)
    p = sub.add_parser("shelly-status", help="read a Shelly Gen2 device")
    net(p, 80)
    p.add_argument("--channel", type=int, default=0)
    p.add_argument("--em", action="store_true", help="energy meter (EM/EMData)")
    p.add_argument("--password")
    p.set_defaults(func=cmd_shelly_status)
    p = sub.add_parser("simulate", help="serve simulated devices on 127.0.0.1")
    p.add_argument("--modbus-port", type=int)
    p.add_argument("--map", default="sdm120", choices=sorted(BUILTIN_MAPS))
    p.add_argument("--units", default="1-3")
    p.add_argument("--rtu", action="store_true")
    p.add_argument("--mbus-port", type=int)
    p.add_argument("--mbus-addresses", default="1")
    p.add_argument("--shelly-port", type=int)
    p.add_argument("--seconds", type=float, default=0, help="stop after (0: Ctrl-C)")
    p.set_defaults(func=cmd_simulate)
    return parser


def main(argv=None, out=None):
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, out) or 0
    except DriverError as error:
        if args.json:
            out.write(json.dumps({"error": error.code, "message": str(error)}) + "\n")
        else:
            out.write(f"error ({error.code}): {error}\n")
            if error.raw:
                out.write(f"{error.raw}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
