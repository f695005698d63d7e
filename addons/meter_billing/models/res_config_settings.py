# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    meter_cash_rounding_id = fields.Many2one(
        related="company_id.meter_cash_rounding_id", readonly=False
    )
    meter_advance_product_id = fields.Many2one(
        related="company_id.meter_advance_product_id", readonly=False
    )
    meter_common_product_id = fields.Many2one(
        related="company_id.meter_common_product_id", readonly=False
    )
    meter_prepaid_account_id = fields.Many2one(
        related="company_id.meter_prepaid_account_id", readonly=False
    )
    meter_prepaid_journal_id = fields.Many2one(
        related="company_id.meter_prepaid_journal_id", readonly=False
    )
