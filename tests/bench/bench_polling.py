#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of gateway polling (meterkit.drivers.poller, the layer the Odoo
cron of meter_hardware calls; no database involved).

200 simulated Eastron SDM630 meters behind 10 simulated Modbus TCP gateways
(real pymodbus servers on 127.0.0.1, each answer delayed by ``--latency`` ms
to mimic a real gateway). Measured side by side in one run:

* the project's poller: gateways polled concurrently, one connection and one
  request in flight per gateway (``poll_gateways(max_workers=10)``);
* the baseline: the same requests one at a time (``max_workers=1``);
* the computed floor of one RS485 bus at 9600 baud carrying the same requests
  (what a single serial line could do, whatever the software).

Every meter's counter is checked after each run (nothing missed).
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
    ok = read_p == read_b == args.meters and baseline / poller >= 5
    print("goal (>= 5x, every meter read):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
