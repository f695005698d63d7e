# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from . import test_prepaid


@tagged("post_install", "-at_install")
class TestPrepaidBackbill(test_prepaid.TestPrepaid):
    """The prepaid fixture (see TestPrepaid; Odoo runs only the tests a class
    defines itself): a top-up of 100.00 on Jan 1 and
    the deductions of Jan 1-3 at the flat tariff: energy 100 kWh x 0.50 =
    50.00, meter fee 3 days x 31.00/31 = 3.00, balance 47.00."""

    def setUp(self):
        super().setUp()
        self._pay(100.0)
        self._deduct(date(2026, 1, 3))
        self.assertEqual(self.account.balance, 47.0)

    def _wizard(self, model, ids, **vals):
        return (
            self.env["meter.prepaid.backbill"]
            .with_context(active_model=model, active_ids=ids)
            .create(
                {
                    "date_from": "2026-01-01",
                    "date_to": "2026-01-31",
                    "date": "2026-02-10",
                    **vals,
                }
            )
        )

    def _backbills(self):
        return self.account.move_ids.filtered(lambda m: m.move_type == "backbill")

    def _switch_wizard(self, tariff, **vals):
        """The wizard on the account, switching to ``tariff``."""
        return self._wizard(
            "meter.prepaid.account", self.account.ids, new_tariff_id=tariff.id, **vals
        )

    def _previewed(self, wizard):
        """The preview lines as sorted (deducted, due now, difference)."""
        wizard.action_preview()
        return sorted(
            (line.amount_before, line.amount_after, line.amount)
            for line in wizard.line_ids
        )

    def _corrected(self):
        """Tariff "Corrected": energy 0.60 per kWh, meter fee 62.00 a month."""
        corrected = self._flat_tariff("Corrected", 0.60)
        corrected.version_ids.component_ids = [
            Command.create(
                {
                    "name": "Meter fee",
                    "product_id": self.product_fixed.id,
                    "component_type": "fixed",
                    "price": 62.0,
                }
            )
        ]
        return corrected

    def test_new_tariff_from_the_account(self):
        """From the account, new tariff "Corrected" (energy 0.60 per kWh, fee
        62.00 a month) from Jan 1. Preview, per line:
        old energy: deducted 50.00, due 0.00 -> -50.00
        old fee: deducted 3.00, due 0.00 -> -3.00
        new energy: 100 kWh x 0.60 = 60.00 due -> +60.00
        new fee: 62.00 x 3/31 = 6.00 due -> +6.00
        total 13.00; nothing is written by the preview (no move, the billing
        point keeps its one tariff). Posting debits 13.00: balance 34.00,
        the flat tariff ends on 2025-12-31 and Corrected runs from Jan 1."""
        corrected = self._corrected()
        wizard = self._wizard(
            "meter.prepaid.account", self.account.ids, new_tariff_id=corrected.id
        )
        self.assertEqual(wizard.account_ids, self.account)
        self.assertEqual(
            self._previewed(wizard),
            [(0.0, 6.0, 6.0), (0.0, 60.0, 60.0), (3.0, 0.0, -3.0), (50.0, 0.0, -50.0)],
        )
        self.assertAlmostEqual(wizard.amount_total, 13.0)
        self.assertFalse(self._backbills())
        self.assertEqual(self.point_p1.tariff_line_ids.tariff_id, self.flat)
        self.assertEqual(self.account.balance, 47.0)
        wizard.action_post()
        self.assertRecordValues(self._backbills(), [{"amount": 13.0}])
        self.assertEqual(self.account.balance, 34.0)
        self.assertEqual(self._liability(), 34.0)
        self.assertRecordValues(
            self.point_p1.tariff_line_ids.sorted("date_from"),
            [
                {"tariff_id": self.flat.id, "date_to": date(2025, 12, 31)},
                {"tariff_id": corrected.id, "date_to": False},
            ],
        )

    def test_corrected_price_from_the_tariff(self):
        """The flat tariff's energy price is corrected to 0.60; from the
        tariff the wizard finds the one open account using it. Preview: one
        energy line, 100 kWh x 0.60 = 60.00 due - 50.00 deducted = 10.00
        (the fee is unchanged and has no line). Posting: balance 37.00."""
        energy = self.flat.version_ids.component_ids.filtered(
            lambda c: c.component_type == "energy"
        )
        energy.price = 0.60
        wizard = self._wizard("meter.tariff", self.flat.ids)
        self.assertEqual(wizard.tariff_id, self.flat)
        self.assertEqual(wizard.account_ids, self.account)
        wizard.action_preview()
        self.assertRecordValues(
            wizard.line_ids,
            [
                {
                    "name": "Energy",
                    "quantity": 0.0,
                    "amount_before": 50.0,
                    "amount_after": 60.0,
                    "amount": 10.0,
                }
            ],
        )
        self.assertIn("60.00", wizard.line_ids.explanation)
        self.assertIn("= 10.00", wizard.line_ids.explanation)
        wizard.action_post()
        self.assertRecordValues(self._backbills(), [{"amount": 10.0}])
        self.assertEqual(self.account.balance, 37.0)

    def test_new_tariff_for_a_closed_range(self):
        """New tariff "Corrected" (0.60 per kWh, fee 62.00 a month) for Jan
        1-2 only (range Jan 1-2, new tariff until Jan 2); the flat tariff
        resumes on Jan 3. Jan 1-2 used 10 + 20 = 30 kWh. Preview, per line:
        old energy: deducted 30 x 0.50 = 15.00, due 0.00 -> -15.00
        old fee: deducted 2 x 1.00 = 2.00, due 0.00 -> -2.00
        new energy: 30 kWh x 0.60 = 18.00 -> +18.00
        new fee: 62.00 x 2/31 = 4.00 -> +4.00
        total 5.00 (Jan 3, deducted at the flat tariff, is not touched).
        Posting: balance 47.00 - 5.00 = 42.00; assignments flat to
        2025-12-31, Corrected Jan 1-2, flat from Jan 3 on.
        The deduction of Jan 4 (60 kWh) is then at the flat tariff again:
        month to date flat energy (70 + 60) x 0.50 = 65.00 - (50.00 - 15.00)
        = 30.00, flat fee 2 x 1.00 = 2.00 - (3.00 - 2.00) = 1.00: 31.00,
        balance 11.00. A new tariff ending before the range is refused."""
        corrected = self._corrected()
        wizard = self._switch_wizard(
            corrected, date_to="2026-01-02", new_tariff_until="2026-01-02"
        )
        self.assertEqual(
            self._previewed(wizard),
            [(0.0, 4.0, 4.0), (0.0, 18.0, 18.0), (2.0, 0.0, -2.0), (15.0, 0.0, -15.0)],
        )
        self.assertAlmostEqual(wizard.amount_total, 5.0)
        self.assertEqual(self.point_p1.tariff_line_ids.tariff_id, self.flat)
        wizard.action_post()
        self.assertRecordValues(
            self._backbills(),
            [
                {
                    "amount": 5.0,
                    "period_from": date(2026, 1, 1),
                    "period_to": date(2026, 1, 2),
                }
            ],
        )
        self.assertEqual(self.account.balance, 42.0)
        self.assertRecordValues(
            self.point_p1.tariff_line_ids.sorted("date_from"),
            [
                {
                    "tariff_id": self.flat.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 12, 31),
                },
                {
                    "tariff_id": corrected.id,
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 1, 2),
                },
                {
                    "tariff_id": self.flat.id,
                    "date_from": date(2026, 1, 3),
                    "date_to": False,
                },
            ],
        )
        self._deduct(date(2026, 1, 4))
        deduction = self.account.move_ids.filtered(
            lambda m: m.move_type == "deduction" and m.date == date(2026, 1, 4)
        )
        self.assertRecordValues(deduction, [{"amount": 31.0}])
        self.assertEqual(sorted(deduction.line_ids.mapped("amount")), [1.0, 30.0])
        self.assertEqual(self.account.balance, 11.0)
        self.assertEqual(self._liability(), 11.0)
        refused = self._switch_wizard(
            corrected, date_from="2026-01-02", new_tariff_until="2026-01-01"
        )
        with self.assertRaises(UserError):
            refused.action_preview()
