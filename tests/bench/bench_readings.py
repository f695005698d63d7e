#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the bulk ingestion path of readings (meter_base).

Run by ``./scripts/test bench`` on the test database (meter_base installed).
Measured side by side in one run, in one database:

* the project's bulk path ``meter.reading._bulk_ingest`` for N readings of M
  meters (validation, idempotency, consumption computed set-wise);
* a raw ``COPY`` of the same rows into a scratch table (the floor);
* the ORM ``create(vals_list)`` for 10,000 readings (consumption by meterkit).

Everything is rolled back at the end. Prints readings/s and the ratios.
"""

import argparse
import io
import resource
import time
from datetime import datetime, timedelta


def build_rows(meter_ids, per_meter, start):
    rows = []
    for meter_id in meter_ids:
        value = 1000.0 + meter_id % 97
        for k in range(per_meter):
            value += 10 + (meter_id * 7 + k * 13) % 50
            rows.append((meter_id, "T1", start + timedelta(days=k), round(value, 2)))
    return rows


def make_meters(env, count):
    site = env["meter.site"].create({"name": "Bench Site", "code": "BENCH"})
    building = env["meter.building"].create({"name": "Bench", "site_id": site.id})
    resource_el = env.ref("meter_base.resource_electricity")
    vals = [
        {
            "name": f"BENCH-{i:06d}",
            "building_id": building.id,
            "resource_id": resource_el.id,
        }
        for i in range(count)
    ]
    return env["meter.meter"].create(vals)


def raw_copy(env, rows):
    cr = env.cr
    cr.execute(
        "CREATE TEMP TABLE bench_raw (meter_id int, register varchar, "
        "read_at timestamp, value numeric)"
    )
    started = time.perf_counter()
    buffer = io.StringIO()
    for meter_id, register, read_at, value in rows:
        buffer.write(f"{meter_id}\t{register}\t{read_at}\t{value}\n")
    buffer.seek(0)
    cr.copy_expert("COPY bench_raw FROM STDIN", buffer, size=1 << 20)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--per-meter", type=int, default=100)
    parser.add_argument("--orm", type=int, default=10_000)
    args = parser.parse_args()

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        t0 = time.perf_counter()
        meters = make_meters(env, args.meters)
        env.flush_all()
        setup_s = time.perf_counter() - t0
        start = datetime(2020, 1, 1, 22, 0)
        rows = build_rows(meters.ids, args.per_meter, start)
        count = len(rows)

        copy_s = raw_copy(env, rows)
        t0 = time.perf_counter()
        result = env["meter.reading"]._bulk_ingest(rows)
        bulk_s = time.perf_counter() - t0
        assert result["created"] == count, result
        t0 = time.perf_counter()
        again = env["meter.reading"]._bulk_ingest(rows[: args.orm])
        replay_s = time.perf_counter() - t0
        assert again["created"] == 0, again

        later = start + timedelta(days=args.per_meter + 1)
        orm_meters = meters[: args.orm]
        vals = [
            {"meter_id": m.id, "read_at": later, "value": 10_000_000.0}
            for m in orm_meters
        ]
        t0 = time.perf_counter()
        env["meter.reading"].create(vals)
        env.flush_all()
        orm_s = time.perf_counter() - t0
        cr.rollback()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bench readings: {args.meters} meters, {count} readings "
        f"(setup of meters {setup_s:.1f} s)"
    )
    print(
        f"  raw COPY into scratch table : {count / copy_s:>12,.0f} readings/s "
        f"({copy_s:.2f} s)"
    )
    print(
        f"  bulk path _bulk_ingest      : {count / bulk_s:>12,.0f} readings/s "
        f"({bulk_s:.2f} s)"
    )
    print(f"  bulk / raw COPY ratio       : {copy_s / bulk_s:>12.2f}  (goal >= 0.33)")
    print(
        f"  idempotent replay ({args.orm})   : {args.orm / replay_s:>12,.0f} readings/s"
    )
    print(
        f"  ORM create(vals_list) {len(vals)}: {len(vals) / orm_s:>12,.0f} readings/s "
        f"({orm_s:.2f} s)"
    )
    print(f"  peak RSS                    : {peak_mb:>12,.0f} MB")
    return 0 if copy_s / bulk_s >= 1 / 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
