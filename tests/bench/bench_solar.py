#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of solar sharing in a self-consumption community
(meter_billing ``meter.solar.community``).

Run by ``./scripts/test bench`` on the test database (meter_billing
installed). A community of ``--participants`` (50) billing points, one PV
meter and one grid meter, ``--days`` (365) of 15-minute data: 52 x 35,040 =
about 1.8 million interval rows, loaded with ``meter.interval._bulk_load``.
Measured side by side in one run, in one database:

* the floor: one plain SQL aggregation of the same rows (sum per meter and
  month), what any reader of the data has to pay (the best of three runs);
* the sharing of every month (``action_compute``): reading the series
  through ``meter.consumption._interval_arrays`` (from the packed copy the
  bulk load built), cleaning, sharing per interval with ``meterkit.solar``
  and storing the shares per participant and month (with their days);
* the billing run of January on top (compute, invoice, post; solar and grid
  lines).

Goal: sharing within 3x the floor (exit 3 when missed). ``--days 31`` runs a
month in a few seconds (the times grow linearly with the days). Everything is
rolled back at the end.
"""

import argparse
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

START = datetime(2026, 1, 1)  # UTC
STEP = timedelta(minutes=15)


def production_kwh(k):
    """PV of 100 kWp: a bell from 06:00 to 18:00 UTC, peak 25 kWh per
    quarter-hour at noon, scaled by the season."""
    slot = k % 96
    day = k // 96
    season = 0.4 + 0.6 * (1 - abs(day % 365 - 172) / 182)
    if not 24 <= slot < 72:
        return 0
    return round(25 * season * (1 - abs(slot - 48) / 24), 4)


def consumption_kwh(index, k):
    """A participant's quarter-hour: a base load plus an evening bump."""
    slot = k % 96
    evening = 0.3 if 68 <= slot < 88 else 0
    return round(0.05 + (index * 7 + k * 13) % 40 / 100 + evening, 4)


def interval_rows(pv, grid, meters, count):
    for k in range(count):
        start = START + k * STEP
        produced = production_kwh(k)
        total = 0
        for index, meter_id in enumerate(meters):
            value = consumption_kwh(index, k)
            total += value
            yield meter_id, "T1", start, f"{value:.4f}"
        yield pv, "T1", start, f"{produced:.4f}"
        yield grid, "T1", start, f"{max(0, total - produced):.4f}"


def make_community(env, participants):
    from odoo.fields import Command

    site = env["meter.site"].create({"name": "Bench ZEV", "code": "BZEV", "tz": "UTC"})
    building = env["meter.building"].create({"name": "ZEV", "site_id": site.id})
    power = env.ref("meter_base.resource_electricity")
    product = env["product.product"].create({"name": "ZEV energy", "type": "service"})
    tariff = env["meter.tariff"].create(
        {
            "name": "ZEV",
            "version_ids": [
                Command.create(
                    {
                        "date_from": "2025-01-01",
                        "component_ids": [
                            Command.create(
                                {
                                    "name": name,
                                    "product_id": product.id,
                                    "component_type": "energy",
                                    "part": part,
                                    "price": price,
                                }
                            )
                            for name, part, price in (
                                ("Solar", "solar", 0.20),
                                ("Grid", "grid", 0.30),
                            )
                        ],
                    }
                )
            ],
        }
    )
    units = env["meter.unit"].create(
        [{"name": f"Z{i:03d}", "building_id": building.id} for i in range(participants)]
    )
    partners = env["res.partner"].create(
        [{"name": f"Resident {i}"} for i in range(participants)]
    )
    env["meter.occupancy"].create(
        [
            {
                "unit_id": unit.id,
                "partner_id": partner.id,
                "role": "tenant",
                "date_start": "2025-01-01",
            }
            for unit, partner in zip(units, partners, strict=True)
        ]
    )
    meters = env["meter.meter"].create(
        [
            {
                "name": f"ZEV-{i:03d}",
                "unit_id": unit.id,
                "resource_id": power.id,
                "commissioning_date": "2025-01-01",
            }
            for i, unit in enumerate(units)
        ]
    )
    pv, grid = env["meter.meter"].create(
        [
            {
                "name": name,
                "building_id": building.id,
                "resource_id": power.id,
                "commissioning_date": "2025-01-01",
            }
            for name in ("ZEV-PV", "ZEV-GRID")
        ]
    )
    points = env["meter.billing.point"].create(
        [
            {
                "unit_id": unit.id,
                "meter_ids": [Command.set(meter.ids)],
                "tariff_line_ids": [
                    Command.create({"tariff_id": tariff.id, "date_from": "2025-01-01"})
                ],
            }
            for unit, meter in zip(units, meters, strict=True)
        ]
    )
    community = env["meter.solar.community"].create(
        {
            "name": "Bench ZEV",
            "site_id": site.id,
            "production_meter_ids": [Command.set(pv.ids)],
            "grid_meter_id": grid.id,
            "peak_power_kw": 100.0,
            "participant_ids": [
                Command.create({"billing_point_id": p.id}) for p in points
            ],
        }
    )
    return community, meters, pv, grid


