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
        cls._setup_statements()

    @classmethod
    def _setup_statements(cls):
        """Unit Q1 is owned by O: vacant in 2025, O lives there from 2026
        (owner-occupier, portal access confirmed). Statements of 2025: A's
        previous tenant, B (issued), A's draft one for 2026, the vacancy of
        Q1 (borne by O) and one of O as occupant."""
        env = cls.env
        cls.owner = env["res.partner"].create(
            {"name": "Owner O", "email": "o@example.com"}
        )
        cls.unit_q1.owner_id = cls.owner
        Occupancy = env["meter.occupancy"]
        cls.occ_vacancy = Occupancy.create(
            {
                "unit_id": cls.unit_q1.id,
                "role": "vacancy",
                "partner_id": cls.owner.id,
                "date_start": "2025-01-01",
                "date_end": "2025-12-31",
            }
        )
        cls.occ_owner = Occupancy.create(
            {
                "unit_id": cls.unit_q1.id,
                "role": "owner",
                "partner_id": cls.owner.id,
                "date_start": "2026-01-01",
            }
        )
        cls.user_o = cls._confirmed_access(cls.occ_owner, "o-secret-pw").user_id
        period = env["meter.expense.period"].create(
            {
                "name": "Heating 2025",
                "site_id": cls.site.id,
                "date_start": "2025-01-01",
                "date_end": "2025-12-31",
            }
        )
        Statement = env["meter.expense.statement"]

        def statement(occupancy, state="issued"):
            return Statement.create(
                {
                    "period_id": period.id,
                    "occupancy_id": occupancy.id,
                    "partner_id": occupancy.partner_id.id,
                    "date_start": "2025-01-01",
                    "date_end": "2025-12-31",
                    "state": state,
                    "amount_share": 120.0,
                }
            )

        cls.statement_previous = statement(cls.occ_previous)
        cls.statement_b = statement(cls.occ_b)
        cls.statement_a_draft = statement(cls.occ_a, state="draft")
        cls.statement_a = statement(cls.occ_a)
        cls.statement_vacancy = statement(cls.occ_vacancy)
        cls.statement_owner = statement(cls.occ_owner)

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

    def test_sweep_statements(self):
        """A gets the PDF of their issued statement only (not the draft one,
        not the previous tenant's, not B's, not the owner's vacancy)."""
        statements = self.env["meter.expense.statement"].search([])
        self.assertGreaterEqual(len(statements), 6)
        for statement in statements:
            with self.subTest(statement=statement.display_name):
                page = self.url_open(
                    f"/my/statements/{statement.id}/pdf", allow_redirects=False
                )
                if statement == self.statement_a:
                    self.assertEqual(page.status_code, 200)
                    self.assertIn("Resident A", page.text)
                else:
                    self.assertIn(page.status_code, (302, 303))
        listing = self.url_open("/my/statements")
        self.assertEqual(listing.text.count("o_meter_portal_statement_row"), 1)
        self.assertIn(f"/my/statements/{self.statement_a.id}/pdf", listing.text)

    def test_owner_sees_what_they_bear(self):
        """O, owner-occupier of Q1, gets their own statement and the vacancy
        of Q1 made out to them; nobody else's."""
        self.authenticate(self.user_o.login, "o-secret-pw")
        listing = self.url_open("/my/statements")
        self.assertEqual(listing.text.count("o_meter_portal_statement_row"), 2)
        for statement in self.env["meter.expense.statement"].search([]):
            with self.subTest(statement=statement.display_name):
                page = self.url_open(
                    f"/my/statements/{statement.id}/pdf", allow_redirects=False
                )
                mine = statement in self.statement_vacancy | self.statement_owner
                self.assertEqual(page.status_code == 200, mine)
