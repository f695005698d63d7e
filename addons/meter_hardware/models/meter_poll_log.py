# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

RETENTION_PARAM = "meter_hardware.poll_log_retention_days"
DEFAULT_RETENTION_DAYS = 90
CLEANUP_BATCH = 5000


class MeterPollLog(models.Model):
    """One poll of one gateway, with the raw frames or responses the readings
    come from (the evidence), kept for a configurable number of days."""

    _name = "meter.poll.log"
    _description = "Poll Log"
    _order = "started_at desc, id desc"

    gateway_id = fields.Many2one(
        "meter.gateway", required=True, ondelete="cascade", index=True
    )
    site_id = fields.Many2one(related="gateway_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="gateway_id.company_id", store=True)
    started_at = fields.Datetime(required=True, index=True)
    duration = fields.Float(string="Duration (s)", digits=(16, 3))
    state = fields.Selection(
        [("ok", "OK"), ("partial", "Partial"), ("failed", "Failed")], required=True
    )
    device_count = fields.Integer(string="Devices")
    reading_count = fields.Integer(string="Readings Stored")
    duplicate_count = fields.Integer(string="Already Stored")
    rejected_count = fields.Integer(string="Refused")
    message = fields.Text()
    raw = fields.Text(string="Raw Frames")

    @api.model
    def _cron_cleanup(self):
        """Delete logs older than the retention setting (days; 0 keeps all)."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(RETENTION_PARAM, DEFAULT_RETENTION_DAYS)
        )
        if days <= 0:
            return 0
        domain = [("started_at", "<", fields.Datetime.now() - timedelta(days=days))]
        cron = self.env["ir.cron"]
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        if in_cron:
            cron._commit_progress(remaining=self.search_count(domain))
        count = 0
        while batch := self.search(domain, limit=CLEANUP_BATCH):
            count += len(batch)
            batch.unlink()
            if in_cron and not cron._commit_progress(len(batch)):
                break
        return count
