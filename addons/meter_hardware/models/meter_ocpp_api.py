# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import UTC, datetime

from meterkit.ocpp.api import normalize_token

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


def _utc(value):
    """Naive UTC datetime of an OCPP timestamp (ISO 8601), or None."""
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


class MeterOcppApi(models.AbstractModel):
    """What the OCPP API endpoints do, as the API key's user (record rules
    scope it to that user's sites): the directory the central system needs,
    the events it reports (each answered ``ok``, ``duplicate`` or ``error``;
    replaying an event never changes anything twice) and the pending
    commands."""

    _name = "meter.ocpp.api"
    _description = "OCPP Central System API"

    @api.model
    def _config(self):
        # archived charge points too: the central system refuses them
        charge_points = self.env["meter.charge.point"].search(
            [("active", "in", (True, False))]
        )
        badges = self.env["meter.badge"].search(
            [("state", "in", ("active", "lost", "blocked"))]
        )
        return {
            "charge_points": [
                {
                    "identity": cp.identity,
                    "password_hash": cp.password_hash or "",
                    "active": cp.active,
                }
                for cp in charge_points
            ],
            "badges": [{"token": b.token, "state": b.state} for b in badges],
        }

    @api.model
    def _commands(self):
        commands = self.env["meter.charge.command"].search(
            [("state", "=", "pending")], order="id", limit=500
        )
        return [
            {
                "id": c.id,
                "charge_point": c.charge_point_id.identity,
                "action": c.action,
                "params": c.params or {},
            }
            for c in commands
        ]

    @api.model
    def _ingest(self, events):
        """Apply the central system's events in order; one result each."""
        identities = {e.get("charge_point") for e in events if isinstance(e, dict)} - {
            None
        }
        charge_points = {
            cp.identity: cp
            for cp in self.env["meter.charge.point"].search(
                [("identity", "in", list(identities))]
            )
        }
        results = []
        for event in events:
            key = event.get("key") if isinstance(event, dict) else None
            if not isinstance(key, str):
                results.append(
                    {"key": key, "status": "error", "message": "no event key"}
                )
                continue
            charge_point = charge_points.get(event.get("charge_point"))
            handler = getattr(self, f"_on_{event.get('type')}", None)
            if charge_point is None or handler is None:
                message = (
                    "unknown charge point" if charge_point is None else "unknown type"
                )
                results.append({"key": key, "status": "error", "message": message})
                continue
            try:
                with self.env.cr.savepoint():
                    status, message = handler(charge_point, event)
            except (UserError, ValidationError, ValueError, TypeError) as error:
                # answered, not retried: the same event would fail again
                _logger.warning("OCPP event %s refused: %s", key, error)
                status, message = "error", str(error)
            results.append({"key": key, "status": status, "message": message})
        return results

    def _seen(self, charge_point, event, **vals):
        at = _utc(event.get("received_at")) or fields.Datetime.now()
        if not charge_point.last_seen_at or at >= charge_point.last_seen_at:
            vals["last_seen_at"] = at
        if vals:
            charge_point.write(vals)

    def _on_boot(self, charge_point, event):
        self._seen(
            charge_point,
            event,
            state="online",
            protocol=event.get("protocol") or charge_point.protocol,
            vendor=event.get("vendor") or False,
            model_name=event.get("model") or False,
            serial_number=event.get("serial") or False,
            firmware_version=event.get("firmware") or False,
        )
        return "ok", ""

    def _on_heartbeat(self, charge_point, event):
        self._seen(charge_point, event, state="online")
        return "ok", ""

    def _on_connection(self, charge_point, event):
        vals = {"state": "online"} if event.get("online") else {}
        if event.get("protocol"):
            vals["protocol"] = event["protocol"]
        self._seen(charge_point, event, **vals)
        return "ok", ""

    def _on_status(self, charge_point, event):
        number = event.get("connector")
        if not isinstance(number, int):
            return "error", "connector must be an integer"
        at = _utc(event.get("at")) or fields.Datetime.now()
        connector = charge_point.connector_ids.filtered(lambda c: c.number == number)
        vals = {
            "status": event.get("status") or "",
            "error_code": event.get("error_code") or "",
            "status_at": at,
        }
        self._seen(charge_point, event, state="online")
        if not connector:
            self.env["meter.charge.connector"].create(
                {"charge_point_id": charge_point.id, "number": number, **vals}
            )
        elif not connector.status_at or at >= connector.status_at:
            connector.write(vals)
        else:
            return "duplicate", "older than the status stored"
        return "ok", ""

    def _session(self, charge_point, event):
        return self.env["meter.usage.session"].search(
            [
                ("charge_point_id", "=", charge_point.id),
                ("transaction_id", "=", str(event.get("transaction_id"))),
            ]
        )

    def _on_session_start(self, charge_point, event):
        if not event.get("transaction_id"):
            return "error", "no transaction id"
        if self._session(charge_point, event):
            return "duplicate", ""
        start_at = _utc(event.get("started_at"))
        if start_at is None:
            return "error", "started_at is not an ISO 8601 timestamp"
        token = normalize_token(event.get("token"))
        badge = (
            self.env["meter.badge"].search([("token", "=", token)], limit=1)
            if token
            else self.env["meter.badge"]
        )
        wh = _number(event.get("meter_start_wh"))
        self.env["meter.usage.session"].create(
            {
                "charge_point_id": charge_point.id,
                "kind": charge_point.usage_kind,
                "transaction_id": str(event["transaction_id"]),
                "connector": event.get("connector") or 0,
                "token": token or False,
                "badge_id": badge.id,
                "occupancy_id": badge.occupancy_id.id,
                "partner_id": (badge.occupancy_id.partner_id or badge.partner_id).id,
                "start_at": start_at,
                "meter_start_wh": wh or 0.0,
                "meter_last_wh": wh or 0.0,
                "protocol": event.get("protocol") or charge_point.protocol,
                "evidence": {"start": event},
            }
        )
        self._seen(charge_point, event)
        return "ok", ""

    def _on_meter_values(self, charge_point, event):
        session = self._session(charge_point, event)
        wh = _number(event.get("energy_wh"))
        if not session:
            return "error", "unknown transaction"
        if wh is None:
            return "error", "energy_wh must be a number"
        self._seen(charge_point, event)
        if session.state != "running" or wh <= session.meter_last_wh:
            return "duplicate", "not above the last meter value"
        session.meter_last_wh = wh
        return "ok", ""

    def _on_session_stop(self, charge_point, event):
        session = self._session(charge_point, event)
        if not session:
            return "error", "unknown transaction"
        if session.state == "stopped":
            return "duplicate", "already stopped"
        stop_at = _utc(event.get("stopped_at"))
        if stop_at is None:
            return "error", "stopped_at is not an ISO 8601 timestamp"
        wh = _number(event.get("meter_stop_wh"))
        vals = {
            "state": "stopped",
            "stop_at": max(stop_at, session.start_at),
            "stop_reason": event.get("reason") or "",
            "evidence": {**(session.evidence or {}), "stop": event},
        }
        if wh is not None:
            vals["meter_stop_wh"] = max(wh, session.meter_last_wh)
            vals["meter_last_wh"] = vals["meter_stop_wh"]
        session.write(vals)
        self._seen(charge_point, event)
        return "ok", ""

    def _on_command_result(self, charge_point, event):
        command = self.env["meter.charge.command"].search(
            [
                ("id", "=", event.get("command_id") or 0),
                ("charge_point_id", "=", charge_point.id),
            ]
        )
        if not command:
            return "error", "unknown command"
        if not command._apply_result(str(event.get("status"))):
            return "duplicate", ""
        return "ok", ""
