# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local HTTP server standing in for Odoo's OCPP endpoints, and helpers to
run the real central system against ``ocpp`` library charge points."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import websockets
from meterkit.ocpp.credentials import hash_password

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
