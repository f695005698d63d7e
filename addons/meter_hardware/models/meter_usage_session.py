# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .meter_charge_point import USAGE_KINDS


class MeterUsageSession(models.Model):
    """One use of a charge point, laundry machine or eBike socket: started
    and stopped by the charge point (reported by the central system), with
    the badge that opened it and the occupancy that pays for it, snapshotted
    at the start. Energy = last meter value (or the stop value) - start
    value. Stored once per (charge point, transaction id)."""

    _name = "meter.usage.session"
    _description = "Usage Session"
    _order = "start_at desc, id desc"
    _check_company_auto = True

    charge_point_id = fields.Many2one(
        "meter.charge.point", required=True, index=True, ondelete="restrict"
    )
    site_id = fields.Many2one(related="charge_point_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="charge_point_id.company_id", store=True)
    kind = fields.Selection(USAGE_KINDS, required=True, default="ev")
    transaction_id = fields.Char(required=True, readonly=True)
    connector = fields.Integer(readonly=True)
    badge_id = fields.Many2one("meter.badge", readonly=True, index="btree_not_null")
    token = fields.Char(readonly=True, help="The RFID token the charge point sent.")
    occupancy_id = fields.Many2one(
        "meter.occupancy", readonly=True, index="btree_not_null"
    )
    partner_id = fields.Many2one("res.partner", string="Resident", readonly=True)
    start_at = fields.Datetime(required=True, readonly=True)
    stop_at = fields.Datetime(readonly=True)
    meter_start_wh = fields.Float(string="Meter Start (Wh)", readonly=True)
    meter_last_wh = fields.Float(string="Last Meter Value (Wh)", readonly=True)
    meter_stop_wh = fields.Float(string="Meter Stop (Wh)", readonly=True)
    energy_kwh = fields.Float(
        string="Energy (kWh)",
        compute="_compute_energy",
        store=True,
        digits=(16, 3),
    )
    duration_minutes = fields.Float(compute="_compute_energy", store=True)
    stop_reason = fields.Char(readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("stopped", "Stopped")],
        default="running",
        required=True,
        readonly=True,
        index=True,
    )
    evidence = fields.Json(readonly=True, help="The OCPP start and stop payloads.")
    protocol = fields.Char(readonly=True)

    _transaction_uniq = models.Constraint(
        "UNIQUE(charge_point_id, transaction_id)",
        "This charge point already has a session with this transaction id.",
    )

    @api.depends(
        "meter_start_wh", "meter_last_wh", "meter_stop_wh", "start_at", "stop_at"
    )
    def _compute_energy(self):
        for session in self:
            end = max(session.meter_stop_wh or 0.0, session.meter_last_wh or 0.0)
            start = session.meter_start_wh or 0.0
            session.energy_kwh = max(end - start, 0.0) / 1000 if end else 0.0
            if session.start_at and session.stop_at:
                delta = session.stop_at - session.start_at
                session.duration_minutes = delta.total_seconds() / 60
            else:
                session.duration_minutes = 0.0

    @api.depends("charge_point_id.name", "transaction_id")
    def _compute_display_name(self):
        for session in self:
            session.display_name = (
                f"{session.charge_point_id.name} #{session.transaction_id}"
            )

    def action_remote_stop(self):
        for session in self.filtered(lambda s: s.state == "running"):
            session.charge_point_id._queue(
                "remote_stop",
                {"transaction_id": session.transaction_id},
                session=session,
            )
        return True