def january_readings(env, meters):
    """Readings of 1 January and 1 February matching the interval sums."""
    from odoo.tools import SQL

    rows = env.execute_query_dict(
        SQL(
            "SELECT meter_id, sum(value) AS total FROM meter_interval "
            "WHERE meter_id IN %s AND start < %s GROUP BY meter_id",
            tuple(meters.ids),
            START + timedelta(days=31),
        )
    )
    env["meter.reading"].create(
        [
            {"meter_id": row["meter_id"], "read_at": at, "value": value}
            for row in rows
            for at, value in (
                ("2026-01-01 00:00:00", 0),
                ("2026-02-01 00:00:00", float(row["total"])),
            )
        ]
    )


def timed(function, *args):
    t0 = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()

    from bench_billing import ensure_chart

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.fields import Command
    from odoo.modules.registry import Registry
    from odoo.tools import SQL, config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    if "meter.solar.community" not in registry:
        print("bench solar: meter_billing is not installed on", args.db)
        return 0
    count = args.days * 96
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        ensure_chart(env)
        community, meters, pv, grid = make_community(env, args.participants)
        env.flush_all()
        loaded, load_s = timed(
            env["meter.interval"]._bulk_load,
            interval_rows(pv.id, grid.id, meters.ids, count),
        )
        rows = loaded["created"]
        cr.execute("ANALYZE meter_interval")
        all_meters = (meters | pv | grid).ids
        end = START + count * STEP
        floor_query = SQL(
            "SELECT meter_id, date_trunc('month', start), sum(value) "
            "FROM meter_interval WHERE meter_id IN %s AND start >= %s "
            "AND start < %s GROUP BY 1, 2",
            tuple(all_meters),
            START,
            end,
        )
        # the best of three: the first scan after the load is the slowest
        floor_s = min(timed(env.execute_query, floor_query)[1] for _run in range(3))
        last_day = (end - timedelta(days=1)).date()
        t0 = time.perf_counter()
        community.action_compute(START.date(), last_day)
        env.flush_all()
        share_s = time.perf_counter() - t0
        months = community.month_ids
        assert len(months) == (last_day.year - 2026) * 12 + last_day.month, months
        assert sum(months.mapped("filled_count")) == 0
        january_readings(env, meters)
        run = env["meter.billing.run"].create(
            {
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 1, 31),
                "site_ids": [Command.set(community.site_id.ids)],
            }
        )
        env.flush_all()
        t0 = time.perf_counter()
        for state in ("computing", "invoicing", "posting"):
            run.write({"state": state})
            run._process(commit=False)
            env.flush_all()
        run_s = time.perf_counter() - t0
        assert len(run.move_ids) == args.participants, run.blocked_count
        self_sufficiency = sum(months.mapped("self_consumed")) / sum(
            months.mapped("consumption")
        )
        cr.rollback()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bench solar: {args.participants} participants + PV + grid meter, "
        f"{args.days} days, {rows:,} interval rows"
    )
    report = [
        ("bulk load (setup)", rows, load_s),
        ("plain SQL aggregation per meter and month (floor)", rows, floor_s),
        ("sharing of every month (read, share, store)", rows, share_s),
    ]
    for label, n, seconds in report:
        print(f"  {label:<52} {n / seconds:>12,.0f} rows/s  {seconds:7.2f} s")
    print(f"  {'billing run of January (compute, invoice, post)':<52} {run_s:>29.2f} s")
    print(f"  {'self-sufficiency of the year':<52} {self_sufficiency:>12.1%}")
    ratio = share_s / floor_s
    print(f"  {'sharing / floor (goal <= 3)':<52} {ratio:>12.1f}")
    print(f"  {'peak RSS of this process':<52} {peak_mb:>12,.0f} MB")
    return 0 if ratio <= 3 else 3


if __name__ == "__main__":
    raise SystemExit(main())
