# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterPrepaidMoveLine(models.Model):
    """One tariff component of a deduction or back-billing: what it adds to
    the month's charge (``amount``) and the month-to-date charge it brings the
    month to (``amount_to_date``), so each line explains itself."""

    _name = "meter.prepaid.move.line"
    _description = "Prepaid Move Line"
    _order = "move_id, id"

    move_id = fields.Many2one(
        "meter.prepaid.move", required=True, index=True, ondelete="cascade"
    )
    account_id = fields.Many2one(related="move_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="move_id.company_id", store=True)
    date = fields.Date(related="move_id.date", store=True)
    move_type = fields.Selection(related="move_id.move_type", store=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    billing_point_id = fields.Many2one("meter.billing.point", ondelete="restrict")
    component_id = fields.Many2one("meter.tariff.component", ondelete="restrict")
    tariff_version_id = fields.Many2one("meter.tariff.version", ondelete="restrict")
    band = fields.Char()
    product_id = fields.Many2one("product.product", ondelete="restrict")
    name = fields.Char(string="Description", required=True)
    quantity = fields.Float(digits=(16, 4))
    amount = fields.Monetary()
    amount_to_date = fields.Monetary(string="Month to date")
    tax_ids = fields.Many2many("account.tax", string="Taxes")
    amount_tax = fields.Monetary(string="Tax", help="Taxes on ``amount``.")
    amount_total = fields.Monetary(
        string="Total", help="Deducted from the balance: the amount with its taxes."
    )
