#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the resident portal (meter_portal).

Builds UNITS units with METERS meters each and YEARS years of monthly readings
(one INSERT ... SELECT generate_series writing what meter.reading.ingest
writes; the full size is set up in about 4 minutes, half of it the residents'
password hashes), an occupancy per unit and a confirmed portal access for
RESIDENTS of them, commits, then requests as each sampled resident, through
Odoo's WSGI application in this process (werkzeug test client: routing, auth,
ORM, record rules and QWeb, no network, one worker):
the home page, the readings page, a meter's history page and its chart data.

Prints p50/p95 in ms and the SQL queries per request of each page (goals:
p95 <= 300 ms, <= 30 queries), the load average of the machine before and
after, and apart the warm-up round: each resident's first request of each
page, where Odoo builds its per-user caches (groups, record rules). The
issue's full size is ``--units 2000 --meters 10 --years 10``; the defaults are
scaled down. The data is committed: run it on a throw-away database. Exits 3
when it ran but missed a goal.

Server mode (the issue's set-up): ``--url http://127.0.0.1:PORT`` sends the
requests over loopback to a running server (e.g. ``./scripts/run --workers 4``
on the same database), ``--concurrency`` residents at a time (50), each with
its own session; ``--server-log FILE`` (the server's log at level info) gives
the SQL queries and the server's own time of every request as the server
counted them in its workers (the client's time adds the wait for a free
worker: 50 residents share 4 workers).
``--setup-only`` builds the data and stops; ``--reuse`` measures the data of
the last run again (no new data).
"""

import argparse
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

GOAL_P95_MS = 300
GOAL_QUERIES = 30
PASSWORD = "bench-portal-pw"
CONNECT_TIMEOUT = 10  # s per attempt; a refused connection is tried again
# werkzeug's request line in Odoo's log: method, path, status, then the
# server's own figures: SQL queries, SQL time, remaining time (seconds).
PAGES = ("home", "readings", "history", "chart")
LOG_LINE = re.compile(
    r'"(?:GET|POST) (\S+) HTTP/[0-9.]+" (\d{3}) \S+ (\d+) ([0-9.]+) ([0-9.]+)'
)


def make_data(env, units, meters, years, residents):
    """Units, meters, readings, occupancies and confirmed accesses; return the
    sampled residents' logins and one meter id of each.

    The few thousand records that carry business logic (units, partners,
    occupancies, meters, the residents' accesses and users) are created by
    the ORM in batches; the readings are written by one ``INSERT ... SELECT``
    over ``generate_series``, with exactly the columns and values
    ``meter.reading.ingest`` writes for such a chain (monthly values 10, 20,
    ...: the first consumption 0, then 10 x the meter's multiplier of 1),
    then the meters' ``last_read_at`` is refreshed as ingestion does.
    """
    from odoo.tools import SQL

    tag = f"{time.time_ns() % 10**9:09d}"  # names unique across runs
    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
    )
    steps = Steps()
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
    env.flush_all()
    steps.done(f"{units} units, partners and occupancies")
    meter_recs = env["meter.meter"]
    batch = 2000
    for start in range(0, units * meters, batch):
        meter_recs |= env["meter.meter"].create(
            [
                {
                    "name": f"BPM{unit_recs[n // meters].name}-{n % meters}",
                    "unit_id": unit_recs[n // meters].id,
                    "resource_id": resources[n % meters % len(resources)].id,
                }
                for n in range(start, min(start + batch, units * meters))
            ]
        )
        env.flush_all()
        env.invalidate_all()
    steps.done(f"{len(meter_recs)} meters")
    # As meter.reading.ingest does as a superuser: every reference written
    # is read from the meter rows, the foreign-key triggers are skipped.
    superuser = env.execute_query(
        SQL("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    )[0][0]
    if superuser:
        env.cr.execute(SQL("SET LOCAL session_replication_role = replica"))
    env.cr.execute(
        SQL(
            """
            INSERT INTO meter_reading (
                meter_id, register, read_at, value, consumption, source, state,
                is_rollover, is_opening, is_closing, author_id, resource_id,
                unit_id, building_id, site_id, company_id,
                create_uid, create_date, write_uid, write_date)
            SELECT m.id, 'T1',
                   make_timestamp(%(first)s, 1, 5, 6, 0, 0)
                       + make_interval(months => n),
                   10 * (n + 1), CASE WHEN n = 0 THEN 0 ELSE 10 END,
                   'import', 'valid', false, false, false, %(uid)s, m.resource_id,
                   m.unit_id, m.building_id, m.site_id, m.company_id,
                   %(uid)s, now() at time zone 'UTC', %(uid)s,
                   now() at time zone 'UTC'
              FROM meter_meter m, generate_series(0, %(months)s - 1) n
             WHERE m.id = ANY(%(ids)s)
             ORDER BY m.id, n
            """,
            first=2026 - years,
            months=years * 12,
            uid=env.uid,
            ids=meter_recs.ids,
        )
    )
    count = env.cr.rowcount
    if superuser:
        env.cr.execute(SQL("SET LOCAL session_replication_role = DEFAULT"))
    steps.done(f"{count} readings (INSERT ... SELECT generate_series)")
    env["meter.meter"]._refresh_last_read(meter_recs.ids)
    env.cr.execute(
        SQL("ANALYZE meter_reading, meter_meter, meter_unit, meter_occupancy")
    )
    steps.done("last reading instants and statistics")
    Access = env["meter.portal.access"]
    logins, meter_ids = [], []
    for occupancy in occupancies[:residents]:
        access = Access.create({"occupancy_id": occupancy.id})
        code = access._issue_codes()[access]
        user = Access._find_by_code(code)._register_occupant(PASSWORD)
        logins.append(user.login)
        meter_ids.append(occupancy.unit_id.meter_ids[:1].id)
    env.flush_all()
    steps.done(f"{residents} confirmed accesses and portal users")
    return logins, meter_ids


class Steps:
    """Prints the seconds each step of the set-up took."""

    def __init__(self):
        self.t0 = time.perf_counter()

    def done(self, what):
        now = time.perf_counter()
        print(f"  setup: {what} ({now - self.t0:.1f} s)", flush=True)
        self.t0 = now


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


def measure_http(url, db, logins, meter_ids, rounds, concurrency, timeout=60, log=None):
    """Timings and queries per page over loopback: ``concurrency`` residents
    at a time, each with its own session. First every resident logs in and
    requests every page once (the warm-up round: a worker's first request of
    a user builds Odoo's caches of that user's groups and record rules), then
    every resident requests every page ``rounds`` times. Returns the warm-up
    and the measured ``(timings, queries)``; queries are read from the
    server's ``log`` (none without it)."""
    import requests
    from urllib3.util.retry import Retry

    sessions = {}
    timeout = (CONNECT_TIMEOUT, timeout)

    def run(login, meter_id, count):
        times = {}
        session = sessions.get(login)
        if session is None:
            session = sessions[login] = requests.Session()
            # More residents than the server's listen backlog (8 per worker)
            # connect at once: the kernel drops or resets the connections it
            # cannot queue. They are tried again (every page measured only
            # reads, the chart's POST too) and the wait counts in the time.
            session.mount(
                "http://",
                requests.adapters.HTTPAdapter(
                    max_retries=Retry(
                        total=20,
                        status=0,
                        backoff_factor=0.1,
                        allowed_methods=None,
                    )
                ),
            )
            session.post(
                f"{url}/web/session/authenticate",
                json={"params": {"db": db, "login": login, "password": PASSWORD}},
                timeout=timeout,
            ).raise_for_status()
        for _round in range(count):
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

    def phase(count):
        offset = Path(log).stat().st_size if log else 0
        pages = {name: [] for name in PAGES}
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for times in pool.map(run, logins, meter_ids, [count] * len(logins)):
                for name, values in times.items():
                    pages[name].extend(values)
        time.sleep(1)  # the server writes its request lines after answering
        if not log:
            return pages, {name: [0] for name in PAGES}, None
        return pages, *queries_from_log(log, offset, meter_ids)

    try:
        return phase(1), phase(rounds)
    finally:
        for session in sessions.values():
            session.close()


def queries_from_log(log, offset, meter_ids):
    """SQL queries and the server's own time in ms (SQL and the rest, from
    the request's start in the worker: no queueing, no network) of each
    measured request, as the server logged them."""
    wanted = {}
    for meter_id in meter_ids:
        for name, path in page_paths(meter_id).items():
            wanted[path] = name
    queries = {name: [] for name in PAGES}
    server = {name: [] for name in PAGES}
    with open(log, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        for line in handle:
            found = LOG_LINE.search(line)
            if found and found.group(1) in wanted:
                name = wanted[found.group(1)]
                queries[name].append(int(found.group(3)))
                server[name].append(
                    (float(found.group(4)) + float(found.group(5))) * 1000
                )
    return queries, server


def measure(db, logins, meter_ids, rounds):
    """Timings and query counts per page in this process: the warm-up round
    (each resident's first request of each page) and the ``rounds`` after."""
    from werkzeug.test import Client

    import odoo.http
    import odoo.sql_db

    warm = ({name: [] for name in PAGES}, {name: [] for name in PAGES})
    measured = ({name: [] for name in PAGES}, {name: [] for name in PAGES})
    local = {"REMOTE_ADDR": "127.0.0.1"}
    for login, meter_id in zip(logins, meter_ids, strict=True):
        client = Client(odoo.http.root)
        client.post(
            "/web/session/authenticate",
            json={"params": {"db": db, "login": login, "password": PASSWORD}},
            environ_base=local,
        )
        for round_ in range(rounds + 1):
            pages, queries = measured if round_ else warm
            for name, path in page_paths(meter_id).items():
                before = odoo.sql_db.sql_counter
                t0 = time.perf_counter()
                if name == "chart":
                    response = client.post(
                        path, json={"params": {}}, environ_base=local
                    )
                else:
                    response = client.get(path, environ_base=local)
                pages[name].append((time.perf_counter() - t0) * 1000)
                queries[name].append(odoo.sql_db.sql_counter - before)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
    return (*warm, None), (*measured, None)


def percentiles(times):
    """(p50, p95) of ``times``."""
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return statistics.median(times), p95


def report(title, pages, queries, server=None):
    """Print p50/p95 per page as the client saw it (with ``server``: over
    loopback, with the wait for a free worker) and, with ``server``, the
    server's own time, and the queries per page; return whether a goal was
    missed (p95 of the server's time when known, else the client's)."""
    print(title)
    missed = False
    for name, times in pages.items():
        p50, p95 = percentiles(times)
        line = f"  {name:9s} client p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        if server and server[name]:
            p50, p95 = percentiles(server[name])
            line += f"server p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        most = max(queries[name] or [0])
        missed |= p95 > GOAL_P95_MS or most > GOAL_QUERIES
        print(
            f"{line}queries {statistics.median(queries[name] or [0]):.0f} "
            f"(max {most}, n={len(times)})"
        )
    return missed


def load_average():
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


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
    print(f"before: {load_average()}", flush=True)
    if args.url:
        warm, measured = measure_http(
            args.url,
            args.db,
            logins,
            meter_ids,
            args.rounds,
            args.concurrency,
            args.timeout,
            args.server_log,
        )
    else:
        warm, measured = measure(args.db, logins, meter_ids, args.rounds)
    print(f"after: {load_average()}")
    report("warm-up round (first request of each user; not measured):", *warm)
    missed = report(f"{args.rounds} rounds after the warm-up:", *measured)
    return 3 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
