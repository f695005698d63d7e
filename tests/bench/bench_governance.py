#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of reading governance (meter_base), side by side in one run:

* the bulk ingestion of the same rows on meters without a rule and on meters
  governed by a persistent rule (window, integers only, expired verification):
  the cost of enforcing rules on the bulk path;
* applying a rule persistently to B buildings;
* the nightly verification check of every meter;
* the data-quality check of the governed site (readings/s);
* estimating the next month of every meter (average method).

Run on a database where meter_base is installed:
``python3 tests/bench/bench_governance.py --conf .local/odoo.conf --db DB``.
Everything is rolled back at the end.
"""

import argparse
import time
from datetime import date, datetime
from unittest.mock import patch

from dateutil.relativedelta import relativedelta


def make_site(env, code, buildings, meters_per_building, commissioning):
    site = env["meter.site"].create({"name": f"Bench {code}", "code": code})
    blds = env["meter.building"].create(
        [{"name": f"{code}-{i}", "site_id": site.id} for i in range(buildings)]
    )
    electricity = env.ref("meter_base.resource_electricity")
    meters = env["meter.meter"].create(
        [
            {
                "name": f"{code}-{b.id}-{k}",
                "building_id": b.id,
                "resource_id": electricity.id,
                "commissioning_date": commissioning,
                "verification_interval_years": 8 + k % 3,
            }
            for b in blds
            for k in range(meters_per_building)
        ]
    )
    return site, blds, meters


def rows_for(meters, months, start):
    rows = []
    for meter in meters:
        value = 1000 + meter.id % 97
        for k in range(months):
            value += 80 + (meter.id * 7 + k * 13) % 40
            day = start + relativedelta(months=k, day=20)
            rows.append((meter.id, "T1", datetime(day.year, day.month, 20, 10), value))
    return rows


def timed(label, count, unit, func, report):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    report.append((label, count, unit, seconds))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--buildings", type=int, default=200)
    parser.add_argument("--meters-per-building", type=int, default=10)
    parser.add_argument("--months", type=int, default=13)
    args = parser.parse_args()

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    report = []
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        # Meters without a rule were commissioned in 2015: their verification
        # expired, the nightly check changes them (and logs it).
        _free_site, _free_blds, free_meters = make_site(
            env, "BFREE", args.buildings, args.meters_per_building, "2015-01-01"
        )
        site, blds, meters = make_site(
            env, "BRULE", args.buildings, args.meters_per_building, "2021-01-01"
        )
        electricity = env.ref("meter_base.resource_electricity")
        rule = env["meter.rule"].create(
            {
                "site_id": site.id,
                "resource_id": electricity.id,
                "window_first_day": 15,
                "window_last_day": 25,
                "integers_only": True,
                "accept_expired_verification": False,
                "norm_monthly": 100,
            }
        )
        timed(
            f"apply a rule persistently to {len(blds)} buildings",
            len(blds),
            "buildings",
            rule.action_apply_persistent,
            report,
        )
        env.flush_all()
        today = date.today()
        start = today.replace(day=1) - relativedelta(months=args.months)
        Reading = env["meter.reading"]
        free_rows = rows_for(free_meters, args.months, start)
        rule_rows = rows_for(meters, args.months, start)
        # Interleaved halves, so that both see the same table sizes.
        half = len(free_rows) // 2  # both sites have as many rows
        for part in (slice(None, half), slice(half, None)):
            timed(
                "bulk ingest, meters without a rule",
                len(free_rows[part]),
                "readings",
                lambda part=part: Reading._bulk_ingest(free_rows[part]),
                report,
            )
            timed(
                "bulk ingest, meters under a persistent rule",
                len(rule_rows[part]),
                "readings",
                lambda part=part: Reading._bulk_ingest(rule_rows[part]),
                report,
            )
        all_meters = free_meters | meters
        timed(
            "nightly verification check",
            len(all_meters),
            "meters",
            lambda: all_meters._check_verification(today),
            report,
        )
        Issue = env["meter.reading.issue"]
        issues = timed(
            "data-quality check of the governed site",
            len(rule_rows),
            "readings",
            lambda: Issue._check_sites(site),
            report,
        )
        Estimate = env["meter.reading.estimate"]
        estimates, _skipped = timed(
            "estimates of the next month (average)",
            len(meters),
            "meters",
            lambda: Estimate._estimate_missing(
                meters, "average", today.replace(day=1) + relativedelta(months=1)
            ),
            report,
        )
        with patch.object(
            registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
        ):
            timed(
                "verification cron (batches of 500)",
                len(all_meters),
                "meters",
                lambda: env["meter.meter"]._cron_check_verification(),
                report,
            )
        cr.rollback()

    print(
        f"bench governance: {args.buildings} buildings x "
        f"{args.meters_per_building} meters per site, {args.months} months; "
        f"{len(issues)} issues, {len(estimates)} estimates"
    )
    for label, count, unit, seconds in report:
        print(f"  {label:<48} {count / seconds:>10,.0f} {unit}/s  {seconds:7.2f} s")
    free = sum(r[3] for r in report if r[0].startswith("bulk ingest, meters without"))
    ruled = sum(r[3] for r in report if r[0].startswith("bulk ingest, meters under"))
    label = "rule enforcement overhead on the bulk path"
    print(f"  {label:<48} {ruled / free - 1:>10.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
