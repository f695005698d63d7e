# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.fields import Command
from odoo.tests import tagged

from . import test_prepaid


@tagged("post_install", "-at_install")
class TestPrepaidTax(test_prepaid.TestPrepaid):
    """The prepaid fixture (see TestPrepaid) with the company's 15 % sale tax
    (price without tax) on the electricity product; the meter fee has no
    tax."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.company_data["default_tax_sale"]
        cls.product_energy.taxes_id = [Command.set(cls.tax.ids)]

    def test_deduction_posts_vat_on_revenue(self):
        """Top-up 100.00 on Jan 1, deductions of Jan 1-2:
        Jan 1: energy 10 kWh x 0.50 = 5.00, VAT 15 % = 0.75; fee 1.00
               -> 6.75 from the balance, 93.25 left
        Jan 2: energy 30 x 0.50 = 15.00 - 5.00 = 10.00, VAT 1.50; fee 1.00
               -> 12.50, balance 80.75
        Each entry debits the liability with the total and credits revenue
        without tax (5.00 + 1.00, then 10.00 + 1.00) and the sale tax account
        with the VAT (0.75, then 1.50); the ledger owes 80.75."""
        self.assertEqual(self.tax.amount, 15.0)
        self.assertFalse(self.tax.price_include)
        self._pay(100.0)
        self._deduct(date(2026, 1, 2))
        deductions = self.account.move_ids.filtered(
            lambda m: m.move_type == "deduction"
        ).sorted("date")
        self.assertEqual(deductions.mapped("amount"), [6.75, 12.5])
        self.assertEqual(self.account.balance, 80.75)
        self.assertEqual(self._liability(), 80.75)
        energy = deductions.line_ids.filtered(
            lambda line: line.product_id == self.product_energy
        )
        self.assertEqual(energy.mapped("amount_tax"), [0.75, 1.5])
        self.assertEqual(energy.mapped("amount_total"), [5.75, 11.5])
        for deduction, revenue, vat in zip(
            deductions, (6.0, 11.0), (0.75, 1.5), strict=True
        ):
            entry = deduction.account_move_id
            self.assertEqual(entry.state, "posted")
            tax_lines = entry.line_ids.filtered("tax_line_id")
            self.assertRecordValues(
                tax_lines, [{"tax_line_id": self.tax.id, "balance": -vat}]
            )
            base = entry.line_ids.filtered(
                lambda line: line.product_id and not line.tax_line_id
            )
            self.assertAlmostEqual(sum(base.mapped("balance")), -revenue)
            self.assertEqual(
                base.filtered(
                    lambda line: line.product_id == self.product_energy
                ).tax_ids,
                self.tax,
            )

    def test_common_area_apportionment_taxed(self):
        """January's common electricity of house A (100 kWh x 0.30 = 30.00,
        by area: P1 60 m2 -> 18.00, A2 40 m2 -> 12.00) with the electricity
        product (15 % sale tax). Tenant Two has a fiscal position mapping the
        15 % tax to a 5 % one:
        P1: 18.00 + 15 % = 18.00 + 2.70 = 20.70, balance 100.00 - 20.70 = 79.30
        A2: 12.00 + 5 % = 12.00 + 0.60 = 12.60, balance 50.00 - 12.60 = 37.40
        Each entry debits the liability with the total, credits revenue with
        the share and the tax account with the tax."""
        position = self.env["account.fiscal.position"].create({"name": "Reduced"})
        reduced = self.env["account.tax"].create(
            {
                "name": "Reduced 5 %",
                "amount": 5.0,
                "type_tax_use": "sale",
                "fiscal_position_ids": [Command.set(position.ids)],
                "original_tax_ids": [Command.set(self.tax.ids)],
            }
        )
        self.tenant2.property_account_position_id = position
        account_a2 = self._common_area_january()
        self._apportion_wizard(self.product_energy).action_confirm()
        for account, tax, share, vat, balance in (
            (self.account, self.tax, 18.0, 2.7, 79.3),
            (account_a2, reduced, 12.0, 0.6, 37.4),
        ):
            move = account.move_ids.filtered(lambda m: m.move_type == "apportion")
            self.assertRecordValues(
                move.line_ids,
                [
                    {
                        "amount": share,
                        "amount_tax": vat,
                        "amount_total": share + vat,
                        "tax_ids": tax.ids,
                    }
                ],
            )
            self.assertAlmostEqual(move.amount, share + vat)
            self.assertAlmostEqual(account.balance, balance)
            entry = move.account_move_id
            self.assertEqual(entry.state, "posted")
            self.assertRecordValues(
                entry.line_ids.filtered("tax_line_id"),
                [{"tax_line_id": tax.id, "balance": -vat}],
            )
            revenue = entry.line_ids.filtered(
                lambda line: line.product_id and not line.tax_line_id
            )
            self.assertRecordValues(revenue, [{"balance": -share, "tax_ids": tax.ids}])
        self.assertAlmostEqual(self._liability(), 79.3)
