# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit import as_decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

MOVE_TYPES = [
    ("top_up", "Top-up"),
    ("deduction", "Deduction"),
    ("backbill", "Back-billing"),
    ("apportion", "Common areas"),
    ("usage", "Usage session"),
    ("refund", "Refund"),
]
#: the kind of balance change of meterkit.prepaid for each move type
KINDS = {
    "top_up": "top_up",
    "deduction": "deduction",
    "backbill": "deduction",
    "apportion": "deduction",
    "usage": "deduction",
    "refund": "refund",
}
SIGNS = {
    "top_up": 1,
    "deduction": -1,
    "backbill": -1,
    "apportion": -1,
    "usage": -1,
    "refund": -1,
}


class MeterPrepaidMove(models.Model):
    """One change of a prepaid balance, always tied to its posted journal
    entry on the customer prepayment account: a top-up (cash, bank, online),
    the deduction of one day (one entry per account and day, one line per
    tariff component), a back-billing difference or a refund."""

    _name = "meter.prepaid.move"
    _description = "Prepaid Move"
    _order = "date desc, id desc"
    _check_company_auto = True

    account_id = fields.Many2one(
        "meter.prepaid.account", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    site_id = fields.Many2one(related="account_id.site_id", store=True)
    partner_id = fields.Many2one(related="account_id.partner_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_type = fields.Selection(MOVE_TYPES, string="Type", required=True)
    date = fields.Date(required=True, index=True)
    period_from = fields.Date()
    period_to = fields.Date()
    amount = fields.Monetary(
        help="Amount of the top-up, refund or deduction (a negative back-billing "
        "is a credit)."
    )
    balance_change = fields.Monetary(
        compute="_compute_balance_change", store=True, string="Change of balance"
    )
    journal_id = fields.Many2one(
        "account.journal", check_company=True, string="Payment journal"
    )
    payment_reference = fields.Char(
        index=True, copy=False, help="Payment or provider reference (idempotency key)."
    )
    account_move_id = fields.Many2one(
        "account.move", string="Journal entry", readonly=True, index=True
    )
    line_ids = fields.One2many("meter.prepaid.move.line", "move_id")
    resource_id = fields.Many2one(
        "meter.resource", help="Resource of the common meters apportioned."
    )

    _one_deduction_per_day = models.UniqueIndex(
        "(account_id, date) WHERE move_type = 'deduction'",
        "A prepaid account is deducted once per day.",
    )
    _one_apportionment_per_month = models.UniqueIndex(
        "(account_id, period_from, resource_id) WHERE move_type = 'apportion'",
        "The common areas of a resource are apportioned once per account and month.",
    )
    _one_payment_per_reference = models.UniqueIndex(
        "(company_id, payment_reference) WHERE payment_reference IS NOT NULL "
        "AND move_type = 'top_up'",
        "This payment reference was already credited.",
    )

    @api.depends("move_type", "amount")
    def _compute_balance_change(self):
        for move in self:
            move.balance_change = SIGNS.get(move.move_type, 0) * move.amount

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _create_posted(self, vals_list):
        """Create the moves of ``vals_list`` with their posted journal entries,
        the accounts locked (a concurrent top-up and deduction serialize) and
        their balance, level and supply updated in the same transaction.

        :raise UserError: a move is refused (closed account, not a positive
            amount, above the maximum balance, refund above the balance);
            nothing is written.
        """
        if not vals_list:
            return self
        accounts = self.env["meter.prepaid.account"].browse(
            {vals["account_id"] for vals in vals_list}
        )
        accounts._lock()
        # iterated, the locked accounts are read together (not one by one)
        by_id = {account.id: account for account in accounts}
        cache = {}
        entry_vals = []
        for vals in vals_list:
            account = by_id[vals["account_id"]]
            account._check_open()
            amount = self._move_amount(account, vals)
            vals["amount"] = float(amount)
            account._apply(KINDS[vals["move_type"]], amount)
            entry_vals.append(self._prepare_entry_vals(account, vals, cache))
        # generated entries, recorded by their prepaid moves: no chatter
        entries = (
            self.env["account.move"]
            .with_context(tracking_disable=True)
            .create(entry_vals)
        )
        entries.action_post()
        for vals, entry in zip(vals_list, entries, strict=True):
            vals["account_move_id"] = entry.id
        return self.create(vals_list)

    @api.model
    def _move_amount(self, account, vals):
        if vals["move_type"] in ("deduction", "backbill", "apportion", "usage"):
            return sum(
                (
                    account._money(cmd[2].get("amount_total", cmd[2]["amount"]))
                    for cmd in vals["line_ids"]
                ),
                Decimal(0),
            )
        return as_decimal(vals["amount"])

    @api.model
    def _prepare_entry_vals(self, account, vals, cache=None):
        """A posted entry on the prepayment (liability) account: a top-up
        debits the payment journal's account, a refund credits it; a deduction
        moves the liability to the revenue of each line's product. ``cache``
        (a dict shared by a batch) keeps the accounts and journals looked up."""
        cache = {} if cache is None else cache
        company = account.company_id
        liability = _cached(cache, company, company._meter_prepaid_liability_account)
        move_type = vals["move_type"]
        label = account.display_name
        amount = vals["amount"]
        if move_type in ("top_up", "refund"):
            journal = self.env["account.journal"].browse(vals["journal_id"])
            if journal.type not in ("cash", "bank") or not journal.default_account_id:
                raise UserError(
                    self.env._(
                        "Top-ups and refunds go through a cash or bank journal "
                        "with an account."
                    )
                )
            sign = 1 if move_type == "top_up" else -1
            lines = [
                (journal.default_account_id, False, label, sign * amount, False, False),
                (liability, account.partner_id, label, -sign * amount, False, False),
            ]
        else:
            journal = _cached(
                cache, ("journal", company), company._meter_prepaid_journal
            )
            lines = [(liability, account.partner_id, label, amount, False, False)]
            for cmd in vals["line_ids"]:
                line = cmd[2]
                product = self.env["product.product"].browse(line["product_id"])
                income = _cached(
                    cache,
                    product,
                    lambda p=product: p.product_tmpl_id._get_product_accounts()[
                        "income"
                    ],
                )
                # without taxes; their lines come from the taxes of the line
                revenue = line.get("amount_total", line["amount"]) - line.get(
                    "amount_tax", 0.0
                )
                lines.append(
                    (
                        income,
                        account.partner_id,
                        line["name"],
                        -revenue,
                        product,
                        line.get("tax_ids", False),
                    )
                )
        analytic = account.billing_point_id._analytic_distribution()
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": vals["date"],
            "ref": vals.get("payment_reference") or label,
            "line_ids": [
                fields.Command.create(
                    {
                        "account_id": acc.id,
                        "partner_id": partner.id if partner else False,
                        "name": name,
                        "balance": balance,
                        "product_id": product.id if product else False,
                        "analytic_distribution": analytic
                        if acc != liability
                        else False,
                        "tax_ids": taxes or False,
                    }
                )
                for acc, partner, name, balance, product, taxes in lines
                if balance
            ],
        }


def _cached(cache, key, compute):
    """``cache[key]``, computed by ``compute()`` the first time."""
    if key not in cache:
        cache[key] = compute()
    return cache[key]
