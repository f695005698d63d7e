# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.fields import Command
from odoo.tests import JsonRpcException, freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.payment import utils as payment_utils

from .common import MeterPortalFixture


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestPortalPrepaid(MeterPortalFixture, AccountTestInvoicingHttpCommon):
    """Prepaid accounts of A (unit P1) and B (unit P2), opened with a zero
    balance; thresholds alarm 1 at 10.00, alarm 2 at 5.00, restore at 10.00,
    no maximum. Payment through payment_demo's provider (test mode, bank
    journal of the company)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(su=True)
        cls._setup_portal_fixture()
        env = cls.env
        Point = env["meter.billing.point"]
        Account = env["meter.prepaid.account"]
        cls.accounts = {}
        for name, unit, partner in (
            ("a", cls.unit_p1, cls.partner_a),
            ("b", cls.unit_p2, cls.partner_b),
        ):
            point = Point.create({"unit_id": unit.id})
            cls.accounts[name] = Account.create(
                {
                    "billing_point_id": point.id,
                    "partner_id": partner.id,
                    "alarm1_amount": 10.0,
                    "alarm2_amount": 5.0,
                    "restore_amount": 10.0,
                }
            )
        cls.account_a, cls.account_b = cls.accounts["a"], cls.accounts["b"]
        (cls.account_a | cls.account_b).action_open()
        method = env.ref("payment_demo.payment_method_demo")
        method.active = True
        cls.provider = env.ref("payment.payment_provider_demo").copy(
            {
                "company_id": env.company.id,
                "state": "test",
                "is_published": True,
                "journal_id": cls.company_data["default_journal_bank"].id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        cls.method = method

    def setUp(self):
        super().setUp()
        self.authenticate(self.user_a.login, "a-secret-pw")

    def _transaction_params(self, account, amount):
        currency = account.currency_id
        return {
            "provider_id": self.provider.id,
            "payment_method_id": self.method.id,
            "token_id": None,
            "amount": amount,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": f"/my/prepaid/{account.id}",
            "is_validation": False,
            "access_token": payment_utils.generate_access_token(
                self.partner_a.id, amount, currency.id, env=self.env
            ),
            "csrf_token": http.Request.csrf_token(self),
        }

    def test_top_up_credited_once(self):
        """A tops up 40.00 online: balance 0.00 + 40.00 = 40.00, one top-up
        move with the transaction's reference, even when the post-processing
        runs twice (a second notification)."""
        page = self.url_open(f"/my/prepaid/{self.account_a.id}?amount=40")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_payment_form", page.text)
        self.assertIn(f"/my/prepaid/{self.account_a.id}/transaction", page.text)
        values = self.make_jsonrpc_request(
            f"/my/prepaid/{self.account_a.id}/transaction",
            self._transaction_params(self.account_a, 40.0),
        )
        tx = self.env["payment.transaction"].search(
            [("reference", "=", values["reference"])]
        )
        self.assertRecordValues(
            tx,
            [
                {
                    "amount": 40.0,
                    "partner_id": self.partner_a.id,
                    "meter_prepaid_account_id": self.account_a.id,
                }
            ],
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "simulated_state": "done"},
        )
        self.assertEqual(tx.state, "done")
        tx._post_process()
        tx._post_process()
        tx._create_payment()
        top_ups = self.account_a.move_ids.filtered(lambda m: m.move_type == "top_up")
        self.assertRecordValues(
            top_ups, [{"amount": 40.0, "payment_reference": tx.reference}]
        )
        self.assertEqual(self.account_a.balance, 40.0)
        page = self.url_open(f"/my/prepaid/{self.account_a.id}")
        self.assertEqual(page.text.count("o_meter_portal_prepaid_move"), 1)

    def test_other_account_refused(self):
        """B's account in the URL: no page, no payment form, no transaction."""
        page = self.url_open(
            f"/my/prepaid/{self.account_b.id}?amount=40", allow_redirects=False
        )
        self.assertIn(page.status_code, (302, 303))
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                f"/my/prepaid/{self.account_b.id}/transaction",
                self._transaction_params(self.account_b, 40.0),
            )
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("meter_prepaid_account_id", "=", self.account_b.id)]
            )
        )
        listing = self.url_open("/my/prepaid", allow_redirects=False)
        self.assertIn(f"/my/prepaid/{self.account_a.id}", listing.headers["Location"])

    def test_refused_amount(self):
        """A negative amount is refused before any payment form."""
        page = self.url_open(f"/my/prepaid/{self.account_a.id}?amount=-5")
        self.assertIn("o_meter_portal_error", page.text)
        self.assertNotIn("o_payment_form", page.text)
