# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import freeze_time, tagged

from .test_portal_prepaid import TestPortalPrepaid


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestUiTopUpTour(TestPortalPrepaid):
    """The fixture of TestPortalPrepaid (its tests are not run again here):
    A's prepaid account opened with a zero balance, payment_demo's provider
    in test mode."""

    def test_top_up_tour(self):
        """In the browser, A tops up 40.00 and pays with the demo provider:
        balance 0.00 + 40.00 = 40.00, one top-up move of 40.00 carrying the
        transaction's reference (the payment status page post-processed
        it)."""
        self.user_a.password = self.user_a.login
        self.start_tour(
            f"/my/prepaid/{self.account_a.id}",
            "meter_portal_top_up_tour",
            login=self.user_a.login,
        )
        tx = self.env["payment.transaction"].search(
            [("meter_prepaid_account_id", "=", self.account_a.id)]
        )
        self.assertRecordValues(tx, [{"amount": 40.0, "state": "done"}])
        top_ups = self.account_a.move_ids.filtered(lambda m: m.move_type == "top_up")
        self.assertRecordValues(
            top_ups, [{"amount": 40.0, "payment_reference": tx.reference}]
        )
        self.assertEqual(self.account_a.balance, 40.0)
