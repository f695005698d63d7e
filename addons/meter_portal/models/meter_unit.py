# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MeterUnit(models.Model):
    _name = "meter.unit"
    _inherit = ["meter.unit", "meter.portal.scope.mixin"]

    consumption_info_required = fields.Boolean(
        string="Consumption Information Required",
        help="The unit has remotely read heat or hot-water devices: its "
        "occupant gets the monthly consumption information (HeizKV §6a) and a "
        "portal registration.",
    )
    portal_access_ids = fields.One2many("meter.portal.access", "unit_id")

    @api.model
    def _portal_scope_domain(self, periods):
        return [("id", "in", list({period.unit_id for period in periods}))]
