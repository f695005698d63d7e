# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's side of the central system: an HTTP client, the outbox sender and
the cached directory of charge points and badges.

Odoo's endpoints (meter_hardware) take ``Authorization: Bearer <API key>``:

- ``POST /meter/api/v1/ocpp/config`` -> ``{"charge_points": [{"identity",
  "password_hash", "active"}], "badges": [{"token", "state"}]}``;
- ``POST /meter/api/v1/ocpp/events`` ``{"events": [...]}`` -> ``{"results":
  [{"key", "status": "ok" | "duplicate" | "error", "message"}]}``, idempotent
  per event key and per session;
- ``POST /meter/api/v1/ocpp/commands`` -> ``{"commands": [{"id",
  "charge_point", "action", "params"}]}`` (pending commands from Odoo).
"""

import asyncio
import logging
import time

import requests

_logger = logging.getLogger(__name__)

BADGE_ACCEPTED = "Accepted"
BADGE_BLOCKED = "Blocked"
BADGE_INVALID = "Invalid"


def normalize_token(token):
    """RFID UIDs are compared without case, spaces or separators."""
    return "".join(ch for ch in (token or "") if ch.isalnum()).upper()


class OdooUnavailable(Exception):
    """Odoo did not answer (network, timeout, 5xx): retry later."""


class OdooApi:
    """Blocking JSON client of Odoo's OCPP endpoints (explicit timeout)."""

    def __init__(self, base_url, api_key, timeout=10):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def post(self, path, payload):
        try:
            response = self.session.post(
                f"{self.base_url}/meter/api/v1/ocpp/{path}",
                json=payload,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise OdooUnavailable(str(error)) from error
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            raise OdooUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response.json()

    def config(self, notify_port=None):
        return self.post("config", {"notify_port": notify_port} if notify_port else {})

    def events(self, events):
        return self.post("events", {"events": events})

    def commands(self):
        return self.post("commands", {}).get("commands", [])


class Directory:
    """Charge point credentials and badge states from Odoo, cached ``ttl``
    seconds. When Odoo is unreachable the last list is kept (charge points go
    on working); an unknown identity or token triggers one refresh (at most
    every ``min_refresh`` seconds) so a badge added in Odoo works at once."""

    def __init__(self, api, ttl=60, min_refresh=5, clock=time.monotonic):
        self.api = api
        self.ttl = ttl
        self.min_refresh = min_refresh
        self.clock = clock
        self.charge_points = {}
        self.badges = {}
        self.loaded_at = None
        #: the loopback port of the central system's notification endpoint,
        #: announced to Odoo with each config request
        self.notify_port = None
        #: the token Odoo's notifications carry (from the config)
        self.notify_token = None
        self._lock = asyncio.Lock()

    async def refresh(self, force=False):
        async with self._lock:
            now = self.clock()
            if self.loaded_at is not None:
                age = now - self.loaded_at
                if age < (self.min_refresh if force else self.ttl):
                    return
            try:
                config = await asyncio.to_thread(self.api.config, self.notify_port)
            except (OdooUnavailable, ValueError) as error:
                _logger.warning("Directory not refreshed, kept as it was: %s", error)
                self.loaded_at = now
                return
            self.charge_points = {
                cp["identity"]: cp for cp in config.get("charge_points", [])
            }
            self.badges = {
                normalize_token(b["token"]): b["state"]
                for b in config.get("badges", [])
            }
            self.notify_token = config.get("notify_token") or self.notify_token
            self.loaded_at = now

    async def charge_point(self, identity):
        await self.refresh()
        if identity not in self.charge_points:
            await self.refresh(force=True)
        return self.charge_points.get(identity)

    async def authorize(self, token):
        """OCPP authorization status of an RFID ``token``."""
        token = normalize_token(token)
        await self.refresh()
        if token not in self.badges:
            await self.refresh(force=True)
        state = self.badges.get(token)
        if state == "active":
            return BADGE_ACCEPTED
        if state in ("lost", "blocked"):
            return BADGE_BLOCKED
        return BADGE_INVALID


class Sender:
    """Drains the store's outbox to Odoo in order, in batches; on failure it
    keeps everything and retries with a growing delay (at most ``max_delay``)."""

    def __init__(self, store, api, batch=200, max_delay=30, keep=86400):
        self.store = store
        self.api = api
        self.batch = batch
        self.max_delay = max_delay
        self.keep = keep  # seconds answered events stay (local duplicates)
        self.wakeup = asyncio.Event()
        self.on_result = None

    async def flush(self):
        """Send what is pending; returns the number of events Odoo answered."""
        done = 0
        while True:
            rows = self.store.pending(self.batch)
            if not rows:
                return done
            answer = await asyncio.to_thread(self.api.events, [e for _i, e in rows])
            results = {r.get("key"): r for r in answer.get("results", [])}
            answered = {}
            for row_id, event in rows:
                result = results.get(event["key"])
                if result is None:
                    continue
                if result.get("status") == "error":
                    _logger.error(
                        "Odoo refused %s: %s", event["key"], result.get("message")
                    )
                answered[row_id] = result
                if self.on_result:
                    self.on_result(event, result)
            if not answered:
                raise OdooUnavailable("Odoo answered none of the events")
            self.store.mark_sent(answered)
            done += len(answered)

    async def run(self, interval=1.0):
        delay = interval
        while True:
            try:
                if await self.flush():
                    self.store.purge(time.time() - self.keep)
                delay = interval
            except (OdooUnavailable, ValueError) as error:
                _logger.warning(
                    "Odoo unreachable, %s events buffered: %s",
                    self.store.pending_count(),
                    error,
                )
                delay = min(delay * 2, self.max_delay)
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), delay)
            except TimeoutError:
                pass
