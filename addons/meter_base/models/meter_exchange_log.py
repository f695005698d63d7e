# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterExchangeLog(models.Model):
    """One file moved by an exchange job: what happened and when."""

    _name = "meter.exchange.log"
    _description = "Exchange Log"
    _order = "started_at desc, id desc"

    job_id = fields.Many2one(
        "meter.exchange.job", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="job_id.company_id", store=True)
    kind = fields.Selection(
        [("import", "Import"), ("export", "Export")], required=True, readonly=True
    )
    status = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("partial", "Done with refused rows"),
            ("failed", "Failed"),
        ],
        required=True,
        default="running",
        readonly=True,
    )
    filename = fields.Char(readonly=True)
    message = fields.Text(readonly=True)
    started_at = fields.Datetime(
        string="Started", required=True, default=fields.Datetime.now, readonly=True
    )
    changed_at = fields.Datetime(related="write_date", string="Last Change")
    row_count = fields.Integer(string="Rows", readonly=True)
    created_count = fields.Integer(string="Stored", readonly=True)
    duplicate_count = fields.Integer(string="Already Stored", readonly=True)
    error_count = fields.Integer(string="Refused", readonly=True)
