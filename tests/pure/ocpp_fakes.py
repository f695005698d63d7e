# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local HTTP server standing in for Odoo's OCPP endpoints, and helpers to
run the real central system against ``ocpp`` library charge points (plain or
over TLS)."""

import asyncio
import base64
import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import websockets
from meterkit.ocpp.api import Directory, OdooApi, Sender
from meterkit.ocpp.central import CentralSystem
from meterkit.ocpp.credentials import hash_password
from meterkit.ocpp.store import Store
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call_result as result201

PASSWORD = "s3cret-password"


class FakeOdoo:
    """Config, events (deduplicated by key like Odoo does per session) and
    commands; ``down = True`` answers 503 to everything."""

    def __init__(self, charge_points=(), badges=None):
        self.password_hash = hash_password(PASSWORD, iterations=1000)
        self.charge_points = list(charge_points)
        self.badges = dict(badges or {})
        self.events = []
        self.keys = set()
        self.commands = []
        self.down = False
        self.requests = 0
        #: the token of notifications, and the port the central announced
        self.notify_token = "notify-secret"
        self.notify_port = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                fake.requests += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.headers.get("Authorization") != "Bearer test-key":
                    self.send_response(401)
                    self.end_headers()
                    return
                answer = fake.answer(self.path.rsplit("/", 1)[-1], body)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, action, body):
        if action == "config":
            self.notify_port = body.get("notify_port", self.notify_port)
            return {
                "notify_token": self.notify_token,
                "charge_points": [
                    {"identity": i, "password_hash": self.password_hash, "active": True}
                    for i in self.charge_points
                ],
                "badges": [{"token": t, "state": s} for t, s in self.badges.items()],
            }
        if action == "commands":
            pending, self.commands = self.commands, []
            return {"commands": pending}
        results = []
        for event in body["events"]:
            status = "duplicate" if event["key"] in self.keys else "ok"
            if status == "ok":
                self.keys.add(event["key"])
                self.events.append(event)
            results.append({"key": event["key"], "status": status})
        return {"results": results}

    def of_type(self, kind):
        return [e for e in self.events if e["type"] == kind]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def basic(identity, password=PASSWORD):
    token = base64.b64encode(f"{identity}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def connect(port, identity, protocol="ocpp1.6", password=PASSWORD):
    return websockets.connect(
        f"ws://127.0.0.1:{port}/{identity}",
        subprotocols=[protocol],
        additional_headers=basic(identity, password),
    )


class Station16(Cp16):
    """A 1.6 charge point that accepts remote stops and remembers them."""

    remote_stops = ()

    @on(Action16.remote_stop_transaction)
    def on_remote_stop(self, transaction_id):
        self.remote_stops = (*self.remote_stops, transaction_id)
        return result16.RemoteStopTransaction(status="Accepted")

    @on(Action16.reset)
    def on_reset(self, type):  # noqa: A002 - the OCPP field name
        return result16.Reset(status="Accepted")


class Station201(Cp201):
    remote_stops = ()

    @on("RequestStopTransaction")
    def on_request_stop(self, transaction_id, **_kw):
        self.remote_stops = (*self.remote_stops, transaction_id)
        return result201.RequestStopTransaction(status="Accepted")


@contextlib.asynccontextmanager
async def central_system(fake, tmp_path, ssl_context=None, relay=True):
    """The real central system on 127.0.0.1 (a free port), talking to
    ``fake``; with ``relay`` it hands events to Odoo and runs commands,
    without it it only authenticates charge points."""
    api = OdooApi(fake.url, "test-key", timeout=5)
    store = Store(str(tmp_path / "central.sqlite"))
    directory = Directory(api, ttl=0, min_refresh=0)
    if relay:
        central = CentralSystem(
            store, directory, Sender(store, api), api, response_timeout=5
        )
    else:
        central = CentralSystem(store, directory)
    await central.serve("127.0.0.1", 0, ssl_context=ssl_context)
    try:
        yield central
    finally:
        await central.close()
        store.close()


@contextlib.asynccontextmanager
async def station(cls, port, identity, protocol="ocpp1.6"):
    async with connect(port, identity, protocol) as ws:
        cp = cls(identity, ws, response_timeout=5)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()


async def tls_boot(port, ssl_context, identity="CP-1", headers=None):
    """Connect ``identity`` over wss:// with ``ssl_context`` (and optional
    HTTP ``headers``), send a 1.6 BootNotification and return its status."""
    async with websockets.connect(
        f"wss://127.0.0.1:{port}/{identity}",
        subprotocols=["ocpp1.6"],
        additional_headers=headers,
        ssl=ssl_context,
        open_timeout=5,
    ) as ws:
        cp = Station16(identity, ws, response_timeout=5)
        task = asyncio.create_task(cp.start())
        boot = await cp.call(
            call16.BootNotification(
                charge_point_model="Wallbox", charge_point_vendor="ACME"
            )
        )
        task.cancel()
        return boot.status
