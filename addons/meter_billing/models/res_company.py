# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    meter_cash_rounding_id = fields.Many2one(
        "account.cash.rounding",
        string="Metering cash rounding",
        help="Cash rounding of metering invoices (e.g. 0.05 in Switzerland).",
    )
    meter_advance_product_id = fields.Many2one(
        "product.product",
        string="Advance payment product",
        help="Product of the advance payment invoices of billing points.",
    )
    meter_common_product_id = fields.Many2one(
        "product.product",
        string="Common-area product",
        help="Product of the common-area apportionment lines.",
    )
