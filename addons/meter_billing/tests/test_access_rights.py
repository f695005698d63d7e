# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingAccess(MeterBillingCommon):
    def test_billing_officer_bills_own_site(self):
        run = self._run(sites=self.site_a).with_user(self.billing_a)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        self.assertEqual(len(run.result_ids), 2)
        self.assertEqual(run.result_ids.billing_point_id, self.point_a1 | self.point_a2)
        self.assertEqual(set(run.result_ids.mapped("state")), {"ok"})

    def test_billing_officer_cannot_bill_other_site(self):
        Run = self.env["meter.billing.run"].with_user(self.billing_a)
        self.assertFalse(
            Run.env["meter.billing.point"].search([("site_id", "=", self.site_b.id)])
        )
        run = self._run(sites=self.site_b)
        with self.assertRaises(AccessError):
            run.with_user(self.billing_a).action_compute()
        with self.assertRaises(AccessError):
            self._run(sites=self.site_a | self.site_b).with_user(
                self.billing_a
            ).action_compute()

    def test_scope_is_fixed_once_computing(self):
        """The cron computes as superuser: an officer of site A cannot widen a
        computing run of site A to site B."""
        run = self._run(sites=self.site_a).with_user(self.billing_a)
        run.action_compute()
        with self.assertRaisesRegex(UserError, "fixed once it is computed"):
            run.site_ids = self.site_a | self.site_b
        with self.assertRaisesRegex(UserError, "fixed once it is computed"):
            run.date_to = "2026-02-28"
        self.assertEqual(run.sudo().site_ids, self.site_a)

    def test_reader_cannot_bill(self):
        with self.assertRaises(AccessError):
            self.env["meter.billing.run"].with_user(self.reader_a).create(
                {"date_from": "2026-01-01", "date_to": "2026-01-31"}
            )
        with self.assertRaises(AccessError):
            self.env["meter.tariff"].with_user(self.reader_a).search([])
        run = self._run(sites=self.site_a)
        with self.assertRaises(AccessError):
            run.with_user(self.reader_a).action_compute()
