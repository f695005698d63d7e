# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.tests import freeze_time, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import MeterPortalFixture


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestPortalSweep(MeterPortalFixture, AccountTestInvoicingHttpCommon):
    """Resident A, logged in, requests every id of meter.meter, meter.reading
    and account.move through every portal route taking one: only A's records
    answer, nothing is written for the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(su=True)
        cls._setup_portal_fixture()
        cls.invoice_a = cls.init_invoice(
            "out_invoice", partner=cls.partner_a, amounts=[100], post=True
        )
        cls.invoice_b = cls.init_invoice(
            "out_invoice", partner=cls.partner_b, amounts=[200], post=True
        )

    def setUp(self):
        super().setUp()
        self.authenticate(self.user_a.login, "a-secret-pw")

    def _post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data)

    def test_sweep_meters(self):
        Meter = self.env["meter.meter"].with_context(active_test=False)
        mine = self.heat_p1 | self.water_p1 | self.common
        for meter in Meter.search([]):
            with self.subTest(meter=meter.name):
                page = self.url_open(f"/my/meters/{meter.id}")
                self.assertEqual(page.status_code, 200)
                shown = f"/my/meters/{meter.id}/nickname" in page.text
                self.assertEqual(shown, meter in mine)
                chart = self.make_jsonrpc_request(f"/my/meters/{meter.id}/chart", {})
                self.assertEqual("labels" in chart, meter in mine)
                self._post(f"/my/meters/{meter.id}/nickname", name="mine")
                self._post(f"/my/meters/{meter.id}/verification")
                self._post(
                    "/my/meters/submit",
                    meter_id=meter.id,
                    key=f"sweep-{meter.id}",
                    value_T1="99999",
                )
        nicknames = self.env["meter.portal.nickname"].search([])
        self.assertEqual(nicknames.meter_id, mine)
        submitted = self.env["meter.reading"].search([("source", "=", "resident")])
        self.assertLessEqual(submitted.meter_id, self.heat_p1 | self.water_p1)
        others = Meter.search([]) - self.heat_p1 - self.water_p1
        self.assertFalse(others.activity_ids)

    def test_sweep_readings(self):
        Reading = self.env["meter.reading"]
        before = Reading.search_count([])
        for reading in Reading.search([]):
            with self.subTest(reading=reading.id):
                self._post(f"/my/meters/reading/{reading.id}/edit", value="12345")
        # None of them was submitted by A: nothing is corrected.
        self.assertEqual(Reading.search_count([]), before)
        self.assertFalse(Reading.search([("state", "=", "superseded")]))

    def test_sweep_history_shows_only_own_period(self):
        page = self.url_open(f"/my/meters/{self.heat_p1.id}")
        self.assertIn("2026-02", page.text)
        self.assertNotIn("2025-12", page.text)

    def test_monthly_information_page(self):
        page = self.url_open("/my/meters/information")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_meter_portal_rule", page.text)

    def test_sweep_invoices(self):
        for move in self.env["account.move"].search([]):
            with self.subTest(move=move.name):
                page = self.url_open(f"/my/invoices/{move.id}", allow_redirects=False)
                if move == self.invoice_a:
                    self.assertEqual(page.status_code, 200)
                else:
                    self.assertIn(page.status_code, (302, 303, 403, 404))
