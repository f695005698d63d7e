# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from meterkit.ocpp.credentials import hash_password

from odoo import api, fields, models
from odoo.tools import format_datetime

USAGE_KINDS = [
    ("ev", "EV charging"),
    ("laundry", "Laundry"),
    ("ebike", "eBike charging"),
]


class MeterChargePoint(models.Model):
    """An OCPP charge point (or a laundry / eBike socket controller speaking
    OCPP) known to the central system by its identity, the last part of the
    websocket URL ``ws[s]://<central>/<identity>``; it authenticates with HTTP
    Basic auth (security profiles 1 and 2), its password stored hashed only.

    The central system (``python -m meterkit.ocpp.central``) reads the
    identities, password hashes and badges through the OCPP API and reports
    boots, heartbeats, statuses and sessions back; commands wait here until
    it picks them up."""

    _name = "meter.charge.point"
    _description = "Charge Point"
    _inherit = ["mail.thread"]
    _order = "site_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    identity = fields.Char(
        required=True,
        copy=False,
        tracking=True,
        help="The charge point's OCPP identity (the last part of its URL).",
    )
    active = fields.Boolean(default=True)
    site_id = fields.Many2one(
        "meter.site",
        required=True,
        index=True,
        check_company=True,
        domain="[('is_group', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    usage_kind = fields.Selection(USAGE_KINDS, required=True, default="ev")
    password = fields.Char(
        compute="_compute_password",
        inverse="_inverse_password",
        groups="meter_base.meter_base_group_technician",
        help="HTTP Basic auth password of the charge point; only its hash is kept.",
    )
    password_hash = fields.Char(
        readonly=True, copy=False, groups="meter_base.meter_base_group_technician"
    )
    has_password = fields.Boolean(compute="_compute_has_password")
    protocol = fields.Char(readonly=True, copy=False)
    vendor = fields.Char(readonly=True, copy=False)
    model_name = fields.Char(string="Model", readonly=True, copy=False)
    serial_number = fields.Char(readonly=True, copy=False)
    firmware_version = fields.Char(readonly=True, copy=False)
    state = fields.Selection(
        [("new", "Never connected"), ("online", "Online"), ("offline", "Offline")],
        default="new",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    last_seen_at = fields.Datetime(readonly=True, copy=False)
    offline_after = fields.Integer(
        string="Offline After (min)",
        default=15,
        required=True,
        help="Minutes without a message before the charge point is offline "
        "(its heartbeat comes every 5 minutes).",
    )
    max_session_hours = fields.Integer(
        default=24,
        required=True,
        help="A session running longer than this without a stop raises an alarm.",
    )
    connector_ids = fields.One2many("meter.charge.connector", "charge_point_id")
    session_ids = fields.One2many("meter.usage.session", "charge_point_id")
    session_count = fields.Integer(compute="_compute_session_count")
    command_ids = fields.One2many("meter.charge.command", "charge_point_id")

    _identity_uniq = models.Constraint(
        "UNIQUE(identity)", "A charge point with this identity already exists."
    )

    def _compute_password(self):
        self.password = False

    def _inverse_password(self):
        for charge_point in self.filtered("password"):
            charge_point.password_hash = hash_password(charge_point.password)

    @api.depends_context("uid")
    def _compute_has_password(self):
        for charge_point, stored in zip(
            self, self.sudo().mapped("password_hash"), strict=True
        ):
            charge_point.has_password = bool(stored)

    def _compute_session_count(self):
        counts = dict(
            self.env["meter.usage.session"]._read_group(
                [("charge_point_id", "in", self.ids)],
                ["charge_point_id"],
                ["__count"],
            )
        )
        for charge_point in self:
            charge_point.session_count = counts.get(charge_point, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_sessions(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_hardware.meter_usage_session_action"
        )
        action["domain"] = [("charge_point_id", "in", self.ids)]
        return action

    def action_reset(self):
        return self._queue("reset", {"hard": False})

    def action_make_available(self):
        return self._queue("change_availability", {"operative": True})

    def action_make_unavailable(self):
        return self._queue("change_availability", {"operative": False})

    def _queue(self, action, params, session=None):
        self.check_access("write")
        self.env["meter.charge.command"].create(
            [
                {
                    "charge_point_id": charge_point.id,
                    "action": action,
                    "params": params,
                    "session_id": session.id if session else False,
                }
                for charge_point in self
            ]
        )
        return True

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_check(self):
        """Offline charge points and sessions without a stop raise alarms;
        the alarms close when the condition recovers."""
        now = fields.Datetime.now()
        Alarm = self.env["meter.alarm"]
        charge_points = self.search([("state", "!=", "new")])
        offline, back = charge_points._offline_alarms(now)
        unstopped, stopped = charge_points._unstopped_alarms(now)
        Alarm._raise(offline + unstopped)
        Alarm._resolve(back + stopped)

    def _offline_alarms(self, now):
        """``(alarm vals, alarm keys to resolve)`` of the charge points silent
        for longer than their ``offline_after``; those are set offline."""
        raise_vals, resolved = [], []
        for charge_point in self:
            key = ("charge_point_offline", False, False, charge_point.id)
            limit = now - timedelta(minutes=charge_point.offline_after)
            if charge_point.last_seen_at and charge_point.last_seen_at < limit:
                charge_point.state = "offline"
                raise_vals.append(
                    {
                        "kind": "charge_point_offline",
                        "charge_point_id": charge_point.id,
                        "message": self.env._(
                            "No message from charge point %(name)s since %(at)s: "
                            "check its power and network connection.",
                            name=charge_point.name,
                            at=format_datetime(self.env, charge_point.last_seen_at),
                        ),
                    }
                )
            else:
                resolved.append(key)
        return raise_vals, resolved

    def _unstopped_alarms(self, now):
        """``(alarm vals, alarm keys to resolve)`` of the charge points with
        sessions running longer than their ``max_session_hours``."""
        running = self.env["meter.usage.session"].search(
            [("state", "=", "running"), ("charge_point_id", "in", self.ids)]
        )
        stale = {}
        for session in running:
            hours = session.charge_point_id.max_session_hours
            if session.start_at < now - timedelta(hours=hours):
                stale.setdefault(session.charge_point_id, []).append(session)
        raise_vals, resolved = [], []
        for charge_point in self:
            sessions = stale.get(charge_point)
            if not sessions:
                resolved.append(("session_unstopped", False, False, charge_point.id))
                continue
            raise_vals.append(
                {
                    "kind": "session_unstopped",
                    "charge_point_id": charge_point.id,
                    "message": self.env._(
                        "Sessions without a stop for more than %(hours)s hours: "
                        "%(sessions)s",
                        hours=charge_point.max_session_hours,
                        sessions=", ".join(s.display_name for s in sessions),
                    ),
                }
            )
        return raise_vals, resolved


class MeterChargeConnector(models.Model):
    """A connector (1.6) or EVSE (2.0.1) of a charge point with its last
    status, created on the first StatusNotification that names it."""

    _name = "meter.charge.connector"
    _description = "Charge Point Connector"
    _order = "charge_point_id, number"

    charge_point_id = fields.Many2one(
        "meter.charge.point", required=True, ondelete="cascade", index=True
    )
    site_id = fields.Many2one(related="charge_point_id.site_id", store=True)
    company_id = fields.Many2one(related="charge_point_id.company_id", store=True)
    number = fields.Integer(required=True)
    status = fields.Char(readonly=True)
    error_code = fields.Char(readonly=True)
    status_at = fields.Datetime(readonly=True)

    _number_uniq = models.Constraint(
        "UNIQUE(charge_point_id, number)",
        "This connector number already exists on the charge point.",
    )

    @api.depends("charge_point_id.name", "number")
    def _compute_display_name(self):
        for connector in self:
            connector.display_name = (
                f"{connector.charge_point_id.name} / {connector.number}"
            )


class MeterChargeCommand(models.Model):
    """A command for a charge point, waiting until the central system polls
    it (Odoo never opens a socket to a charge point), then executed once and
    answered with the charge point's status."""

    _name = "meter.charge.command"
    _description = "Charge Point Command"
    _order = "id desc"

    charge_point_id = fields.Many2one(
        "meter.charge.point", required=True, ondelete="cascade", index=True
    )
    site_id = fields.Many2one(related="charge_point_id.site_id", store=True)
    company_id = fields.Many2one(related="charge_point_id.company_id", store=True)
    session_id = fields.Many2one("meter.usage.session", ondelete="set null")
    action = fields.Selection(
        [
            ("remote_start", "Remote start"),
            ("remote_stop", "Remote stop"),
            ("change_availability", "Change availability"),
            ("reset", "Reset"),
        ],
        required=True,
    )
    params = fields.Json()
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Accepted"), ("failed", "Failed")],
        default="pending",
        required=True,
        index=True,
    )
    result = fields.Char(readonly=True, help="The charge point's answer.")
    done_at = fields.Datetime(readonly=True)

    def _apply_result(self, status):
        if self.state != "pending":
            return False
        self.write(
            {
                "state": "done" if status == "Accepted" else "failed",
                "result": status,
                "done_at": fields.Datetime.now(),
            }
        )
        return True
