#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the readings exchange paths (meter_base).

Run by ``./scripts/test bench`` on the test database (meter_base installed).
Measured side by side in one run, in one database:

* parsing an XML exchange file of N readings with lxml only (the floor of any
  XML import), then importing the same file (safe parse, meter resolution,
  per-row checks, idempotency, consumption, COPY);
* the same with an XLSX file and openpyxl;
* M readings posted to ``POST /meter/api/v1/readings`` in batches, through
  Odoo's whole HTTP stack (WSGI, API-key check, JSON), beside decoding the
  same JSON bodies.

File imports are rolled back; the endpoint needs committed meters and a key,
which are deleted at the end.
"""

import argparse
import io
import json
import time
from datetime import datetime, timedelta
from decimal import Decimal


def build_readings(names, per_meter, start):
    readings = []
    for position, name in enumerate(names):
        value = Decimal(1000 + position % 97)
        for k in range(per_meter):
            value += 10 + (position * 7 + k * 13) % 50
            readings.append(
                {
                    "meter": name,
                    "register": "T1",
                    "read_at": start + timedelta(days=k),
                    "value": value,
                }
            )
    return readings


def make_meters(env, count, tag):
    site = env["meter.site"].create({"name": f"Bench {tag}", "code": f"BX{tag}"})
    building = env["meter.building"].create({"name": "Bench", "site_id": site.id})
    resource_el = env.ref("meter_base.resource_electricity")
    meters = env["meter.meter"].create(
        [
            {
                "name": f"BX{tag}-{i:06d}",
                "building_id": building.id,
                "resource_id": resource_el.id,
            }
            for i in range(count)
        ]
    )
    return site, meters


def parse_xml_only(data):
    from lxml import etree

    started = time.perf_counter()
    root = etree.fromstring(data)
    count = sum(
        1
        for element in root
        if (
            element.get("meter"),
            element.get("register"),
            element.get("read_at"),
            element.get("value"),
        )
    )
    return count, time.perf_counter() - started


def parse_xlsx_only(data):
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    workbook.close()
    return count, time.perf_counter() - started


def timed_safe_parse(env, data, filename):
    started = time.perf_counter()
    env["meter.reading.exchange"]._parse_file(data, filename)
    return time.perf_counter() - started


def timed_import(env, data, filename, expected):
    started = time.perf_counter()
    result = env["meter.reading.exchange"]._import_file(data, filename)
    seconds = time.perf_counter() - started
    assert result["created"] == expected and not result["rejected"], (
        result["created"],
        result["rejected"][:3],
    )
    return seconds


def post_batches(env, registry, readings, batch_size):
    """POST the readings through Odoo's WSGI application; return the seconds
    spent and the seconds of merely decoding the same bodies."""
    from werkzeug.test import Client

    from odoo import http

    key = (
        env["res.users.apikeys"]
        .with_user(env.ref("base.user_admin"))
        ._generate(None, "bench", datetime.now() + timedelta(days=1))
    )
    env.cr.commit()
    bodies = []
    for offset in range(0, len(readings), batch_size):
        batch = [
            dict(r, read_at=r["read_at"].isoformat(), value=str(r["value"]))
            for r in readings[offset : offset + batch_size]
        ]
        bodies.append(json.dumps({"readings": batch}).encode())
    started = time.perf_counter()
    for body in bodies:
        json.loads(body)
    decode_s = time.perf_counter() - started
    client = Client(http.root)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    started = time.perf_counter()
    created = 0
    for body in bodies:
        response = client.post("/meter/api/v1/readings", data=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        created += response.json["created"]
    seconds = time.perf_counter() - started
    assert created == len(readings), created
    return seconds, decode_s


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--meters", type=int, default=1_000)
    parser.add_argument("--per-meter", type=int, default=100)
    parser.add_argument("--api", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()

    from meterkit.exchange import write_readings_xlsx, write_readings_xml

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    start = datetime(2020, 1, 1, 22, 0)
    figures = []
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        _site, meters = make_meters(env, args.meters, "F")
        env.flush_all()
        readings = build_readings(meters.mapped("name"), args.per_meter, start)
        count = len(readings)
        xml_data = write_readings_xml(readings)
        xlsx_data = write_readings_xlsx(readings)
        for label, data, filename, parse in (
            ("XML", xml_data, "bench.xml", parse_xml_only),
            ("XLSX", xlsx_data, "bench.xlsx", parse_xlsx_only),
        ):
            parsed, parse_s = parse(data)
            assert parsed == count, (parsed, count)
            safe_s = timed_safe_parse(env, data, filename)
            with cr.savepoint(flush=False) as savepoint:
                import_s = timed_import(env, data, filename, count)
                savepoint.rollback()
            env.invalidate_all()
            figures.append((label, count, len(data), parse_s, safe_s, import_s))
        cr.rollback()

    api_meters = max(1, args.api // args.per_meter)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        site, meters = make_meters(env, api_meters, "A")
        cr.commit()
        try:
            readings = build_readings(meters.mapped("name"), args.per_meter, start)
            readings = readings[: args.api]
            api_s, decode_s = post_batches(env, registry, readings, args.batch)
        finally:
            cr.rollback()
            ids = tuple(meters.ids)
            cr.execute("DELETE FROM meter_reading WHERE meter_id IN %s", [ids])
            cr.execute("DELETE FROM meter_meter WHERE id IN %s", [ids])
            cr.execute("DELETE FROM meter_building WHERE site_id = %s", [site.id])
            cr.execute("DELETE FROM meter_site WHERE id = %s", [site.id])
            cr.execute("DELETE FROM res_users_apikeys WHERE name = 'bench'")
            cr.commit()

    print(
        f"bench exchange: {args.meters} meters x {args.per_meter} readings "
        f"per file; {args.api} through the endpoint in batches of {args.batch}"
    )
    ok = True
    for label, n, size, parse_s, safe_s, import_s in figures:
        ratio = parse_s / import_s
        ok &= ratio >= 0.25
        print(f"  {label} file, {size / 1e6:.1f} MB")
        for what, seconds in (
            ("parse only (lxml / openpyxl)", parse_s),
            ("safe parse and row checks (meterkit)", safe_s),
            ("import (parse, resolve, check, store)", import_s),
        ):
            print(f"    {what:<38} {n / seconds:>10,.0f} readings/s  {seconds:7.2f} s")
        verdict = "met" if ratio >= 0.25 else "NOT met"
        print(
            f"    {'import / parse only':<38} {ratio:>10.2f}  (goal >= 0.25: {verdict})"
        )
    n = len(readings)
    print(f"  endpoint, {n // args.batch} batches of {args.batch}")
    for label, seconds in (
        ("JSON decode only", decode_s),
        ("POST /meter/api/v1/readings", api_s),
    ):
        print(f"    {label:<38} {n / seconds:>10,.0f} readings/s  {seconds:7.2f} s")
    return 0 if ok else 3  # 3: the goal is missed (not a crash)


if __name__ == "__main__":
    raise SystemExit(main())
