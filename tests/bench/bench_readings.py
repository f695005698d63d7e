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
        "CREATE TABLE bench_raw (meter_id int, register varchar, "
        "read_at timestamp, value numeric)"
    )
    started = time.perf_counter()
    buffer = io.StringIO()
    for meter_id, register, read_at, value in rows:
        buffer.write(f"{meter_id}\t{register}\t{read_at}\t{value}\n")
    buffer.seek(0)
    cr.copy_expert("COPY bench_raw FROM STDIN", buffer, size=1 << 20)
    return time.perf_counter() - started


def table_copy(env, rows, meters):
    """COPY of the same rows, already formatted with every column of
    meter_reading, into a fresh table shaped like it (same columns, indexes and
    constraints; foreign keys skipped as the bulk path does): no checks, no
    consumption, no idempotency. The ceiling of any path into this table."""
    cr = env.cr
    cr.execute("CREATE TABLE bench_clone (LIKE meter_reading INCLUDING ALL)")
    meter = meters[0]
    tail = (
        f"\timport\tvalid\tf\tf\tf\t1\t{meter.resource_id.id}\t\\N\t"
        f"{meter.building_id.id}\t{meter.site_id.id}\t{meter.company_id.id}\t1\t"
        "2026-01-01 00:00:00\t1\t2026-01-01 00:00:00\n"
    )
    cols = (
        "meter_id, register, read_at, value, consumption, source, state, "
        "is_rollover, is_opening, is_closing, author_id, resource_id, unit_id, "
        "building_id, site_id, company_id, create_uid, create_date, write_uid, "
        "write_date"
    )
    started = time.perf_counter()
    data = "".join(f"{m}\t{r}\t{t}\t{v}\t0{tail}" for m, r, t, v in rows)
    cr.copy_expert(f"COPY bench_clone ({cols}) FROM STDIN", io.StringIO(data))
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
        meters = make_meters(env, args.meters)
        env.flush_all()
        start = datetime(2020, 1, 1, 22, 0)
        rows = build_rows(meters.ids, args.per_meter, start)
        count = len(rows)

        copy_s = raw_copy(env, rows)
        table_s = table_copy(env, rows, meters)
        t0 = time.perf_counter()
        result = env["meter.reading"]._bulk_ingest(rows)
        bulk_s = time.perf_counter() - t0
        assert result["created"] == count, result
        t0 = time.perf_counter()
        again = env["meter.reading"]._bulk_ingest(rows[: args.orm])
        replay_s = time.perf_counter() - t0
        assert again["created"] == 0, again

        # one more day at the usual daily consumption (10-59 kWh): a value far
        # above it would be refused as unusual consumption, not timed
        later = start + timedelta(days=args.per_meter + 1)
        orm_meters = meters[: args.orm]
        last = {meter_id: value for meter_id, _reg, _at, value in rows}
        vals = [
            {"meter_id": m.id, "read_at": later, "value": last[m.id] + 30}
            for m in orm_meters
        ]
        t0 = time.perf_counter()
        env["meter.reading"].create(vals)
        env.flush_all()
        orm_s = time.perf_counter() - t0
        cr.rollback()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = [
        ("raw COPY into a scratch table", count, copy_s),
        ("COPY straight into meter_reading (ceiling)", count, table_s),
        ("bulk path meter.reading.ingest", count, bulk_s),
        (f"idempotent replay of {args.orm} stored rows", args.orm, replay_s),
        (f"ORM create(vals_list) of {len(vals)}", len(vals), orm_s),
    ]
    print(f"bench readings: {args.meters} meters, {count} readings")
    for label, rows_n, seconds in report:
        print(f"  {label:<45} {rows_n / seconds:>10,.0f} readings/s  {seconds:7.2f} s")
    ratio = copy_s / bulk_s
    verdict = "met" if ratio >= 1 / 3 else "NOT met"
    print(f"  {'bulk / raw COPY':<45} {ratio:>10.2f}  (goal >= 0.33: {verdict})")
    print(f"  {'ceiling / raw COPY':<45} {copy_s / table_s:>10.2f}")
    print(f"  {'bulk / ceiling':<45} {table_s / bulk_s:>10.2f}")
    print(f"  {'peak RSS of this process':<45} {peak_mb:>10,.0f} MB")
    return 0 if copy_s / bulk_s >= 1 / 3 else 3  # 3: the goal is missed


if __name__ == "__main__":
    raise SystemExit(main())
