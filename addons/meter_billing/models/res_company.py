# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


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
    meter_prepaid_account_id = fields.Many2one(
        "account.account",
        string="Customer prepayment account",
        help="Liability holding prepaid metering balances (created on first use).",
    )
    meter_prepaid_journal_id = fields.Many2one(
        "account.journal",
        string="Prepaid deduction journal",
        help="Miscellaneous journal of prepaid deductions (default: the first one).",
    )

    def _meter_prepaid_liability_account(self):
        """The customer prepayment account; on first use a current liability
        is created next to the chart's first one (e.g. 251001 in the generic
        chart)."""
        self.ensure_one()
        if self.meter_prepaid_account_id:
            return self.meter_prepaid_account_id
        # the company's accounting setup, completed once for every user who posts
        company_sudo = self.sudo()
        accounts_sudo = company_sudo.env["account.account"].with_company(company_sudo)
        first = accounts_sudo.search(
            [
                *accounts_sudo._check_company_domain(company_sudo),
                ("account_type", "=", "liability_current"),
            ],
            order="code",
            limit=1,
        )
        account = accounts_sudo.create(
            {
                "name": self.env._("Prepaid metering balances"),
                "code": accounts_sudo._search_new_account_code(first.code or "2000"),
                "account_type": "liability_current",
            }
        )
        company_sudo.meter_prepaid_account_id = account
        return account

    def _meter_prepaid_journal(self):
        self.ensure_one()
        journal = self.meter_prepaid_journal_id or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._("Set a journal for prepaid deductions in the settings.")
            )
        return journal
