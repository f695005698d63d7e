#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of 15-minute interval data (meter_base ``meter.interval``, read
through ``meter.consumption``).

Run by ``./scripts/test bench`` on the test database (meter_base installed).
Measured side by side in one run, in one database:

* a raw ``COPY`` of N interval rows into a scratch table (the floor);
* the bulk path ``meter.interval._bulk_load`` of the same rows (parsing, meter
  and register checks, conflict checks, ``INSERT ... ON CONFLICT DO NOTHING``),
  fed by a generator (the rows are never all in memory);
* an idempotent replay of 100,000 stored rows;
* the ORM ``create(vals_list)`` of 10,000 rows;
* the batched reads of ``meter.consumption`` over one month of every meter:
  energy per time-of-use band (``_interval_bands``), maximum demand
  (``_interval_peaks``), and the totals of every meter for four 31-day
  periods in one call (``_interval_totals``).

Everything is rolled back at the end. Prints rows/s, the ratios and peak memory.
"""

import argparse
import io
import resource
import time
from datetime import datetime, timedelta
from itertools import islice

BAND_TABLES = {
    "weekday": (
        ("00:00", "valley"),
        ("08:00", "peak"),
        ("12:00", "flat"),
        ("22:00", "valley"),
    ),
    "weekend": (("00:00", "valley"),),
}
START = datetime(2026, 1, 1)  # UTC


def interval_rows(meter_ids, per_meter):
    """(meter_id, "T1", start, kWh) for ``per_meter`` quarter-hours per meter."""
    step = timedelta(minutes=15)
    for meter_id in meter_ids:
        start = START
        for k in range(per_meter):
            yield meter_id, "T1", start, f"{(meter_id * 7 + k * 13) % 400 / 100:.2f}"
            start += step


def make_meters(env, count):
    site = env["meter.site"].create({"name": "Bench Site", "code": "BENCHI"})
    building = env["meter.building"].create({"name": "Bench", "site_id": site.id})
    resource_el = env.ref("meter_base.resource_electricity")
    return env["meter.meter"].create(
        [
            {
                "name": f"IV-{i:06d}",
                "building_id": building.id,
                "resource_id": resource_el.id,
            }
            for i in range(count)
        ]
    )


def calendar():
    from meterkit import TouCalendar, TouSeason

    tables = {
        day_type: tuple(
            (datetime.strptime(hhmm, "%H:%M").time(), band) for hhmm, band in slots
        )
        for day_type, slots in BAND_TABLES.items()
    }
    return TouCalendar((TouSeason("year", (1, 1), tables),), tz="Asia/Shanghai")


def raw_copy(env, rows):
    cr = env.cr
    cr.execute(
        "CREATE TEMP TABLE bench_interval_raw (meter_id int, register varchar, "
        "start timestamp, value numeric)"
    )
    started = time.perf_counter()
    buffer = io.StringIO()
    for meter_id, register, start, value in rows:
        buffer.write(f"{meter_id}\t{register}\t{start}\t{value}\n")
    buffer.seek(0)
    cr.copy_expert("COPY bench_interval_raw FROM STDIN", buffer, size=1 << 20)
    return time.perf_counter() - started


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--meters", type=int, default=100)
    parser.add_argument(
        "--per-meter", type=int, default=10_000, help="quarter-hours per meter"
    )
    parser.add_argument("--replay", type=int, default=100_000)
    parser.add_argument("--orm", type=int, default=10_000)
    args = parser.parse_args()

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    if "meter.interval" not in registry:
        print("bench interval: meter_base is not installed on", args.db)
        return 0
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        Interval = env["meter.interval"]
        meters = make_meters(env, args.meters)
        env.flush_all()
        count = args.meters * args.per_meter

        copy_s = raw_copy(env, interval_rows(meters.ids, args.per_meter))
        result, bulk_s = timed(
            Interval._bulk_load, interval_rows(meters.ids, args.per_meter)
        )
        assert result == {"created": count, "duplicates": 0}, result
        # sizes measured on a fresh copy (rolled-back runs leave the real
        # table's indexes bloated until a VACUUM)
        cr.execute(
            "CREATE TEMP TABLE bench_interval_size (LIKE meter_interval INCLUDING ALL);"
            "INSERT INTO bench_interval_size SELECT * FROM meter_interval;"
            "SELECT pg_relation_size('bench_interval_size'), "
            "pg_indexes_size('bench_interval_size'), "
            "(SELECT count(*) FROM bench_interval_size)"
        )
        table_bytes, index_bytes, stored = cr.fetchone()
        replay = list(islice(interval_rows(meters.ids, args.per_meter), args.replay))
        again, replay_s = timed(Interval._bulk_load, replay)
        assert again["created"] == 0, again

        later = START + timedelta(minutes=15 * args.per_meter)
        vals = [
            {
                "meter_id": meters[i % len(meters)].id,
                "register": "T1",
                "start": later + timedelta(minutes=15 * (i // len(meters))),
                "value": 1.0,
            }
            for i in range(args.orm)
        ]
        t0 = time.perf_counter()
        Interval.create(vals)
        env.flush_all()
        orm_s = time.perf_counter() - t0

        month_end = START + timedelta(days=31)
        month_rows = args.meters * min(args.per_meter, 31 * 96)
        reads = env["meter.consumption"]
        month = [(START, month_end)]
        bands, bands_s = timed(reads._interval_bands, meters, month, calendar())
        assert len(bands) == args.meters
        demand, demand_s = timed(reads._interval_peaks, meters, month)
        assert len(demand) == args.meters
        months = [
            (START + timedelta(days=31 * k), START + timedelta(days=31 * (k + 1)))
            for k in range(4)
        ]
        totals, totals_s = timed(reads._interval_totals, meters, months)
        assert len(totals) == 4 * args.meters
        cr.rollback()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = [
        ("raw COPY into a scratch table (floor)", count, copy_s),
        ("bulk path meter.interval._bulk_load", count, bulk_s),
        (f"idempotent replay of {len(replay)} stored rows", len(replay), replay_s),
        (f"ORM create(vals_list) of {len(vals)}", len(vals), orm_s),
        ("band consumption, one month of every meter", month_rows, bands_s),
        ("max demand, one month of every meter", month_rows, demand_s),
        ("totals, 4 periods of every meter in one call", count, totals_s),
    ]
    print(f"bench interval: {args.meters} meters, {count} interval rows")
    for label, rows_n, seconds in report:
        print(f"  {label:<45} {rows_n / seconds:>12,.0f} rows/s  {seconds:7.2f} s")
    print(f"  {'bulk / raw COPY':<45} {copy_s / bulk_s:>12.2f}")
    speedup = (count / bulk_s) / (len(vals) / orm_s)
    print(f"  {'bulk / ORM create (rows/s)':<45} {speedup:>12.1f}")
    print(
        f"  {'table + indexes per stored row':<45} {table_bytes / stored:>9.0f} + "
        f"{index_bytes / stored:.0f} bytes"
    )
    print(f"  {'peak RSS of this process':<45} {peak_mb:>12,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
