#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the resident portal (meter_portal).

Builds UNITS units with METERS meters each and YEARS years of monthly readings
(loaded through meter.reading.ingest), an occupancy per unit and a confirmed
portal access for RESIDENTS of them, commits, then requests as each sampled
resident, through Odoo's WSGI application in this process (werkzeug test
client: routing, auth, ORM, record rules and QWeb, no network, one worker):
the home page, the readings page, a meter's history page and its chart data.

Prints p50/p95 in ms and the SQL queries per request of each page (goals:
p95 <= 300 ms, <= 30 queries). The issue's full size is ``--units 2000
--meters 10 --years 10``; the defaults are scaled down. The data is committed:
run it on a throw-away database. Exits 3 when it ran but missed a goal.
"""

import argparse
import statistics
import sys
import time
from datetime import datetime

GOAL_P95_MS = 300
GOAL_QUERIES = 30
PASSWORD = "bench-portal-pw"


def make_data(env, units, meters, years, residents):
    """Units, meters, readings, occupancies and confirmed accesses; return the
    sampled residents' logins and one meter id of each."""
    tag = f"{time.time_ns() % 10**9:09d}"  # names unique across runs
    site = env["meter.site"].create(
        {"name": "Bench Portal", "code": f"BP{tag}", "tz": "UTC"}
    )
    building = env["meter.building"].create({"name": "Bench P", "site_id": site.id})
    resources = [
        env.ref(f"meter_base.resource_{code}")
        for code in ("heat", "hot_water", "cold_water", "electricity")
    ]
    unit_recs = env["meter.unit"].create(
        [{"name": f"BP{tag}-{i:05d}", "building_id": building.id} for i in range(units)]
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Resident {i:05d}", "email": f"r{tag}-{i:05d}@bench.example"}
            for i in range(units)
        ]
    )
    occupancies = env["meter.occupancy"].create(
        [
            {"unit_id": u.id, "partner_id": p.id, "date_start": f"{2026 - years}-01-01"}
            for u, p in zip(unit_recs, partners, strict=True)
        ]
    )
    meter_recs = env["meter.meter"].create(
        [
            {
                "name": f"BPM{u.name}-{k}",
                "unit_id": u.id,
                "resource_id": resources[k % len(resources)].id,
            }
            for u in unit_recs
            for k in range(meters)
        ]
    )
    rows = []
    for meter in meter_recs:
        for month in range(years * 12):
            at = datetime(2026 - years + month // 12, month % 12 + 1, 5, 6, 0)
            rows.append((meter.id, "T1", at, 10 * (month + 1)))
        if len(rows) > 200_000:
            env["meter.reading.ingest"]._ingest(rows, source="import")
            rows = []
    if rows:
        env["meter.reading.ingest"]._ingest(rows, source="import")
    Access = env["meter.portal.access"]
    logins, meter_ids = [], []
    for occupancy in occupancies[:residents]:
        access = Access.create({"occupancy_id": occupancy.id})
        code = access._issue_codes()[access]
        user = Access._find_by_code(code)._register_occupant(PASSWORD)
        logins.append(user.login)
        meter_ids.append(occupancy.unit_id.meter_ids[:1].id)
    env.flush_all()
    env.cr.execute("ANALYZE meter_reading, meter_meter, meter_unit, meter_occupancy")
    return logins, meter_ids


def measure(db, logins, meter_ids, rounds):
    """Timings and query counts per page over every resident and round."""
    from werkzeug.test import Client

    import odoo.http
    import odoo.sql_db

    pages = {"home": [], "readings": [], "history": [], "chart": []}
    queries = {name: [] for name in pages}
    local = {"REMOTE_ADDR": "127.0.0.1"}
    for login, meter_id in zip(logins, meter_ids, strict=True):
        client = Client(odoo.http.root)
        client.post(
            "/web/session/authenticate",
            json={"params": {"db": db, "login": login, "password": PASSWORD}},
            environ_base=local,
        )
        requests = {
            "home": lambda c=client: c.get("/my/home", environ_base=local),
            "readings": lambda c=client: c.get("/my/meters", environ_base=local),
            "history": lambda c=client, m=meter_id: c.get(
                f"/my/meters/{m}", environ_base=local
            ),
            "chart": lambda c=client, m=meter_id: c.post(
                f"/my/meters/{m}/chart", json={"params": {}}, environ_base=local
            ),
        }
        for _round in range(rounds):
            for name, call in requests.items():
                before = odoo.sql_db.sql_counter
                t0 = time.perf_counter()
                response = call()
                pages[name].append((time.perf_counter() - t0) * 1000)
                queries[name].append(odoo.sql_db.sql_counter - before)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
    return pages, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--meters", type=int, default=10)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import odoo  # noqa: F401
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    if "meter.portal.access" not in registry:
        print("bench_portal: meter_portal is not installed, skipped")
        return 0
    t0 = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        logins, meter_ids = make_data(
            env, args.units, args.meters, args.years, args.residents
        )
    print(
        f"setup: {args.units} units x {args.meters} meters x {args.years * 12} "
        f"readings, {len(logins)} residents in {time.perf_counter() - t0:.1f} s"
    )
    pages, queries = measure(args.db, logins, meter_ids, args.rounds)
    missed = False
    for name, times in pages.items():
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        most = max(queries[name])
        missed |= p95 > GOAL_P95_MS or most > GOAL_QUERIES
        print(
            f"{name:9s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"queries {statistics.median(queries[name]):.0f} (max {most})"
        )
    return 3 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
