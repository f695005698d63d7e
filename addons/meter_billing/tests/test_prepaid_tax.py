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
