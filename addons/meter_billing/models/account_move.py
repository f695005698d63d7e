# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    meter_billing_run_id = fields.Many2one(
        "meter.billing.run", readonly=True, index="btree_not_null", copy=False
    )
    meter_billing_line_ids = fields.One2many(
        "meter.billing.line", "move_id", string="Billing lines", readonly=True
    )

    _meter_run_partner_uniq = models.UniqueIndex(
        "(meter_billing_run_id, partner_id) WHERE meter_billing_run_id IS NOT NULL "
        "AND move_type = 'out_invoice'",
        "A billing run issues one invoice per partner.",
    )
