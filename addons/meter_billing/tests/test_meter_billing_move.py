# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingMove(MeterBillingCommon):
    def _move(self, date_end, role="tenant", partner=None, value=None):
        form = Form(
            self.env["meter.billing.move"].with_context(active_id=self.point_a1.id)
        )
        form.date_end = date_end
        form.new_role = role
        if partner:
            form.new_partner_id = partner
        if value is not None:
            with form.line_ids.edit(0) as line:
                line.has_value = True
                line.value = value
        wizard = form.save()
        action = wizard.action_confirm()
        return self.env["meter.billing.run"].browse(action["res_id"])

    def test_move_out_final_invoice_then_newcomer(self):
        """Tenant One leaves on 15 January (interim 1140): 140 kWh x 0.4883 =
        68.36 and 10.00 x 15/31 = 4.84, 73.20. Tenant Two from the 16th: 160
        kWh x 0.4883 = 78.13 and 10.00 x 16/31 = 5.16, 83.29."""
        final = self._move("2026-01-15", partner=self.tenant2, value=1140)
        self.assertEqual(final.state, "invoiced")
        self.assertEqual(final.move_ids.partner_id, self.tenant1)
        self.assertAlmostEqual(final.move_ids.amount_untaxed, 73.20, places=2)
        occupancies = self.unit_a1.occupancy_ids.sorted("date_start")
        self.assertEqual(str(occupancies[0].date_end), "2026-01-15")
        self.assertEqual(occupancies[1].partner_id, self.tenant2)
        monthly = self._bill(self._run(points=self.point_a1), post=False)
        self.assertEqual(str(monthly.result_ids.date_from), "2026-01-16")
        self.assertEqual(monthly.move_ids.partner_id, self.tenant2)
        self.assertAlmostEqual(monthly.move_ids.amount_untaxed, 83.29, places=2)

    def test_move_out_after_advance_invoice(self):
        """An advance invoiced for January does not count as January billed:
        the move-out still bills the consumption of 1 to 15 January (73.20)."""
        self.env.company.meter_advance_product_id = self.env["product.product"].create(
            {"name": "Advance", "type": "service", "taxes_id": [Command.clear()]}
        )
        self.point_a1.advance_amount = 120.0
        self._bill(self._run(points=self.point_a1, kind="advance"), post=False)
        self.assertFalse(self.point_a1.billed_until)
        final = self._move("2026-01-15", partner=self.tenant2, value=1140)
        self.assertEqual(str(final.result_ids.date_from), "2026-01-01")
        self.assertAlmostEqual(final.move_ids.amount_untaxed, 73.20, places=2)

    def test_move_into_a_billed_period_says_what_to_do(self):
        """January is billed (locked): a move-out on 15 January is refused with
        the last billed day in the user's date format and the next steps, and
        nothing of the move is kept."""
        self._bill(self._run(points=self.point_a1), post=False)
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            self._move("2026-01-15", partner=self.tenant2, value=1140)
        message = str(caught.exception)
        for part in (
            "already billed until 01/31/2026",
            "choose a move-out day after it",
            "'Credit note and rebill'",
        ):
            self.assertIn(part, message)
        self.assertFalse(self.unit_a1.occupancy_ids.filtered("date_end"))

    def test_vacancy_is_billed_to_the_owner(self):
        self._move("2026-01-15", role="vacancy", value=1140)
        monthly = self._bill(self._run(points=self.point_a1), post=False)
        self.assertEqual(monthly.move_ids.partner_id, self.owner)
        # 160 kWh x 0.4883 = 78.13 and 10.00 x 16/31 = 5.16
        self.assertAlmostEqual(monthly.move_ids.amount_untaxed, 83.29, places=2)

    @freeze_time("2026-03-10 12:00:00")  # the February reading is in the past
    def test_missing_interim_reading_is_estimated_and_flagged(self):
        """No interim reading on 15 February: estimated from the average
        consumption of the months before (meterkit), flagged, and the final
        invoice says so."""
        final = self._move("2026-02-15", partner=self.tenant2)
        reading = self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a1.id), ("read_at", "=", "2026-02-16")]
        )
        self.assertEqual(reading.state, "estimated")
        self.assertGreater(reading.value, 1300)
        self.assertTrue(final.line_ids[0].is_estimated)
        self.assertEqual(final.result_ids.state, "invoiced")
        self.assertEqual(str(final.result_ids.date_from), "2026-02-01")

    def test_what_if_draft_tariff(self):
        """A draft flat tariff at 0.50: 300 kWh = 150.00 instead of 159.49."""
        draft = self._flat_tariff("Flat (draft)", 0.5, state="draft")
        self._bill(self._run(points=self.point_a1))
        moves = self.env["account.move"].search_count([])
        wizard = self.env["meter.tariff.simulate"].create(
            {
                "tariff_id": draft.id,
                "date_from": "2026-01-01",
                "date_to": "2026-01-31",
                "site_ids": [Command.set(self.site_a.ids)],
            }
        )
        wizard.action_simulate()
        line = wizard.line_ids.filtered(lambda x: x.billing_point_id == self.point_a1)
        self.assertAlmostEqual(line.current_amount, 159.49, places=2)
        self.assertAlmostEqual(line.simulated_amount, 150.00, places=2)
        self.assertAlmostEqual(line.delta, -9.49, places=2)
        # A2: 500 kWh -> 250.00 instead of 292.15
        self.assertAlmostEqual(wizard.delta_total, -9.49 - 42.15, places=2)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
