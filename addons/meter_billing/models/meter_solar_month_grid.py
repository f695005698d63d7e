# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

KWH = (16, 4)


class MeterSolarMonth(models.Model):
    """The grid connection meter of a month against the shared figures
    (:func:`meterkit.solar_owner.grid_difference`): its import (T1) against
    the community's computed import (the participants' grid parts and the
    battery charge from the grid), its export (T2) against the surplus."""

    _inherit = "meter.solar.month"

    grid_meter_import = fields.Float(
        string="Grid meter import", digits=KWH, readonly=True
    )
    grid_meter_export = fields.Float(
        string="Grid meter export", digits=KWH, readonly=True
    )
    import_difference = fields.Float(
        digits=KWH, readonly=True, help="Grid meter import minus computed import."
    )
    export_difference = fields.Float(
        digits=KWH, readonly=True, help="Grid meter export minus computed export."
    )
    grid_mismatch = fields.Boolean(
        string="Grid meter mismatch",
        readonly=True,
        help="A difference exceeds the community's tolerance.",
    )
    participant_month_ids = fields.One2many(
        "meter.solar.participant.month", "month_id", string="Participants"
    )
    grid_checked = fields.Boolean(
        string="Grid meter checked",
        readonly=True,
        help="Reconciled with the grid connection meter.",
    )
