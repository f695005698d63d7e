#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two Odoo servers with cron workers on one database take the same crons.

Run by ``./scripts/test`` (or alone: ``python tests/nodes/check_two_nodes.py
--conf .local/odoo.conf --odoo-bin <odoo>/odoo-bin --db <new database>``).

1. Creates the database with every project addon (no demo) and a fixture:
   a chart of accounts, ``--points`` billing points (one tenant, one meter with
   two readings each), five billing runs of the same month over overlapping
   scopes (three over the whole site, two over halves), all queued; four
   Modbus TCP gateways on 127.0.0.1 (pymodbus servers started by this script,
   three SDM630 meters each), all due.
2. Starts two real Odoo servers in prefork mode (2 HTTP workers and 2 cron
   workers each) on that database.
3. While the cron workers of both nodes process the queued runs and the due
   polls, presses the buttons a user would on both nodes at once over
   XML-RPC ("Process Now" on every run, "Poll Now" on every gateway), then
   queues invoicing and posting the same way.
4. Checks: no metering cron job of either node failed; every run reached a
   final state; every billing point has exactly
   one result and its tenant exactly one invoice for the month; the invoices
   add up to what the results computed; every (meter, register, poll slot)
   holds at most one reading and every polled meter has one.

Exit 0 when every check holds, 1 otherwise (each broken check is printed).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))

FINAL_STATES = ("posted", "cancelled")
ACTIVE_STATES = ("computing", "invoicing", "posting")


def free_port(start):
    port = start
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
        port += 1


