# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.tests import tagged
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
