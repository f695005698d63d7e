# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.meter_billing.models import meter_billing_run

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingRunForm(MeterBillingCommon):
    """What the run form relies on: one click per step driven batch after
    batch by ``action_process_batch``, records named in breadcrumbs, the
    customer invoice list."""

    def test_one_click_steps_in_batches(self):
        """Site A has two billing points (A1, A2); batches of one point and
        one partner. Compute: the first call computes A1 (1 of 2 = 50 %), the
        second A2 and closes the step (computed, 100 %). Create invoices: one
        partner per call (Tenant One's lines of all lines, then Tenant Two's),
        posting: one invoice per call (1 of 2 = 50 %), each step ending at
        100 %."""
        run = self._run(sites=self.site_a)
        with (
            patch.object(meter_billing_run, "BATCH_SIZE", 1),
            patch.object(meter_billing_run, "INVOICE_BATCH_SIZE", 1),
        ):
            run.action_compute()
            self.assertEqual(
                run.action_process_batch(), {"state": "computing", "progress": 50.0}
            )
            self.assertEqual(
                run.action_process_batch(), {"state": "computed", "progress": 100.0}
            )
            run.action_invoice()
            # invoicing progress counts lines: Tenant One's of all of them
            first = run.line_ids.filtered(lambda line: line.partner_id == self.tenant1)
            step = run.action_process_batch()
            self.assertEqual(step["state"], "invoicing")
            self.assertAlmostEqual(
                step["progress"], 100.0 * len(first) / len(run.line_ids)
            )
            self.assertTrue(first.move_id)
            self.assertEqual(run.action_process_batch()["state"], "invoiced")
            run.action_post()
            self.assertEqual(
                run.action_process_batch(), {"state": "posting", "progress": 50.0}
            )
            self.assertEqual(
                run.action_process_batch(), {"state": "posted", "progress": 100.0}
            )
            # a late call (a second tab) changes nothing
            self.assertEqual(
                run.action_process_batch(), {"state": "posted", "progress": 100.0}
            )
        self.assertEqual(len(run.move_ids), 2)
        self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})

    def test_result_named_in_breadcrumbs(self):
        """A billed period is named by its billing point and dates."""
        run = self._bill(self._run(points=self.point_a1), post=False)
        name = run.result_ids.display_name
        self.assertIn(self.point_a1.display_name, name)
        self.assertNotIn("meter.billing.result", name)
        self.assertIn("2026", name)

    def test_invoice_list_shows_the_customer(self):
        run = self._bill(self._run(points=self.point_a1), post=False)
        action = run.action_open_moves()
        view_id = action["views"][0][0]
        self.assertEqual(view_id, self.env.ref("account.view_out_invoice_tree").id)
        # the Customer column shows only for customer invoices (the context)
        self.assertEqual(action["context"]["default_move_type"], "out_invoice")
        arch = self.env["account.move"].get_view(view_id, "list")["arch"]
        self.assertIn('string="Customer"', arch)
