# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestExpensesTour(MeterExpensesCommon, HttpCase):
    """A property manager (billing officer of site A) closes a period in the
    browser (headless Chromium): open, collect costs, allocate, issue, close."""

    def test_property_manager_closes_a_period(self):
        """Electricity 1000.00: consumption 700 by 300/800 kWh: A1 262.50,
        A2 437.50; base 300 by area 80/40: 200.00, 100.00. Ancillary 120.00 by
        area: 80.00, 40.00. A1 542.50, A2 577.50, each posted as an invoice."""
        self.start_tour("/odoo", "meter_expenses_tour", login="billing_a", timeout=600)
        period = self.period
        self.assertEqual(period.state, "closed")
        self.assertEqual(period.cost_ids.move_id, self.bill)
        statements = {s.partner_id: s for s in period.statement_ids}
        self.assertEqual(len(statements), 2)
        for partner, amount in ((self.tenant1, 542.50), (self.tenant2, 577.50)):
            move = statements[partner].move_id
            self.assertEqual((move.state, move.move_type), ("posted", "out_invoice"))
            self.assertEqual(move.create_uid, self.billing_a)
            self.assertEqual(
                self.currency.compare_amounts(move.amount_total, amount), 0
            )
