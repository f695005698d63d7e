# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import fields, models

from ..models.meter_reading_exchange import FORMATS


class MeterReadingExport(models.TransientModel):
    """Export the live readings of a company, site or building to an XML or
    XLSX exchange file, keyed by the meters' external ids."""

    _name = "meter.reading.export"
    _inherit = ["meter.wizard.reopen"]
    _description = "Export Readings"

    file_format = fields.Selection(FORMATS, required=True, default="xlsx")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    site_id = fields.Many2one(
        "meter.site", string="Site", domain="[('company_id', '=', company_id)]"
    )
    building_id = fields.Many2one(
        "meter.building", string="Building", domain="[('company_id', '=', company_id)]"
    )
    date_from = fields.Datetime()
    date_to = fields.Datetime()
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        scope = self.building_id or self.site_id or self.company_id
        Exchange = self.env["meter.reading.exchange"]
        data = Exchange._export(self.file_format, scope, self.date_from, self.date_to)
        self.write(
            {
                "file": base64.b64encode(data),
                "filename": Exchange._export_filename(
                    scope, self.file_format, fields.Datetime.now()
                ),
            }
        )
        return self._reopen()
