# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import api, fields, models

from ..models.meter_reading_exchange import ERROR_POLICIES, TIMES


class MeterReadingImport(models.TransientModel):
    """Import readings from an XML, XLSX or CSV exchange file.

    ``Check`` is a dry run: every row is checked exactly as the import would
    (meters, access, idempotency, admission, consumption) and nothing is
    stored. ``Import`` stores the valid rows and reports the others, or stops
    at the first bad row keeping the rows before it (error policy).
    """

    _name = "meter.reading.import"
    _inherit = ["meter.wizard.reopen"]
    _description = "Import Readings"

    file = fields.Binary(required=True)
    filename = fields.Char()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    site_id = fields.Many2one(
        "meter.site",
        string="Site",
        domain="[('company_id', '=', company_id)]",
        help="Only meters of this site (or group of sites) may be named.",
    )
    building_id = fields.Many2one(
        "meter.building",
        string="Building",
        domain="[('company_id', '=', company_id)]",
        help="Only meters of this building may be named.",
    )
    error_policy = fields.Selection(ERROR_POLICIES, required=True, default="skip")
    times = fields.Selection(
        TIMES,
        string="Times Without Offset",
        required=True,
        default="utc",
        help="How to read instants written without a UTC offset (e.g. "
        "2026-01-31 00:00 typed in a spreadsheet). Exports write UTC.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("checked", "Checked"), ("done", "Done")], default="draft"
    )
    report = fields.Text(readonly=True)
    row_count = fields.Integer(readonly=True)
    created_count = fields.Integer(string="Stored", readonly=True)
    duplicate_count = fields.Integer(string="Already Stored", readonly=True)
    error_count = fields.Integer(string="Refused", readonly=True)

    @api.onchange("file")
    def _onchange_file(self):
        if self.state != "draft":
            self.state = "draft"

    def action_check(self):
        self.ensure_one()
        self._run(dry_run=True)
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        self._run(dry_run=False)
        return self._reopen()

    def _scope(self):
        return self.building_id or self.site_id or self.company_id

    def _run(self, dry_run):
        Exchange = self.env["meter.reading.exchange"]
        result = Exchange._import_file(
            base64.b64decode(self.file),
            self.filename or "readings.xlsx",
            scope=self._scope(),
            policy=self.error_policy,
            dry_run=dry_run,
            times=self.times,
        )
        self.write(
            {
                "state": "checked" if dry_run else "done",
                "report": Exchange._report_text(result),
                "row_count": result["total"],
                "created_count": result["created"],
                "duplicate_count": result["duplicates"],
                "error_count": len(result["rejected"]),
            }
        )
        return result
