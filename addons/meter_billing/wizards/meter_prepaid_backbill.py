# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import closing
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class MeterPrepaidBackbill(models.TransientModel):
    """Back-billing of prepaid accounts after a tariff change: the deducted
    days of a closed range are recomputed at the new price (a corrected
    tariff, or another tariff the billing points switch to from the first
    day of the range, until a given day or for good) and only the difference
    is posted, per account and month, each line saying what was deducted and
    what is due now. The preview computes the same lines without writing
    anything."""

    _name = "meter.prepaid.backbill"
    _inherit = ["meter.wizard.reopen"]
    _description = "Prepaid Back-billing"

    tariff_id = fields.Many2one(
        "meter.tariff",
        string="Changed tariff",
        help="Back-bill the open accounts whose billing points use this tariff "
        "in the range (or pick the accounts).",
    )
    new_tariff_id = fields.Many2one(
        "meter.tariff",
        string="New tariff",
        domain="[('state', '=', 'active')]",
        help="Empty: the tariffs as they are now (e.g. a corrected price). "
        "Set: the billing points change to this tariff from the first day of "
        "the range.",
    )
    new_tariff_until = fields.Date(
        string="New tariff until",
        help="Last day of the new tariff (e.g. the last day of the range): "
        "the tariffs it replaces resume the next day. Empty: the new tariff "
        "stays in force after the range.",
    )
    account_ids = fields.Many2many(
        "meter.prepaid.account",
        string="Accounts",
        compute="_compute_account_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    date = fields.Date(
        string="Posting date", required=True, default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "meter.prepaid.backbill.line", "wizard_id", string="Preview", readonly=True
    )
    amount_total = fields.Float(
        string="Total difference", compute="_compute_amount_total", digits=(16, 2)
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "meter.prepaid.account" and ids:
            values.setdefault("account_ids", [fields.Command.set(ids)])
        elif context.get("active_model") == "meter.tariff" and ids:
            values.setdefault("tariff_id", ids[0])
        return values

    @api.depends("tariff_id", "date_from", "date_to")
    def _compute_account_ids(self):
        for wizard in self:
            if not wizard.tariff_id or not wizard.date_from or not wizard.date_to:
                continue
            wizard.account_ids = self.env["meter.prepaid.account"].search(
                [
                    ("state", "=", "open"),
                    "|",
                    (
                        "billing_point_id.tariff_line_ids",
                        "any",
                        wizard._tariff_in_range(),
                    ),
                    (
                        "extra_point_ids.tariff_line_ids",
                        "any",
                        wizard._tariff_in_range(),
                    ),
                ]
            )

    def _tariff_in_range(self):
        return [
            ("tariff_id", "=", self.tariff_id.id),
            ("date_from", "<=", self.date_to),
            "|",
            ("date_to", "=", False),
            ("date_to", ">=", self.date_from),
        ]

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for wizard in self:
            wizard.amount_total = sum(wizard.line_ids.mapped("amount"))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_preview(self):
        """Compute the lines in a savepoint rolled back afterwards (the tariff
        change included), then show them."""
        self.ensure_one()
        self._check_range()
        with closing(self.env.cr.savepoint()):
            self._switch_tariff()
            vals_list = self.account_ids._prepare_backbill_vals(
                self.date_from, self.date_to, self.date
            )
        self.env.invalidate_all()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "account_id": vals["account_id"],
                    "period_from": vals["period_from"],
                    "period_to": vals["period_to"],
                    "name": line["name"],
                    "quantity": line["quantity"],
                    "amount_before": line["amount_to_date"] - line["amount"],
                    "amount_after": line["amount_to_date"],
                    "amount": line["amount"],
                }
            )
            for vals in vals_list
            for __, __, line in vals["line_ids"]
        ]
        return self._reopen()

    def action_post(self):
        """Switch the tariff (if asked) and post the differences."""
        self.ensure_one()
        self._check_range()
        self._switch_tariff()
        moves = self.account_ids._backbill(self.date_from, self.date_to, self.date)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Back-billing"),
            "res_model": "meter.prepaid.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
        }

    def _check_range(self):
        if self.date_from > self.date_to:
            raise UserError(self.env._("The range ends before it starts."))
        if (
            self.new_tariff_id
            and self.new_tariff_until
            and self.new_tariff_until < self.date_from
        ):
            raise UserError(
                self.env._(
                    "The new tariff ends before the range starts: set its last "
                    "day on or after %(start)s, or leave it empty.",
                    start=format_date(self.env, self.date_from),
                )
            )
        if not self.account_ids:
            raise UserError(self.env._("No prepaid account to back-bill."))
        self.account_ids._check_open()

    def _switch_tariff(self):
        """From ``date_from`` (to ``new_tariff_until`` when set), the billing
        points of the accounts use the new tariff: assignments starting later
        are re-pointed, the one running on ``date_from`` ends the day before
        and continues with the new tariff, and an assignment running past
        ``new_tariff_until`` resumes the day after (only the changed tariff's
        assignments when one is given)."""
        if not self.new_tariff_id:
            return
        start, until = self.date_from, self.new_tariff_until
        points = self.account_ids.billing_point_id | self.account_ids.extra_point_ids
        vals_list = []
        for line in points.tariff_line_ids.sorted("date_from", reverse=True):
            if self.tariff_id and line.tariff_id != self.tariff_id:
                continue
            if (line.date_to and line.date_to < start) or (
                until and line.date_from > until
            ):
                continue
            date_to = line.date_to
            if until and (not date_to or date_to > until):
                vals_list.append(
                    {
                        "billing_point_id": line.billing_point_id.id,
                        "tariff_id": line.tariff_id.id,
                        "date_from": until + timedelta(days=1),
                        "date_to": date_to,
                    }
                )
                date_to = until
            if line.date_from >= start:
                line.write({"tariff_id": self.new_tariff_id.id, "date_to": date_to})
                continue
            line.date_to = start - timedelta(days=1)
            vals_list.append(
                {
                    "billing_point_id": line.billing_point_id.id,
                    "tariff_id": self.new_tariff_id.id,
                    "date_from": start,
                    "date_to": date_to,
                }
            )
        self.env["meter.billing.point.tariff"].create(vals_list)


class MeterPrepaidBackbillLine(models.TransientModel):
    """One line of the back-billing preview: a tariff component of an
    account's month, deducted before, due now, and the difference posted."""

    _name = "meter.prepaid.backbill.line"
    _description = "Prepaid Back-billing Preview Line"

    wizard_id = fields.Many2one(
        "meter.prepaid.backbill", required=True, ondelete="cascade"
    )
    account_id = fields.Many2one("meter.prepaid.account", readonly=True)
    period_from = fields.Date(readonly=True)
    period_to = fields.Date(readonly=True)
    name = fields.Char(string="Component", readonly=True)
    quantity = fields.Float(string="Quantity change", digits=(16, 4), readonly=True)
    amount_before = fields.Float(string="Deducted", digits=(16, 2), readonly=True)
    amount_after = fields.Float(string="Due now", digits=(16, 2), readonly=True)
    amount = fields.Float(string="Difference", digits=(16, 2), readonly=True)
    explanation = fields.Char(compute="_compute_explanation")

    @api.depends("name", "amount_before", "amount_after", "amount")
    def _compute_explanation(self):
        for line in self:
            line.explanation = self.env._(
                "%(component)s %(start)s-%(end)s: %(after).2f due at the new "
                "price - %(before).2f deducted = %(delta).2f",
                component=line.name,
                start=line.period_from,
                end=line.period_to,
                after=line.amount_after,
                before=line.amount_before,
                delta=line.amount,
            )
