#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the OCPP central system (meterkit.ocpp), pure Python.

N simulated OCPP 1.6J charge points (the ``ocpp`` library over websockets on
127.0.0.1) boot, start a transaction and send MeterValues every ``interval``
seconds for ``duration`` seconds, then stop. The real central system answers
them and hands every event through its SQLite outbox to a local HTTP server
standing in for Odoo's OCPP API. Prints the OCPP messages handled per second,
the end-to-end delay of a meter value (charge point send -> API received) at
p50 / p95 / max, and whether every meter value arrived exactly once.

    PYTHONPATH=lib/meterkit python tests/bench/bench_ocpp.py \\
        --charge-points 200 --interval 10 --duration 30
"""

import argparse
import asyncio
import base64
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import websockets
from meterkit.ocpp.api import Directory, OdooApi, Sender
from meterkit.ocpp.central import CentralSystem
from meterkit.ocpp.credentials import hash_password
from meterkit.ocpp.store import Store
from ocpp.v16 import ChargePoint
from ocpp.v16 import call as call16

PASSWORD = "bench-password"


class Sink:
    """Odoo's OCPP API, in memory: config, events (delay measured), no
    commands."""

    def __init__(self, identities):
        self.config = json.dumps(
            {
                "charge_points": [
                    {
                        "identity": i,
                        "password_hash": hash_password(PASSWORD, iterations=1000),
                        "active": True,
                    }
                    for i in identities
                ],
                "badges": [{"token": "BENCH", "state": "active"}],
            }
        ).encode()
        self.keys = {}
        self.delays = []
        self.requests = 0
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                action = self.path.rsplit("/", 1)[-1]
                if action == "config":
                    data = sink.config
                elif action == "commands":
                    data = b'{"commands": []}'
                else:
                    data = json.dumps(sink.events(body["events"])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, events):
        now = bench_now()
        results = []
        with self.lock:
            self.requests += 1
            for event in events:
                seen = event["key"] in self.keys
                self.keys[event["key"]] = event
                if not seen and event["type"] == "meter_values":
                    sent = datetime.fromisoformat(event["at"])
                    self.delays.append((now - sent).total_seconds())
                results.append(
                    {"key": event["key"], "status": "duplicate" if seen else "ok"}
                )
        return {"results": results}


# The bench's own clock: a fixed instant advanced by the monotonic clock, so
# the messages carry the same timestamps on any date and the delays (sink time
# minus the charge point's timestamp) are still real elapsed seconds.
CLOCK_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_MONOTONIC_START = time.monotonic()


def bench_now():
    return CLOCK_EPOCH + timedelta(seconds=time.monotonic() - _MONOTONIC_START)


async def charge_point(port, identity, interval, duration, counters):
    token = base64.b64encode(f"{identity}:{PASSWORD}".encode()).decode()
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/{identity}",
        subprotocols=["ocpp1.6"],
        additional_headers={"Authorization": f"Basic {token}"},
        open_timeout=60,
    ) as ws:
        cp = ChargePoint(identity, ws, response_timeout=60)
        task = asyncio.create_task(cp.start())
        await cp.call(
            call16.BootNotification(
                charge_point_model="Bench", charge_point_vendor="Meter Suite"
            )
        )
        start = await cp.call(
            call16.StartTransaction(
                connector_id=1,
                id_tag="BENCH",
                meter_start=0,
                timestamp=bench_now().isoformat(),
            )
        )
        counters["calls"] += 2
        wh = 0
        # spread the charge points over the interval
        await asyncio.sleep(interval * (hash(identity) % 1000) / 1000)
        end = time.monotonic() + duration
        while time.monotonic() < end:
            wh += 1000
            await cp.call(
                call16.MeterValues(
                    connector_id=1,
                    transaction_id=start.transaction_id,
                    meter_value=[
                        {
                            "timestamp": bench_now().isoformat(),
                            "sampledValue": [{"value": str(wh)}],
                        }
                    ],
                )
            )
            counters["calls"] += 1
            counters["meter_values"] += 1
            await asyncio.sleep(interval)
        await cp.call(
            call16.StopTransaction(
                meter_stop=wh,
                timestamp=bench_now().isoformat(),
                transaction_id=start.transaction_id,
            )
        )
        counters["calls"] += 1
        task.cancel()


async def bench(args):
    identities = [f"BENCH-{n:04d}" for n in range(args.charge_points)]
    sink = Sink(identities)
    with tempfile.TemporaryDirectory() as tmp:
        api = OdooApi(sink.url, "bench", timeout=30)
        store = Store(str(Path(tmp) / "central.sqlite"))
        sender = Sender(store, api, batch=500)
        central = CentralSystem(store, Directory(api, ttl=300), sender, api)
        await central.serve("127.0.0.1", 0)
        sender_task = asyncio.create_task(sender.run(interval=0.2))
        counters = {"calls": 0, "meter_values": 0}
        started = time.monotonic()
        await asyncio.gather(
            *(
                charge_point(central.port, i, args.interval, args.duration, counters)
                for i in identities
            )
        )
        elapsed = time.monotonic() - started
        # drain what is still buffered
        while store.pending_count():
            await asyncio.sleep(0.1)
        sender_task.cancel()
        await central.close()
        store.close()
    received = [e for e in sink.keys.values() if e["type"] == "meter_values"]
    delays = sorted(sink.delays)
    p95 = delays[int(0.95 * (len(delays) - 1))] if delays else 0
    print(
        f"charge points: {args.charge_points}, MeterValues every {args.interval} s "
        f"for {args.duration} s"
    )
    print(f"OCPP calls answered: {counters['calls']} in {elapsed:.1f} s")
    print(f"  messages/s: {counters['calls'] / elapsed:.1f}")
    print(f"meter values sent: {counters['meter_values']}, received: {len(received)}")
    print(
        "end-to-end delay to the API: "
        f"p50 {statistics.median(delays) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms"
    )
    print(f"API requests: {sink.requests}")
    lost = counters["meter_values"] - len(received)
    print("no message lost" if lost == 0 else f"LOST: {lost}")
    return 0 if lost == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--charge-points", type=int, default=200)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=30.0)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