def create_database(args):
    addons_dir = os.path.join(HERE, "..", "..", "addons")
    addons = ",".join(
        sorted(d for d in os.listdir(addons_dir) if d.startswith("meter_"))
    )
    cmd = [*odoo_cmd(args), "-i", addons, "--stop-after-init", "--log-level=warn"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def odoo_cmd(args):
    """odoo-bin on the configuration and database of the check."""
    return [sys.executable, args.odoo_bin, "-c", args.conf, "-d", args.db]


def build_fixture(args, modbus_ports):
    """Billing points, queued runs and due gateways; committed."""
    from bench_billing import ensure_chart, make_portfolio

    from odoo import api
    from odoo.fields import Command
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        ensure_chart(env)
        site = make_portfolio(env, args.points)
        points = env["meter.billing.point"].search([("site_id", "=", site.id)])
        half = len(points) // 2
        scopes = [
            {"site_ids": [Command.set(site.ids)]},
            {"site_ids": [Command.set(site.ids)]},
            {"billing_point_ids": [Command.set(points[:half].ids)]},
            {"site_ids": [Command.set(site.ids)]},
            {"billing_point_ids": [Command.set(points[half:].ids)]},
        ]
        runs = env["meter.billing.run"].create(
            [
                {"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31), **scope}
                for scope in scopes
            ]
        )
        sdm630 = env.ref("meter_hardware.register_map_sdm630")
        electricity = env.ref("meter_base.resource_electricity")
        building = env["meter.building"].search([("site_id", "=", site.id)], limit=1)
        gateways = env["meter.gateway"]
        for g, port in enumerate(modbus_ports):
            meters = env["meter.meter"].create(
                [
                    {
                        "name": f"GW{g}-M{u}",
                        "kind": "common",
                        "building_id": building.id,
                        "resource_id": electricity.id,
                    }
                    for u in (1, 2, 3)
                ]
            )
            gateways |= env["meter.gateway"].create(
                {
                    "name": f"Node check GW {g}",
                    "site_id": site.id,
                    "kind": "modbus_tcp",
                    "host": "127.0.0.1",
                    "port": port,
                    "timeout": 1.0,
                    "poll_interval": 15,
                    "device_ids": [
                        Command.create(
                            {"meter_id": m.id, "map_id": sdm630.id, "unit_id": u}
                        )
                        for u, m in zip((1, 2, 3), meters, strict=True)
                    ],
                }
            )
        admin = env.ref("base.user_admin")
        key = (
            env["res.users.apikeys"]
            .with_user(admin)
            ._generate(None, "two-node check", None)
        )
        cr.commit()
        # queued as a user would queue them: each press wakes the cron workers
        runs.with_user(admin).action_compute()
        poll_cron = env.ref("meter_hardware.ir_cron_meter_gateway_poll", False)
        if poll_cron:
            poll_cron._trigger()
        cr.commit()
        return runs.ids, gateways.ids, points.ids, key


class RPCError(Exception):
    """A JSON-2 call answered with an error (its message)."""


class Node:
    """One Odoo server process in prefork mode."""

    def __init__(self, name, args, logdir, key):
        self.name = name
        self.db = args.db
        self.key = key
        self.port = free_port(args.first_port)
        args.first_port = self.port + 10
        self.gevent_port = free_port(self.port + 1)
        self.log = os.path.join(logdir, f"node-{name}.log")
        self.cmd = [
            *odoo_cmd(args),
            f"--db-filter=^{args.db}$",
            "--workers=2",
            "--max-cron-threads=2",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            f"--logfile={self.log}",
            "--log-level=info",
            "--limit-time-real=600",
        ]
        self.proc = None

    def start(self):
        with open(self.log + ".stderr", "w", encoding="utf-8") as err:
            self.proc = subprocess.Popen(  # noqa: S603
                self.cmd, start_new_session=True, stdout=err, stderr=err
            )

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"node {self.name} exited ({self.proc.returncode})")
            try:
                self.rpc("res.users", "search_count", domain=[])
                return
            except (OSError, RPCError, requests.RequestException):
                time.sleep(1)
        raise RuntimeError(f"node {self.name} did not answer within {timeout} s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def rpc(self, model, method, ids=(), **kwargs):
        """Call ``model.method`` through Odoo 19's JSON-2 API as admin."""
        response = requests.post(
            f"http://127.0.0.1:{self.port}/json/2/{model}/{method}",
            json={"ids": list(ids), **kwargs},
            headers={"Authorization": f"bearer {self.key}", "X-Odoo-Database": self.db},
            timeout=600,
        )
        if response.status_code != 200:
            try:
                message = response.json().get("message") or response.text
            except ValueError:
                message = response.text
            raise RPCError(f"{response.status_code} {message}")
        return response.json()

    def memory(self):
        """(processes, resident MB) of this node: its master and workers."""
        import psutil  # noqa: PLC0415  (one of Odoo's requirements)

        master = psutil.Process(self.proc.pid)
        procs = [master, *master.children(recursive=True)]
        rss = sum(p.memory_info().rss for p in procs if p.is_running())
        return len(procs), rss / 2**20

    def jobs_failed(self):
        """Metering cron jobs of this node that ended in an error."""
        with open(self.log, encoding="utf-8", errors="replace") as handle:
            return [
                line.split("ir_cron: ", 1)[-1].strip()
                for line in handle
                if "ir_cron: Job 'Metering:" in line and ") failed (" in line
            ]

    def jobs_done(self):
        """How many times this node's cron workers finished each metering job."""
        done = {}
        with open(self.log, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if "ir_cron: Job 'Metering:" in line and "done (" in line:
                    name = line.split("Job '", 1)[-1].split("'", 1)[0]
                    done[name] = done.get(name, 0) + 1
        return done


def press(nodes, model, method, ids, rounds, refusals):
    """Press a button on every node at once, ``rounds`` times."""

    def one(node):
        for _i in range(rounds):
            try:
                node.rpc(model, method, ids)
            except RPCError as error:
                # a clear refusal ("being processed", "being polled") is an
                # answer, not a failure: the invariants are checked at the end
                refusals.append((node.name, method, str(error)[-300:]))
            time.sleep(0.2)

    threads = [threading.Thread(target=one, args=(n,)) for n in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def wait_runs(node, run_ids, states, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = node.rpc("meter.billing.run", "read", run_ids, fields=["state"])
        if all(r["state"] in states for r in rows):
            return rows
        time.sleep(1)
    return node.rpc("meter.billing.run", "read", run_ids, fields=["state", "name"])


def check(args, run_ids, gateway_ids, point_ids, nodes):
    """The invariants, read straight from the database; returns the failures."""
    import psycopg2  # noqa: PLC0415

    from odoo.tools import config

    failures = []
    conn = psycopg2.connect(
        dbname=args.db,
        host=config["db_host"] or None,
        port=config["db_port"] or None,
        user=config["db_user"] or None,
    )
    with conn, conn.cursor() as cr:
        cr.execute(
            "SELECT name, state FROM meter_billing_run WHERE id = ANY(%s)", [run_ids]
        )
        for name, state in cr.fetchall():
            if state not in FINAL_STATES:
                failures.append(f"run {name} left in state {state}")
        cr.execute(
            """SELECT billing_point_id, count(*) FROM meter_billing_result
                WHERE billing_point_id = ANY(%s) AND kind = 'consumption'
                  AND state NOT IN ('reversed', 'deferred')
                  AND date_from <= '2026-01-31' AND date_to >= '2026-01-01'
             GROUP BY billing_point_id""",
            [point_ids],
        )
        results = dict(cr.fetchall())
        for point_id in point_ids:
            if results.get(point_id, 0) != 1:
                failures.append(
                    f"billing point {point_id}: "
                    f"{results.get(point_id, 0)} results for January"
                )
        cr.execute(
            """SELECT p.id, count(DISTINCT l.move_id) FILTER (WHERE m.state = 'posted'),
                      count(DISTINCT l.move_id)
                 FROM meter_billing_point p
                 JOIN meter_billing_result r ON r.billing_point_id = p.id
                 JOIN meter_billing_line l ON l.result_id = r.id
                 LEFT JOIN account_move m ON m.id = l.move_id
                WHERE p.id = ANY(%s)
             GROUP BY p.id""",
            [point_ids],
        )
        invoiced = {row[0]: row[1:] for row in cr.fetchall()}
        for point_id in point_ids:
            posted, moves = invoiced.get(point_id, (0, 0))
            if (posted, moves) != (1, 1):
                failures.append(
                    f"billing point {point_id}: {moves} invoices ({posted} posted)"
                )
        cr.execute(
            """SELECT count(*) FROM account_move m
                WHERE m.meter_billing_run_id = ANY(%s) AND m.move_type = 'out_invoice'
                  AND NOT EXISTS (SELECT 1 FROM meter_billing_line l
                                   WHERE l.move_id = m.id)""",
            [run_ids],
        )
        orphans = cr.fetchone()[0]
        if orphans:
            failures.append(f"{orphans} invoices of the runs carry no billing line")
        cr.execute(
            """SELECT meter_id, register,
                      date_trunc('hour', read_at)
                        + floor(extract(minute FROM read_at) / 15)
                          * interval '15 min' AS slot,
                      count(*)
                 FROM meter_reading
                WHERE source = 'gateway' AND state IN ('valid', 'estimated')
             GROUP BY 1, 2, 3 HAVING count(*) > 1"""
        )
        for meter_id, register, slot, count in cr.fetchall():
            failures.append(
                f"meter {meter_id} {register}: {count} readings in slot {slot}"
            )
        cr.execute(
            """SELECT count(DISTINCT d.meter_id), count(DISTINCT r.meter_id)
                 FROM meter_gateway_device d
            LEFT JOIN meter_reading r
                   ON r.meter_id = d.meter_id AND r.source = 'gateway'
                WHERE d.gateway_id = ANY(%s)""",
            [gateway_ids],
        )
        mapped, read = cr.fetchone()
        if read != mapped:
            failures.append(f"only {read} of {mapped} polled meters have a reading")
        cr.execute("SELECT count(*) FROM meter_reading WHERE source = 'gateway'")
        readings = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM meter_poll_log WHERE gateway_id = ANY(%s)",
            [gateway_ids],
        )
        polls = cr.fetchone()[0]
    conn.close()
    print(
        f"  billing points {len(point_ids)}, runs {len(run_ids)}, "
        f"gateway polls {polls}, gateway readings {readings}"
    )
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--first-port", type=int, default=18169)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()

    from meterkit.drivers.registers import get_map
    from meterkit.drivers.simulators import ModbusSimulator, SimulatedMeter

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)

    t0 = time.monotonic()
    sdm630 = get_map("sdm630")
    sims = [
        ModbusSimulator(
            {
                u: SimulatedMeter(sdm630, {"energy_import": str(100 * g + u)})
                for u in (1, 2, 3)
            },
            latency=0.02,
        ).start()
        for g in range(4)
    ]
    logdir = os.path.join(os.path.dirname(os.path.abspath(args.conf)), "logs")
    os.makedirs(logdir, exist_ok=True)
    nodes = []
    try:
        create_database(args)
        run_ids, gateway_ids, point_ids, key = build_fixture(
            args, [s.port for s in sims]
        )
        nodes = [Node("a", args, logdir, key), Node("b", args, logdir, key)]
        for node in nodes:
            node.start()
        for node in nodes:
            node.wait_ready()
        print(
            f"two-node check: nodes on ports {nodes[0].port} and {nodes[1].port}, "
            f"{len(run_ids)} queued runs, {len(gateway_ids)} due gateways"
        )
        refusals = []
        # the cron workers of both nodes run; users press the buttons on both
        press(nodes, "meter.gateway", "action_poll_now", gateway_ids, 3, refusals)
        press(nodes, "meter.billing.run", "action_process_now", run_ids, 2, refusals)
        wait_runs(nodes[0], run_ids, ("computed",), args.timeout)
        nodes[1].rpc("meter.billing.run", "action_invoice", run_ids)
        press(nodes, "meter.billing.run", "action_process_now", run_ids, 2, refusals)
        wait_runs(nodes[1], run_ids, ("invoiced",), args.timeout)
        nodes[0].rpc("meter.billing.run", "action_post", run_ids)
        press(nodes, "meter.billing.run", "action_process_now", run_ids, 2, refusals)
        press(nodes, "meter.gateway", "action_poll_now", gateway_ids, 2, refusals)
        wait_runs(nodes[0], run_ids, FINAL_STATES, args.timeout)
        for node in nodes:
            count, rss = node.memory()
            print(f"  node {node.name}: {count} processes, {rss:.0f} MB resident")
            done = node.jobs_done() or "none"
            print(f"  node {node.name}: cron jobs finished {done}")
        for name, method, text in refusals[:6]:
            print(f"  refused on node {name} ({method}): {text}")
        print(f"  {len(refusals)} button presses refused while another node worked")
        failures = check(args, run_ids, gateway_ids, point_ids, nodes)
        for node in nodes:
            failures += [f"node {node.name}: {job}" for job in node.jobs_failed()]
    finally:
        for node in nodes:
            node.stop()
        for sim in sims:
            sim.stop()
            sim.close()
    for failure in failures:
        print(f"  FAILED: {failure}")
    verdict = "passed" if not failures else "FAILED"
    print(f"two-node check {verdict} in {time.monotonic() - t0:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
