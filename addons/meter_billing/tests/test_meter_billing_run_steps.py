# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingRunSteps(MeterBillingCommon):
    """Each button of a billing run refuses a run in the wrong state with a
    message saying what to do, and changes nothing."""

    def _computed(self):
        run = self._run(sites=self.site_a)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        return run

    def test_run_without_scope(self):
        run = self._run()
        with self.assertRaisesRegex(
            UserError, "Choose the sites or billing points to bill"
        ):
            run.action_compute()
        self.assertEqual(run.state, "draft")

    def test_steps_out_of_order(self):
        """A draft run is neither invoiced nor posted nor reset; a computed
        run is not computed again."""
        run = self._run(sites=self.site_a)
        with self.assertRaisesRegex(UserError, "Only a computed run can be invoiced"):
            run.action_invoice()
        with self.assertRaisesRegex(UserError, "Only an invoiced run can be posted"):
            run.action_post()
        with self.assertRaisesRegex(UserError, "Only a cancelled run can be reset"):
            run.action_reset_draft()
        self.assertEqual(run.state, "draft")
        run = self._computed()
        self.assertEqual(run.state, "computed")
        with self.assertRaisesRegex(UserError, "Only a draft run can be computed"):
            run.action_compute()
        self.assertEqual(run.state, "computed")

    def test_cancel_and_rebill(self):
        """A computed run without invoices is cancelled (its results are
        deleted, so their period is free), reset to draft and computed again:
        A1 300 kWh and A2 500 kWh give the same two results."""
        run = self._computed()
        self.assertEqual(len(run.result_ids), 2)
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertFalse(run.result_ids)
        run.action_reset_draft()
        self.assertEqual(run.state, "draft")
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        self.assertEqual(run.result_ids.billing_point_id, self.point_a1 | self.point_a2)

    def test_invoiced_run_is_kept(self):
        """A run with invoices is neither cancelled nor deleted: its invoices
        are corrected with credit notes."""
        run = self._bill(self._run(sites=self.site_a), post=False)
        self.assertEqual(run.state, "invoiced")
        with self.assertRaisesRegex(UserError, "This run has invoices"):
            run.action_cancel()
        with self.assertRaisesRegex(
            UserError, "Only draft or cancelled billing runs can be deleted"
        ):
            run.unlink()
        self.assertTrue(run.exists())
        self.assertEqual(run.state, "invoiced")
        self.assertEqual(len(run.move_ids), 2)

    def test_draft_run_can_be_deleted(self):
        run = self._run(sites=self.site_a)
        run.unlink()
        self.assertFalse(run.exists())

    def test_open_invoices_and_results(self):
        """The smart buttons open the run's own invoices and results."""
        run = self._bill(self._run(sites=self.site_a), post=False)
        moves = run.action_open_moves()
        self.assertEqual(moves["res_model"], "account.move")
        self.assertEqual(self.env["account.move"].search(moves["domain"]), run.move_ids)
        self.assertEqual(
            self.env["account.move"].search(moves["domain"]).partner_id,
            self.tenant1 | self.tenant2,
        )
        results = run.action_open_results()
        self.assertEqual(
            self.env["meter.billing.result"].search(results["domain"]),
            run.result_ids,
        )

    def test_reader_cannot_cancel_or_reset(self):
        run = self._computed()
        for action in ("action_cancel", "action_reset_draft", "action_process_now"):
            with self.assertRaisesRegex(
                AccessError, "Only billing officers and managers can run billing"
            ):
                getattr(run.with_user(self.reader_a), action)()
        self.assertEqual(run.state, "computed")
        self.assertEqual(len(run.result_ids), 2)

    def test_process_batch_reports_progress(self):
        """One click computes the small run of site A to the end: state
        computed, progress 100 %."""
        run = self._run(sites=self.site_a).with_user(self.billing_a)
        run.action_compute()
        status = run.action_process_batch()
        while status["state"] == "computing":
            status = run.action_process_batch()
        self.assertEqual(status, {"state": "computed", "progress": 100})
