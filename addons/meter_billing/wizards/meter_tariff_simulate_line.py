# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterTariffSimulateLine(models.TransientModel):
    """One billing point of a what-if: its amount with its own tariffs and with
    the simulated one."""

    _name = "meter.tariff.simulate.line"
    _description = "What-if: billing point"
    _order = "billing_point_id"

    wizard_id = fields.Many2one(
        "meter.tariff.simulate", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    billing_point_id = fields.Many2one("meter.billing.point", readonly=True)
    current_amount = fields.Monetary(readonly=True)
    simulated_amount = fields.Monetary(readonly=True)
    delta = fields.Monetary(readonly=True)
    note = fields.Char(readonly=True)
