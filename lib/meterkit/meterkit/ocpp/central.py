# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The OCPP central system: websockets server, 1.6J and 2.0.1 handlers,
commands from Odoo.

Every event goes to the store's outbox first (durable, keyed for
idempotency), then to Odoo; the answer to the charge point never waits for
Odoo. Run ``python -m meterkit.ocpp.central --help``.
"""

import argparse
import asyncio
import contextlib
import hmac
import http
import logging
import ssl
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from .api import Directory, OdooApi, Sender
from .credentials import parse_basic_auth, verify_password
from .security import certificate_identity, server_context
from .store import Store

_logger = logging.getLogger(__name__)

SUBPROTOCOLS = ["ocpp2.0.1", "ocpp1.6"]
ENERGY = "Energy.Active.Import.Register"
HEARTBEAT_INTERVAL = 300
NOTIFY_PATH = "/meter-ocpp/notify"


def _now():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def energy_wh(meter_values):
    """Last cumulative active energy import (Wh) in OCPP ``meter_value``
    entries (1.6: string value and ``unit``; 2.0.1: number and
    ``unit_of_measure``), with its timestamp: ``(wh, timestamp)`` or None.
    A sampled value without measurand is the energy register (both specs)."""
    found = None
    for entry in meter_values or []:
        samples = entry.get("sampled_value") or []
        for sample in samples:
            if sample.get("measurand", ENERGY) != ENERGY or sample.get("phase"):
                continue
            try:
                value = Decimal(str(sample["value"]))
            except (KeyError, ArithmeticError):
                continue
            unit = sample.get("unit")
            multiplier = 0
            if "unit_of_measure" in sample:
                unit = sample["unit_of_measure"].get("unit", "Wh")
                multiplier = sample["unit_of_measure"].get("multiplier", 0)
            value = value.scaleb(multiplier)
            if unit == "kWh":
                value *= 1000
            found = (float(value), entry.get("timestamp"))
    return found


class _Handlers:
    """What 1.6 and 2.0.1 share: the link to the central system."""

    central = None
    protocol = None

    def _emit(self, key, kind, **data):
        event = {
            "type": kind,
            "charge_point": self.id,
            "protocol": self.protocol,
            "received_at": _now(),
            **data,
        }
        self.central.emit(f"{self.id}:{key}", event)

    def _boot(self, call_unique_id, **data):
        self._emit(f"boot:{call_unique_id}", "boot", **data)

    async def _start(self, connector, token, timestamp, wh, tid=None):
        store = self.central.store
        tid, new = store.start_transaction(
            self.id, connector, token, timestamp, wh, tid
        )
        if new:
            self._emit(
                f"{tid}:start",
                "session_start",
                transaction_id=tid,
                connector=connector,
                token=token,
                started_at=timestamp,
                meter_start_wh=wh,
            )
        else:
            _logger.info("%s: start of transaction %s repeated", self.id, tid)
        return tid

    def _values(self, tid, wh, timestamp):
        store = self.central.store
        if store.transaction(self.id, tid) is None:
            _logger.warning("%s: meter values of unknown transaction %s", self.id, tid)
            return
        if not store.advance(self.id, tid, wh):
            _logger.warning(
                "%s: transaction %s: meter value %s Wh goes backwards, ignored",
                self.id,
                tid,
                wh,
            )
            return
        self._emit(
            f"{tid}:mv:{timestamp}:{wh}",
            "meter_values",
            transaction_id=tid,
            energy_wh=wh,
            at=timestamp,
        )

    def _stop(self, tid, wh, timestamp, reason, payload):
        store = self.central.store
        txn = store.transaction(self.id, tid)
        if txn is None:
            _logger.warning("%s: stop of unknown transaction %s", self.id, tid)
            return
        if not store.stop_transaction(self.id, tid, timestamp):
            _logger.warning(
                "%s: duplicate stop of transaction %s, ignored", self.id, tid
            )
            return
        if wh is not None and txn["last_wh"] is not None and wh < txn["last_wh"]:
            _logger.warning(
                "%s: transaction %s stops at %s Wh below %s Wh, the last value kept",
                self.id,
                tid,
                wh,
                txn["last_wh"],
            )
            wh = txn["last_wh"]
        if wh is None:
            wh = txn["last_wh"]
        self._emit(
            f"{tid}:stop",
            "session_stop",
            transaction_id=tid,
            stopped_at=timestamp,
            meter_stop_wh=wh,
            reason=reason or "",
            evidence=payload,
        )


class CentralChargePoint16(_Handlers, ChargePoint16):
    protocol = "ocpp1.6"

    @on(Action16.boot_notification)
    def on_boot(self, charge_point_vendor, charge_point_model, call_unique_id, **kw):
        self._boot(
            call_unique_id,
            vendor=charge_point_vendor,
            model=charge_point_model,
            serial=kw.get("charge_point_serial_number", ""),
            firmware=kw.get("firmware_version", ""),
        )
        return result16.BootNotification(
            current_time=_now(), interval=HEARTBEAT_INTERVAL, status="Accepted"
        )

    @on(Action16.heartbeat)
    def on_heartbeat(self):
        self.central.heartbeat(self.id)
        return result16.Heartbeat(current_time=_now())

    @on(Action16.status_notification)
    def on_status(self, connector_id, error_code, status, **kw):
        stamp = kw.get("timestamp") or _now()
        self._emit(
            f"status:{connector_id}:{stamp}:{status}",
            "status",
            connector=connector_id,
            status=status,
            error_code=error_code,
            at=stamp,
        )
        return result16.StatusNotification()

    @on(Action16.authorize)
    async def on_authorize(self, id_tag):
        status = await self.central.directory.authorize(id_tag)
        _logger.info("%s: badge %s: %s", self.id, id_tag, status)
        return result16.Authorize(id_tag_info={"status": status})

    @on(Action16.start_transaction)
    async def on_start(self, connector_id, id_tag, meter_start, timestamp, **_kw):
        status = await self.central.directory.authorize(id_tag)
        tid = await self._start(connector_id, id_tag, timestamp, float(meter_start))
        # the charge point stops a refused transaction itself (1.6, 5.18)
        return result16.StartTransaction(
            transaction_id=int(tid), id_tag_info={"status": status}
        )

    @on(Action16.meter_values)
    def on_meter_values(self, connector_id, meter_value, transaction_id=None, **_kw):
        tid = transaction_id or self.central.store.open_transaction(
            self.id, connector_id
        )
        found = energy_wh(meter_value)
        if tid is not None and found:
            self._values(str(tid), found[0], found[1] or _now())
        return result16.MeterValues()

    @on(Action16.stop_transaction)
    async def on_stop(self, meter_stop, timestamp, transaction_id, **kw):
        payload = {
            "meterStop": meter_stop,
            "timestamp": timestamp,
            "transactionId": transaction_id,
            "reason": kw.get("reason"),
            "idTag": kw.get("id_tag"),
        }
        self._stop(
            str(transaction_id), float(meter_stop), timestamp, kw.get("reason"), payload
        )
        if kw.get("id_tag"):
            status = await self.central.directory.authorize(kw["id_tag"])
            return result16.StopTransaction(id_tag_info={"status": status})
        return result16.StopTransaction()

    # CSMS -> charge point

    async def command(self, action, params):
        if action == "remote_start":
            request = call16.RemoteStartTransaction(
                id_tag=params["token"], connector_id=params.get("connector")
            )
        elif action == "remote_stop":
            request = call16.RemoteStopTransaction(
                transaction_id=int(params["transaction_id"])
            )
        elif action == "change_availability":
            request = call16.ChangeAvailability(
                connector_id=params.get("connector") or 0,
                type="Operative" if params.get("operative", True) else "Inoperative",
            )
        elif action == "reset":
            request = call16.Reset(type="Hard" if params.get("hard") else "Soft")
        else:
            return "unsupported"
        response = await self.call(request)
        return response.status if response is not None else "error"


class CentralChargePoint201(_Handlers, ChargePoint201):
    protocol = "ocpp2.0.1"

    @on("BootNotification")
    def on_boot(self, charging_station, reason, call_unique_id, **_kw):
        self._boot(
            call_unique_id,
            vendor=charging_station.get("vendor_name", ""),
            model=charging_station.get("model", ""),
            serial=charging_station.get("serial_number", ""),
            firmware=charging_station.get("firmware_version", ""),
            reason=reason,
        )
        return result201.BootNotification(
            current_time=_now(), interval=HEARTBEAT_INTERVAL, status="Accepted"
        )

    @on("Heartbeat")
    def on_heartbeat(self):
        self.central.heartbeat(self.id)
        return result201.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def on_status(self, timestamp, connector_status, evse_id, connector_id, **_kw):
        self._emit(
            f"status:{evse_id}:{timestamp}:{connector_status}",
            "status",
            connector=evse_id,
            status=connector_status,
            error_code="",
            at=timestamp,
        )
        return result201.StatusNotification()

    @on("Authorize")
    async def on_authorize(self, id_token, **_kw):
        status = await self.central.directory.authorize(id_token["id_token"])
        return result201.Authorize(id_token_info={"status": status})

    @on("MeterValues")
    def on_meter_values(self, evse_id, meter_value, **_kw):
        tid = self.central.store.open_transaction(self.id, evse_id)
        found = energy_wh(meter_value)
        if tid is not None and found:
            self._values(tid, found[0], found[1] or _now())
        return result201.MeterValues()

    @on("TransactionEvent")
    async def on_transaction_event(
        self, event_type, timestamp, trigger_reason, seq_no, transaction_info, **kw
    ):
        tid = transaction_info["transaction_id"]
        token = (kw.get("id_token") or {}).get("id_token")
        found = energy_wh(kw.get("meter_value"))
        wh = found[0] if found else None
        evse = (kw.get("evse") or {}).get("id")
        store = self.central.store
        if store.transaction(self.id, tid) is None:
            # Started, or the first event we see of it (Started lost)
            await self._start(evse, token, timestamp, wh, tid)
        elif wh is not None and event_type != "Ended":
            self._values(tid, wh, timestamp)
        if event_type == "Ended":
            reason = transaction_info.get("stopped_reason") or trigger_reason
            payload = {
                "eventType": event_type,
                "timestamp": timestamp,
                "seqNo": seq_no,
                "transactionInfo": transaction_info,
                "offline": kw.get("offline"),
            }
            self._stop(tid, wh, timestamp, reason, payload)
        if token:
            status = await self.central.directory.authorize(token)
            return result201.TransactionEvent(id_token_info={"status": status})
        return result201.TransactionEvent()

    async def command(self, action, params):
        if action == "remote_start":
            request = call201.RequestStartTransaction(
                id_token={"id_token": params["token"], "type": "ISO14443"},
                remote_start_id=int(params.get("command_id", 1)),
                evse_id=params.get("connector"),
            )
        elif action == "remote_stop":
            request = call201.RequestStopTransaction(
                transaction_id=str(params["transaction_id"])
            )
        elif action == "change_availability":
            connector = params.get("connector")
            request = call201.ChangeAvailability(
                operational_status="Operative"
                if params.get("operative", True)
                else "Inoperative",
                evse={"id": connector} if connector else None,
            )
        elif action == "reset":
            request = call201.Reset(
                type="Immediate" if params.get("hard") else "OnIdle"
            )
        else:
            return "unsupported"
        response = await self.call(request)
        return response.status if response is not None else "error"


class CentralSystem:
    """The server. ``directory`` answers credentials and badges, ``store``
    keeps events and transactions, ``sender`` (optional) pushes to Odoo."""

    def __init__(self, store, directory, sender=None, api=None, response_timeout=30):
        self.store = store
        self.directory = directory
        self.sender = sender
        self.api = api
        self.response_timeout = response_timeout
        self.connected = {}
        self.server = None
        self.notify_server = None
        #: security profile 3: charge points show a client certificate
        self.client_certificates = False
        #: set by Odoo's notification (or by hand): poll the commands now
        self.commands_wakeup = asyncio.Event()
        self._last_heartbeat = {}

    # events ---------------------------------------------------------------

    def emit(self, key, event):
        if self.store.enqueue(key, event) and self.sender:
            self.sender.wakeup.set()

    def heartbeat(self, identity):
        """A heartbeat event per charge point at most every minute."""
        now = time.monotonic()
        if now - self._last_heartbeat.get(identity, -120) < 60:
            return
        self._last_heartbeat[identity] = now
        stamp = _now()
        self.emit(
            f"{identity}:heartbeat:{stamp}",
            {"type": "heartbeat", "charge_point": identity, "received_at": stamp},
        )

    # connections ----------------------------------------------------------

    async def _process_request(self, connection, request):
        identity = unquote(request.path.rstrip("/").rsplit("/", 1)[-1])
        config = await self.directory.charge_point(identity) if identity else None
        if config is None or not config.get("active", True):
            return self._refuse(connection, identity, "unknown or inactive")
        peercert = connection.transport.get_extra_info("peercert")
        if self.client_certificates:
            # security profile 3: the TLS handshake verified the certificate
            # against the charge points' CA; its subject names the station
            if certificate_identity(peercert) != identity:
                return self._refuse(
                    connection,
                    identity,
                    f"certificate of {certificate_identity(peercert)!r}",
                )
            return None
        credentials = parse_basic_auth(request.headers.get("Authorization"))
        if (
            credentials is None
            or credentials[0] != identity
            or not verify_password(credentials[1], config.get("password_hash"))
        ):
            return self._refuse(connection, identity, "wrong credentials")
        return None

    def _refuse(self, connection, identity, why):
        _logger.warning(
            "Charge point %r refused: %s (%s)",
            identity,
            why,
            connection.remote_address,
        )
        response = connection.respond(http.HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
        if not self.client_certificates:
            response.headers["WWW-Authenticate"] = 'Basic realm="ocpp"'
        return response

    async def _on_connect(self, connection):
        identity = unquote(connection.request.path.rstrip("/").rsplit("/", 1)[-1])
        if connection.subprotocol is None:
            _logger.warning("%s: no OCPP subprotocol offered, closing", identity)
            await connection.close(1002, "an OCPP subprotocol is required")
            return
        cls = (
            CentralChargePoint16
            if connection.subprotocol == "ocpp1.6"
            else CentralChargePoint201
        )
        charge_point = cls(identity, connection, response_timeout=self.response_timeout)
        charge_point.central = self
        previous = self.connected.get(identity)
        if previous is not None:
            _logger.info("%s: reconnected, the old connection is closed", identity)
            await previous._connection.close(1000, "replaced by a new connection")
        self.connected[identity] = charge_point
        stamp = _now()
        self.emit(
            f"{identity}:online:{stamp}:{id(connection)}",
            {
                "type": "connection",
                "charge_point": identity,
                "online": True,
                "protocol": connection.subprotocol,
                "received_at": stamp,
            },
        )
        _logger.info("%s connected (%s)", identity, connection.subprotocol)
        try:
            await charge_point.start()
        except websockets.ConnectionClosed:
            _logger.info("%s disconnected", identity)
        finally:
            if self.connected.get(identity) is charge_point:
                del self.connected[identity]
                stamp = _now()
                self.emit(
                    f"{identity}:offline:{stamp}:{id(connection)}",
                    {
                        "type": "connection",
                        "charge_point": identity,
                        "online": False,
                        "received_at": stamp,
                    },
                )

    async def serve(self, host="0.0.0.0", port=9000, ssl_context=None):
        """Listen for charge points; an ``ssl_context`` that requires client
        certificates (:func:`.security.server_context` with a CA) switches
        to security profile 3."""
        self.client_certificates = bool(
            ssl_context is not None and ssl_context.verify_mode == ssl.CERT_REQUIRED
        )
        self.server = await websockets.serve(
            self._on_connect,
            host,
            port,
            subprotocols=SUBPROTOCOLS,
            process_request=self._process_request,
            ssl=ssl_context,
        )
        return self.server

    @property
    def port(self):
        return self.server.sockets[0].getsockname()[1]

    async def close(self):
        if self.notify_server is not None:
            self.notify_server.close()
            await self.notify_server.wait_closed()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    # notifications from Odoo ----------------------------------------------

    async def serve_notify(self, host="127.0.0.1", port=0):
        """A loopback HTTP endpoint Odoo calls when it queues a command
        (``POST /meter-ocpp/notify`` with ``Authorization: Bearer <token>``,
        the token Odoo hands out in its config): the commands are polled at
        once instead of at the next poll. The call carries no command: they
        still come from the authenticated commands endpoint."""
        self.notify_server = await asyncio.start_server(self._on_notify, host, port)
        return self.notify_server.sockets[0].getsockname()[1]

    async def _on_notify(self, reader, writer):
        status = http.HTTPStatus.BAD_REQUEST
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
            headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
            if self.directory.notify_token is None:
                await self.directory.refresh(force=True)
            if method != "POST" or path != NOTIFY_PATH:
                status = http.HTTPStatus.NOT_FOUND
            elif self._notify_allowed(headers.get("authorization", "")):
                status = http.HTTPStatus.ACCEPTED
                self.commands_wakeup.set()
            else:
                status = http.HTTPStatus.UNAUTHORIZED
                _logger.warning("Notification with a wrong token refused")
        except (ValueError, TimeoutError, asyncio.IncompleteReadError) as error:
            _logger.warning("Bad notification: %r", error)
        writer.write(
            f"HTTP/1.1 {status.value} {status.phrase}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    def _notify_allowed(self, authorization):
        token = self.directory.notify_token
        scheme, _sep, given = authorization.partition(" ")
        return bool(
            token
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.encode(), token.encode())
        )

    # commands -------------------------------------------------------------

    async def execute(self, command):
        """Run one command from Odoo on its charge point (once); the result
        goes back to Odoo as a ``command_result`` event."""
        command_id = command["id"]
        if self.store.command_done(command_id):
            return self.store.command_done(command_id)
        charge_point = self.connected.get(command["charge_point"])
        if charge_point is None:
            status = "offline"
        else:
            params = {**(command.get("params") or {}), "command_id": command_id}
            try:
                status = await charge_point.command(command["action"], params)
            except (TimeoutError, websockets.ConnectionClosed) as error:
                _logger.warning("Command %s failed: %r", command_id, error)
                status = "timeout"
        self.store.record_command(command_id, status)
        self.emit(
            f"command:{command_id}",
            {
                "type": "command_result",
                "charge_point": command["charge_point"],
                "command_id": command_id,
                "status": str(status),
                "received_at": _now(),
            },
        )
        return status

    async def poll_commands(self):
        commands = await asyncio.to_thread(self.api.commands)
        for command in commands:
            await self.execute(command)
        return len(commands)

    async def run_commands(self, interval=5.0):
        """Poll the commands every ``interval`` seconds, or at once when Odoo
        notifies (the poll stays the fallback of a lost notification)."""
        while True:
            self.commands_wakeup.clear()
            try:
                await self.poll_commands()
            except Exception as error:  # keep polling whatever happened
                _logger.warning("Commands not polled: %s", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.commands_wakeup.wait(), interval)


async def run(args):
    api_key = Path(args.api_key_file).read_text().strip()
    api = OdooApi(args.odoo_url, api_key, timeout=args.timeout)
    store = Store(args.state_db)
    directory = Directory(api, ttl=args.directory_ttl)
    sender = Sender(store, api)
    central = CentralSystem(store, directory, sender=sender, api=api)
    ssl_context = None
    if args.tls_cert:
        ssl_context = server_context(args.tls_cert, args.tls_key, args.tls_client_ca)
    if args.notify_port >= 0:
        port = await central.serve_notify("127.0.0.1", args.notify_port)
        directory.notify_port = port
        _logger.info("Odoo's notifications on 127.0.0.1:%s", port)
        await directory.refresh(force=True)  # announces the port
    await central.serve(args.host, args.port, ssl_context)
    _logger.info("OCPP central system listening on %s:%s", args.host, central.port)
    tasks = [
        asyncio.create_task(sender.run()),
        asyncio.create_task(central.run_commands(args.poll_interval)),
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            await central.close()
        store.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--odoo-url", required=True)
    parser.add_argument("--api-key-file", required=True)
    parser.add_argument("--state-db", default="ocpp-central.sqlite")
    parser.add_argument("--tls-cert", help="certificate chain (security profile 2)")
    parser.add_argument("--tls-key")
    parser.add_argument(
        "--tls-client-ca",
        help="CA of the charge points' client certificates (security profile 3)",
    )
    parser.add_argument(
        "--notify-port",
        type=int,
        default=0,
        help="loopback port of Odoo's command notifications (0: any free "
        "port, announced to Odoo; -1: none, poll only)",
    )
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--directory-ttl", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
