# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

POOLS = [
    ("consumption", "By consumption"),
    ("base", "By base key"),
    ("residual", "Main minus units"),
    ("cut", "§12 cut"),
    ("co2", "CO2 landlord share"),
]


class MeterExpenseStatementLine(models.Model):
    """An occupancy's part of one pool of a section: ``amount`` of
    ``pool_amount`` by ``basis`` of ``total_basis`` (largest remainder), so a
    reader can recompute it by hand."""

    _name = "meter.expense.statement.line"
    _description = "Expense Statement Line"
    _order = "statement_id, section_id, id"

    statement_id = fields.Many2one(
        "meter.expense.statement", required=True, index=True, ondelete="cascade"
    )
    site_id = fields.Many2one(related="statement_id.site_id", store=True)
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")
    section_id = fields.Many2one("meter.expense.section", required=True)
    pool_type = fields.Selection(POOLS, required=True)
    basis = fields.Float(digits=(16, 6))
    total_basis = fields.Float(digits=(16, 6))
    pool_amount = fields.Monetary()
    amount = fields.Monetary(help="The share rounded once by meterkit.")
    amount_exact = fields.Float(
        string="Exact amount",
        digits=(16, 6),
        help="The unrounded share (pool x basis / total basis) meterkit rounded "
        "into the amount; the rounded amounts of a pool sum to it exactly.",
    )
    explanation = fields.Char(compute="_compute_explanation")

    @api.depends("pool_type", "basis", "total_basis", "pool_amount", "amount")
    def _compute_explanation(self):
        for line in self:
            if line.pool_type == "cut":
                line.explanation = self.env._(
                    "%(pct)s %% of your share %(share)s",
                    pct=line.basis,
                    share=line.pool_amount,
                )
                continue
            line.explanation = self.env._(
                "%(amount)s x %(basis)s / %(total)s",
                amount=line.pool_amount,
                basis=line.basis,
                total=line.total_basis,
            )
