# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, api
from odoo.exceptions import LockError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.meter_billing.models import meter_billing_run

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingReliability(MeterBillingCommon):
    """Idempotency: whatever happens to the job, a billing point is billed once
    per period and a partner gets one invoice per run."""

    def _all_sites(self):
        return self.site_a | self.site_b

    def test_interrupted_run_resumes(self):
        """Batches of one; the cron runs out of time after two batches, then a
        batch crashes mid-way (rolled back); the next cron resumes: exactly one
        invoice per partner, every line linked once."""
        run = self._run(sites=self._all_sites())
        with (
            patch.object(meter_billing_run, "BATCH_SIZE", 1),
            patch.object(meter_billing_run, "INVOICE_BATCH_SIZE", 1),
        ):
            with self._cron_budget(2):
                run.action_compute()
                self.assertFalse(run._process())
            self.assertEqual(run.state, "computing")
            self.assertEqual(len(run.result_ids), 2)
            with self._cron_budget(None):
                run._cron_process()
            self.assertEqual(run.state, "computed")
            self.assertEqual(len(run.result_ids), 3)
            run.action_invoice()
            run._invoice_batch()  # first partner invoiced and "committed"
            self.assertEqual(len(run.move_ids), 1)
            Move = self.registry["account.move"]
            create = Move.create

            def crash(records, vals_list):
                create(records, vals_list)
                raise RuntimeError("worker killed")

            with (
                patch.object(Move, "create", crash),
                self.assertRaises(RuntimeError),
                self.env.cr.savepoint(),
            ):
                run._invoice_batch()
            run.invalidate_recordset()
            self.assertEqual(len(run.move_ids), 1)
            with self._cron_budget(None):
                run._cron_process()
        self.assertEqual(run.state, "invoiced")
        self.assertEqual(len(run.move_ids), 3)
        self.assertEqual(
            sorted(run.move_ids.partner_id.ids),
            sorted((self.tenant1 | self.tenant2 | self.tenant3).ids),
        )
        self.assertTrue(all(run.line_ids.mapped("move_id")))
        self.assertEqual(
            len(run.line_ids.move_line_id), len(run.line_ids), "one invoice line each"
        )
        self.assertEqual(set(run.result_ids.mapped("state")), {"invoiced"})

    def test_last_batch_reaches_the_final_state_in_the_same_call(self):
        """Batches of one: the cron has time for exactly as many batches as
        there are points (3) or partners (3). The call that does the last batch
        leaves the run computed / invoiced / posted (it stayed computing,
        invoicing or posting until the next cron call, an hour later)."""
        run = self._run(sites=self._all_sites())
        with (
            patch.object(meter_billing_run, "BATCH_SIZE", 1),
            patch.object(meter_billing_run, "INVOICE_BATCH_SIZE", 1),
        ):
            run.action_compute()
            with self._cron_budget(3) as calls:
                run._cron_process()
            self.assertEqual((run.state, calls), ("computed", [2, 1, 0]))
            run.action_invoice()
            with self._cron_budget(3):
                run._cron_process()
            self.assertEqual(run.state, "invoiced")
            self.assertEqual(len(run.move_ids), 3)
            run.action_post()
            with self._cron_budget(3):
                run._cron_process()
            self.assertEqual(run.state, "posted")
            self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})

    def test_second_process_is_told_the_run_is_being_processed(self):
        """A real second transaction holds the run, as the cron does while it
        processes a batch: a button pressed meanwhile says "run ... is being
        processed" (not a LockError from the rows it touches), and another
        cron worker leaves the run alone."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["meter.billing.run"].create(
                {
                    "name": "Concurrent run",
                    "date_from": "2026-01-01",
                    "date_to": "2026-01-31",
                }
            )
            run.state = "computing"
            run_id = run.id
        self.addCleanup(self._delete_committed_run, run_id)
        with (
            self.registry.cursor() as cr_cron,
            self.registry.cursor() as cr_user,
        ):
            cron_run = api.Environment(cr_cron, SUPERUSER_ID, {})[
                "meter.billing.run"
            ].browse(run_id)
            # what the cron's batch holds until it commits
            self.assertTrue(cron_run.try_lock_for_update(allow_referencing=True))
            user_run = api.Environment(cr_user, SUPERUSER_ID, {})[
                "meter.billing.run"
            ].browse(run_id)
            for button in ("action_process_now", "action_cancel"):
                with self.assertRaises(UserError) as caught:
                    getattr(user_run, button)()
                self.assertNotIsInstance(caught.exception, LockError)
                self.assertEqual(
                    str(caught.exception),
                    "Run Concurrent run is being processed: try again when the "
                    "current batch is done.",
                )
            user_run.env["meter.billing.run"]._cron_process()
            self.assertEqual(user_run.state, "computing")
            self.assertFalse(user_run.result_ids)
            cr_user.rollback()
            cr_cron.rollback()

    def _delete_committed_run(self, run_id):
        with self.registry.cursor() as cr:
            run = api.Environment(cr, SUPERUSER_ID, {})["meter.billing.run"]
            run.browse(run_id).write({"state": "cancelled"})
            run.browse(run_id).unlink()

    def test_second_run_on_same_scope_bills_nothing(self):
        """Run B, computed while run A holds the period, finds nothing to bill."""
        run_a = self._run(sites=self.site_a)
        run_b = self._run(points=self.point_a1 | self.point_b1)
        with self._cron_budget(None):
            run_a.action_compute()
            run_a._process()
            run_b.action_compute()
            run_b._process()
        self.assertEqual(
            run_a.result_ids.billing_point_id, self.point_a1 | self.point_a2
        )
        self.assertEqual(run_b.result_ids.billing_point_id, self.point_b1)

    def test_database_refuses_a_second_bill(self):
        """The unique index, not the job state, refuses a second live result for
        a billing point and period (a concurrent run that skipped the lock)."""
        run_a = self._bill(self._run(points=self.point_a1), post=False)
        run_b = self._run(points=self.point_a1)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["meter.billing.result"].create(
                {
                    "run_id": run_b.id,
                    "billing_point_id": self.point_a1.id,
                    "date_from": run_a.date_from,
                    "date_to": run_a.date_to,
                }
            )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.tenant1.id,
                    "meter_billing_run_id": run_a.id,
                }
            )

    def test_third_run_on_closed_period_adds_nothing(self):
        self._bill(self._run(sites=self._all_sites()))
        moves_before = self.env["account.move"].search_count([])
        again = self._bill(self._run(sites=self._all_sites()))
        self.assertEqual(again.state, "posted")
        self.assertFalse(again.result_ids)
        self.assertFalse(again.move_ids)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    @freeze_time("2026-03-10 12:00:00")  # the February readings are in the past
    def test_overlapping_period_bills_only_the_rest(self):
        """January billed; a run 16 January - 15 February bills from 1 February."""
        self._reading(self.meter_a1, "2026-02-16 00:00:00", 1400)
        self._bill(self._run(points=self.point_a1), post=False)
        run = self._bill(
            self._run(
                points=self.point_a1, date_from="2026-01-16", date_to="2026-02-15"
            ),
            post=False,
        )
        self.assertEqual(str(run.result_ids.date_from), "2026-02-01")
        # 100 kWh x 0.4883 = 48.83 and 10.00 x 15/28 = 5.36: only February
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 54.19, places=2)
