# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    meter_expense_statement_id = fields.Many2one(
        "meter.expense.statement",
        string="Expense statement",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )

    _meter_expense_statement_uniq = models.UniqueIndex(
        "(meter_expense_statement_id) WHERE meter_expense_statement_id IS NOT NULL",
        "An expense statement is posted once.",
    )
