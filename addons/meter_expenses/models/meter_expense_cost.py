# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

COST_TYPES = [
    ("fuel", "Fuel or energy"),
    ("operation", "Operating electricity and maintenance"),
    ("metering", "Metering devices and billing"),
    ("water", "Water and drainage"),
    ("ancillary", "Ancillary (caretaker, cleaning, insurance, ...)"),
    ("fund", "Renovation fund"),
    ("other", "Other"),
]


class MeterExpenseCost(models.Model):
    """A cost of the period in a section: a posted vendor bill item (the bill
    is linked) or a manual entry. A vendor bill item is allocated once."""

    _name = "meter.expense.cost"
    _description = "Expense Statement Cost"
    _order = "period_id, section_id, id"

    period_id = fields.Many2one(
        "meter.expense.period", required=True, index=True, ondelete="cascade"
    )
    section_id = fields.Many2one(
        "meter.expense.section",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('period_id', '=', period_id)]",
    )
    site_id = fields.Many2one(related="period_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="period_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    name = fields.Char(required=True)
    cost_type = fields.Selection(COST_TYPES, required=True, default="other")
    amount = fields.Monetary(required=True)
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Vendor bill item",
        index="btree_not_null",
        ondelete="restrict",
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Vendor bill")

    _move_line_uniq = models.UniqueIndex(
        "(move_line_id) WHERE move_line_id IS NOT NULL",
        "A vendor bill item is allocated in one period only.",
    )

    @api.constrains("move_line_id", "period_id", "section_id")
    def _check_move_line(self):
        for cost in self:
            if cost.section_id.period_id != cost.period_id:
                raise ValidationError(
                    self.env._(
                        "Cost %(cost)s: section %(section)s is not of its period.",
                        cost=cost.name,
                        section=cost.section_id.name,
                    )
                )
            item = cost.move_line_id
            if not item:
                continue
            if item.company_id != cost.company_id:
                raise ValidationError(
                    self.env._(
                        "Cost %(cost)s: vendor bill %(bill)s belongs to company "
                        "%(company)s, not to the period's.",
                        cost=cost.name,
                        bill=item.move_id.display_name,
                        company=item.company_id.name,
                    )
                )
            if item.parent_state != "posted":
                raise ValidationError(
                    self.env._(
                        "Cost %(cost)s: vendor bill %(bill)s is not posted.",
                        cost=cost.name,
                        bill=item.move_id.display_name,
                    )
                )

    def _check_consistency(self):
        """Refuse a period whose costs changed under it (an item unposted since)."""
        for cost in self.filtered("move_line_id"):
            if cost.move_line_id.parent_state != "posted":
                raise UserError(
                    self.env._(
                        "Cost %(cost)s: vendor bill %(bill)s is no longer posted.",
                        cost=cost.name,
                        bill=cost.move_id.display_name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_allocated(self):
        for cost in self:
            if cost.period_id.state not in ("draft", "collected"):
                raise UserError(
                    self.env._(
                        "Cost %(cost)s belongs to allocated period %(period)s: "
                        "reopen the period first.",
                        cost=cost.name,
                        period=cost.period_id.display_name,
                    )
                )
