#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of gateway polling: meterkit.drivers.poller (the layer the Odoo
cron of meter_hardware calls; no database) and, when ``--db`` names a
database with meter_hardware installed, the whole Odoo path (poll, readings
ingested, poll logs, alarms; rolled back at the end).

200 simulated Eastron SDM630 meters behind 10 simulated Modbus TCP gateways
(real pymodbus servers on 127.0.0.1, each answer delayed by ``--latency`` ms
to mimic a real gateway). Measured side by side in one run:

* the project's poller: gateways polled concurrently, one connection and one
  request in flight per gateway (``poll_gateways(max_workers=10)``);
* the baseline: the same requests one at a time (``max_workers=1``);
* the computed floor of one RS485 bus at 9600 baud carrying the same requests
  (what a single serial line could do, whatever the software).

Every meter's counter is checked after each run (nothing missed).
Run by ``./scripts/test bench`` (``--conf``/``--db`` given) or alone.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "meterkit"))

from meterkit.drivers import DeviceSpec, GatewaySpec, get_map, poll_gateways  # noqa: E402
from meterkit.drivers.poller import rs485_request_seconds  # noqa: E402
from meterkit.drivers.registers import plan_blocks  # noqa: E402
from meterkit.drivers.simulators import ModbusSimulator, SimulatedMeter  # noqa: E402


def run(specs, workers, rounds):
    best = None
    for _ in range(rounds):
        started = time.perf_counter()
        outcomes = poll_gateways(specs, max_workers=workers)
        elapsed = time.perf_counter() - started
        read = sum(
            1 for o in outcomes for d in o.devices if d.result and d.result.counters
        )
        best = elapsed if best is None else min(best, elapsed)
    return best, read


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, default=10)
    parser.add_argument("--meters", type=int, default=200)
    parser.add_argument("--latency", type=float, default=5.0, help="ms per request")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--conf", help="Odoo configuration (Odoo layer)")
    parser.add_argument("--db", help="database with meter_hardware (Odoo layer)")
    args = parser.parse_args(argv)
    regmap = get_map("sdm630")
    per_gateway = args.meters // args.gateways
    sims = [
        ModbusSimulator(
            {unit: SimulatedMeter(regmap) for unit in range(1, per_gateway + 1)},
            latency=args.latency / 1000,
        ).start()
        for _ in range(args.gateways)
    ]
    try:
        specs = [
            GatewaySpec(
                g,
                "modbus_tcp",
                "127.0.0.1",
                sim.port,
                timeout=2.0,
                devices=tuple(
                    DeviceSpec((g, u), u, regmap=regmap)
                    for u in range(1, per_gateway + 1)
                ),
            )
            for g, sim in enumerate(sims)
        ]
        blocks = plan_blocks(regmap.points, regmap.max_gap)
        requests = args.meters * len(blocks)
        poller, read_p = run(specs, args.gateways, args.rounds)
        baseline, read_b = run(specs, 1, args.rounds)
        bus = args.meters * sum(rs485_request_seconds(b.count, 9600) for b in blocks)
        odoo_figures = odoo_layer(args, sims) if args.db else None
    finally:
        for sim in sims:
            sim.stop()
            sim.close()
    print(
        f"polling {args.meters} SDM630 meters behind {args.gateways} Modbus TCP "
        "gateways, "
        f"{requests} requests ({len(blocks)} block reads per meter), "
        f"{args.latency:g} ms gateway latency; best of {args.rounds}"
    )
    print(f"  project poller (concurrent)   {poller:8.3f} s  {read_p} meters read")
    print(f"  one request at a time         {baseline:8.3f} s  {read_b} meters read")
    print(f"  speed-up                      {baseline / poller:8.1f} x")
    print(
        f"  RS485 bus at 9600 baud, same requests (one bus, wire time only): "
        f"{bus:.2f} s; {args.gateways} buses in parallel: {bus / args.gateways:.2f} s"
    )
    if odoo_figures:
        concurrent, sequential, stored = odoo_figures
        print(
            f"  Odoo layer (poll + ingest + logs), concurrent  {concurrent:8.3f} s  "
            f"{stored[0]} readings stored"
        )
        print(
            f"  Odoo layer, one gateway at a time             {sequential:8.3f} s  "
            f"{stored[1]} readings stored"
        )
    elif args.db:
        print("  Odoo layer: meter_hardware is not installed in this database, skipped")
    ok = read_p == read_b == args.meters and baseline / poller >= 5
    print("goal (>= 5x, every meter read):", "met" if ok else "NOT met")
    return 0 if ok else 3  # 3: the goal is missed (not a crash)


def odoo_layer(args, sims):
    """The cron's path in a real database: concurrent ``_poll`` of all
    gateways, then the next slot one gateway at a time. Rolled back."""
    from datetime import datetime, timedelta

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        ["-c", args.conf, "-d", args.db] if args.conf else ["-d", args.db]
    )
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        if "meter.gateway" not in env:
            return None
        site = env["meter.site"].create({"name": "Bench Polling", "code": "BPOLL"})
        building = env["meter.building"].create({"name": "B", "site_id": site.id})
        electricity = env.ref("meter_base.resource_electricity")
        sdm630 = env.ref("meter_hardware.register_map_sdm630")
        per_gateway = args.meters // args.gateways
        gateways = env["meter.gateway"]
        for g, sim in enumerate(sims):
            meters = env["meter.meter"].create(
                [
                    {
                        "name": f"BPOLL-{g}-{u}",
                        "building_id": building.id,
                        "resource_id": electricity.id,
                    }
                    for u in range(1, per_gateway + 1)
                ]
            )
            gateways |= env["meter.gateway"].create(
                {
                    "name": f"Bench {g}",
                    "site_id": site.id,
                    "kind": "modbus_tcp",
                    "host": "127.0.0.1",
                    "port": sim.port,
                    "timeout": 2.0,
                    "device_ids": [
                        (0, 0, {"meter_id": m.id, "map_id": sdm630.id, "unit_id": u})
                        for u, m in enumerate(meters, start=1)
                    ],
                }
            )
        env.flush_all()
        now = datetime(2026, 1, 5, 10, 0)
        Reading = env["meter.reading"]
        started = time.perf_counter()
        gateways._poll(now)
        env.flush_all()
        concurrent = time.perf_counter() - started
        first = Reading.search_count([("meter_id.site_id", "=", site.id)])
        later = now + timedelta(minutes=15)
        started = time.perf_counter()
        for gateway in gateways:
            gateway._poll(later)
        env.flush_all()
        sequential = time.perf_counter() - started
        second = Reading.search_count([("meter_id.site_id", "=", site.id)]) - first
        cr.rollback()
    return concurrent, sequential, (first, second)


if __name__ == "__main__":
    sys.exit(main())
