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

Server mode (the issue's set-up): ``--url http://127.0.0.1:PORT`` sends the
requests over loopback to a running server (e.g. ``./scripts/run --workers 4``
on the same database), ``--concurrency`` residents at a time (50), each with
its own session; ``--server-log FILE`` (the server's log at level info) gives
the SQL queries of every request as the server counted them in its workers.
``--setup-only`` builds the data and stops; ``--reuse`` measures the data of
the last run again (no new data).
"""

import argparse
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

GOAL_P95_MS = 300
GOAL_QUERIES = 30
PASSWORD = "bench-portal-pw"
# werkzeug's request line in Odoo's log: method, path, status, then the
# server's own figures: SQL queries, SQL time, remaining time.
LOG_LINE = re.compile(r'"(?:GET|POST) (\S+) HTTP/[0-9.]+" (\d{3}) \S+ (\d+) ')


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


def reuse_data(env, residents):
    """The sampled residents of the last run (``--reuse``)."""
    site = env["meter.site"].search(
        [("name", "=", "Bench Portal")], order="id desc", limit=1
    )
    accesses = env["meter.portal.access"].search(
        [("site_id", "=", site.id), ("state", "=", "confirmed")],
        order="id",
        limit=residents,
    )
    return (
        [a.user_id.login for a in accesses],
        [a.unit_id.meter_ids[:1].id for a in accesses],
    )


def page_paths(meter_id):
    return {
        "home": "/my/home",
        "readings": "/my/meters",
        "history": f"/my/meters/{meter_id}",
        "chart": f"/my/meters/{meter_id}/chart",
    }


def measure_http(url, db, logins, meter_ids, rounds, concurrency, timeout=60):
    """Timings per page over loopback: ``concurrency`` residents at a time,
    each logs in and requests every page ``rounds`` times."""
    import requests

    def resident(login, meter_id):
        times = {}
        with requests.Session() as session:
            session.post(
                f"{url}/web/session/authenticate",
                json={"params": {"db": db, "login": login, "password": PASSWORD}},
                timeout=timeout,
            ).raise_for_status()
            for _round in range(rounds):
                for name, path in page_paths(meter_id).items():
                    t0 = time.perf_counter()
                    if name == "chart":
                        response = session.post(
                            url + path, json={"params": {}}, timeout=timeout
                        )
                    else:
                        response = session.get(url + path, timeout=timeout)
                    elapsed = (time.perf_counter() - t0) * 1000
                    if response.status_code != 200 or response.url != url + path:
                        raise SystemExit(f"{name}: HTTP {response.status_code}")
                    times.setdefault(name, []).append(elapsed)
        return times

    pages = {"home": [], "readings": [], "history": [], "chart": []}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for times in pool.map(resident, logins, meter_ids):
            for name, values in times.items():
                pages[name].extend(values)
    return pages


def queries_from_log(log, offset, meter_ids):
    """SQL queries of each measured request, as the server logged them."""
    wanted = {}
    for meter_id in meter_ids:
        for name, path in page_paths(meter_id).items():
            wanted[path] = name
    queries = {name: [] for name in ("home", "readings", "history", "chart")}
    with open(log, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        for line in handle:
            found = LOG_LINE.search(line)
            if found and found.group(1) in wanted:
                queries[wanted[found.group(1)]].append(int(found.group(3)))
    return queries


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
    parser.add_argument("--url", help="a running server (server mode)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--server-log", help="the server's log (server mode)")
    parser.add_argument("--timeout", type=float, default=60, help="per request, s")
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--reuse", action="store_true")
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
        if args.reuse:
            logins, meter_ids = reuse_data(env, args.residents)
        else:
            logins, meter_ids = make_data(
                env, args.units, args.meters, args.years, args.residents
            )
        readings = env["meter.reading"].search_count([])
    print(
        f"data: {readings} readings, {len(logins)} residents "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    if args.setup_only:
        return 0
    if args.url:
        offset = Path(args.server_log).stat().st_size if args.server_log else 0
        pages = measure_http(
            args.url,
            args.db,
            logins,
            meter_ids,
            args.rounds,
            args.concurrency,
            args.timeout,
        )
        time.sleep(1)  # the server writes its request lines after answering
        queries = (
            queries_from_log(args.server_log, offset, meter_ids)
            if args.server_log
            else {name: [0] for name in pages}
        )
    else:
        pages, queries = measure(args.db, logins, meter_ids, args.rounds)
    missed = False
    for name, times in pages.items():
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        most = max(queries[name] or [0])
        missed |= p95 > GOAL_P95_MS or most > GOAL_QUERIES
        print(
            f"{name:9s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"queries {statistics.median(queries[name] or [0]):.0f} (max {most}, "
            f"n={len(times)})"
        )
    return 3 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
