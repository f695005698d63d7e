# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import MeterPortalFixture


@tagged("post_install", "-at_install")
class TestPortalDocuments(MeterPortalFixture, AccountTestInvoicingHttpCommon):
    """Calculation sheets of billing results (meter_billing) beside the
    resident's invoices. One result of P1 for January 2026 bills two
    occupants (lines "Energy previous tenant" on the previous tenant's
    invoice, "Energy resident A" on A's invoice); a result of P2 bills B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(su=True)
        cls._setup_portal_fixture()
        env = cls.env
        run = env["meter.billing.run"].create(
            {"date_from": "2026-01-01", "date_to": "2026-01-31"}
        )
        Point = env["meter.billing.point"]
        point_p1 = Point.create({"unit_id": cls.unit_p1.id})
        point_p2 = Point.create({"unit_id": cls.unit_p2.id})
        invoices = {}
        for key, partner, amount in (
            ("previous", cls.previous, 30),
            ("a", cls.partner_a, 100),
            ("b", cls.partner_b, 200),
        ):
            invoices[key] = cls.init_invoice(
                "out_invoice", partner=partner, amounts=[amount], post=True
            )
            invoices[key].meter_billing_run_id = run
        cls.invoice_previous = invoices["previous"]
        cls.invoice_a, cls.invoice_b = invoices["a"], invoices["b"]
        cls.invoice_a_other = cls.init_invoice(
            "out_invoice", partner=cls.partner_a, amounts=[5], post=True
        )
        Result = env["meter.billing.result"]
        for point, lines in (
            (
                point_p1,
                (
                    ("Energy previous tenant", cls.previous, cls.invoice_previous, 30),
                    ("Energy resident A", cls.partner_a, cls.invoice_a, 100),
                ),
            ),
            (point_p2, (("Energy resident B", cls.partner_b, cls.invoice_b, 200),)),
        ):
            Result.create(
                {
                    "run_id": run.id,
                    "billing_point_id": point.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-01-31",
                    "state": "invoiced",
                    "line_ids": [
                        Command.create(
                            {
                                "name": name,
                                "partner_id": partner.id,
                                "move_id": move.id,
                                "amount": amount,
                            }
                        )
                        for name, partner, move, amount in lines
                    ],
                }
            )

    def setUp(self):
        super().setUp()
        self.authenticate(self.user_a.login, "a-secret-pw")

    def test_own_sheet_with_own_lines_only(self):
        """A's sheet has A's line (100.00) and total 100.00, never the
        previous tenant's line of the same result."""
        page = self.url_open(f"/my/invoices/{self.invoice_a.id}/calculation")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Calculation sheet", page.text)
        self.assertIn("Energy resident A", page.text)
        self.assertNotIn("Energy previous tenant", page.text)
        self.assertNotIn("Previous Tenant", page.text)
        self.assertIn("100.00", page.text)
        self.assertNotIn("130.00", page.text)

    def test_sweep_other_invoices_refused(self):
        """Every other invoice id (B's, the previous tenant's, any other of
        the database) is refused before anything is read as superuser; an
        invoice of A without billing result leads back to its page."""
        for move in self.env["account.move"].search([]):
            with self.subTest(move=move.name):
                page = self.url_open(
                    f"/my/invoices/{move.id}/calculation", allow_redirects=False
                )
                if move == self.invoice_a:
                    self.assertEqual(page.status_code, 200)
                elif move == self.invoice_a_other:
                    self.assertEqual(page.status_code, 303)
                    self.assertIn(f"/my/invoices/{move.id}", page.headers["Location"])
                else:
                    self.assertIn(page.status_code, (302, 303))
                    self.assertTrue(
                        page.headers["Location"].endswith("/my/invoices"),
                        page.headers["Location"],
                    )

    def test_links_on_invoice_pages(self):
        listing = self.url_open("/my/invoices")
        self.assertIn(f"/my/invoices/{self.invoice_a.id}/calculation", listing.text)
        self.assertNotIn(
            f"/my/invoices/{self.invoice_a_other.id}/calculation", listing.text
        )
        page = self.url_open(f"/my/invoices/{self.invoice_a.id}")
        self.assertIn("o_meter_portal_calculation", page.text)
