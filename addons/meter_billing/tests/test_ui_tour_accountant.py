# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestAccountantTour(MeterBillingCommon, HttpCase):
    """An accountant (invoicing rights, no metering role) opens the posted
    invoice of a billing run and downloads its PDF, which lists the readings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.tour_tenant = env["res.partner"].create({"name": "Tour Tenant"})
        site = env["meter.site"].create(
            {"name": "Tour Residence", "code": "TOUR", "tz": "UTC"}
        )
        building = env["meter.building"].create(
            {"name": "Tour House", "site_id": site.id}
        )
        unit = cls._unit("T1", building, cls.tour_tenant)
        meter = cls._meter("EL-T1", unit)
        cls.tour_point = cls._point(unit, meter, cls.tiered)
        # January 2026: 300 kWh = 240 x 0.4883 + 60 x 0.5383 + 10.00 = 159.49.
        cls._reading(meter, "2026-01-01 00:00:00", 1000)
        cls._reading(meter, "2026-02-01 00:00:00", 1300)
        cls.accountant = new_test_user(
            env,
            login="accountant",
            groups="base.group_user,account.group_account_invoice",
        )

    def test_accountant_downloads_the_invoice_pdf(self):
        move = self._bill(self._run(points=self.tour_point)).move_ids
        self.assertEqual((move.state, move.partner_id), ("posted", self.tour_tenant))
        self.start_tour("/odoo", "meter_billing_accountant_tour", login="accountant")
        # what the accountant printed: the invoice with its readings, readable
        # with invoicing rights only
        html, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html("account.account_invoices", move.ids)
        )
        for text in ("Meter readings", "EL-T1", "1,000.00", "1,300.00", "300.00"):
            self.assertIn(text, html.decode())
