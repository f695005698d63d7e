# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .meter_tariff_component import PRICE_DIGITS


class MeterTariffTier(models.Model):
    """A block of a tiered component: quantities up to ``up_to`` at ``price``
    (the last block has no upper bound)."""

    _name = "meter.tariff.tier"
    _description = "Tariff Block"
    _order = "component_id, sequence, up_to, id"

    component_id = fields.Many2one(
        "meter.tariff.component", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    up_to = fields.Float(
        string="Up to", digits=(16, 3), help="Upper bound; 0 on the last block."
    )
    price = fields.Float(string="Unit price", digits=PRICE_DIGITS)
