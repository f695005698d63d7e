# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestBillingTour(MeterBillingCommon, HttpCase):
    """A billing officer bills a month in the browser (headless Chromium):
    menu, new run, compute, invoice, open the invoice, post."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.tour_tenant = env["res.partner"].create({"name": "Tour Tenant"})
        cls.tour_site = env["meter.site"].create(
            {"name": "Tour Residence", "code": "TOUR", "tz": "UTC"}
        )
        building = env["meter.building"].create(
            {"name": "Tour House", "site_id": cls.tour_site.id}
        )
        cls.tour_unit = cls._unit("T1", building, cls.tour_tenant)
        meter = cls._meter("EL-T1", cls.tour_unit)
        cls.tour_point = cls._point(cls.tour_unit, meter, cls.tiered)
        # January 2026: 300 kWh, across the first two tiers.
        cls._reading(meter, "2026-01-01 00:00:00", 1000)
        cls._reading(meter, "2026-02-01 00:00:00", 1300)
        cls.officer = cls._user(
            "officer", "meter_base.meter_base_group_billing", cls.tour_site
        )

    def test_billing_officer_bills_a_month(self):
        self.start_tour("/odoo", "meter_billing_tour", login="officer")
        run = self.env["meter.billing.run"].search(
            [("site_ids", "in", self.tour_site.ids)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.create_uid, self.officer)
        self.assertEqual(run.state, "posted")
        self.assertEqual(
            (str(run.date_from), str(run.date_to)), ("2026-01-01", "2026-01-31")
        )
        result = run.result_ids
        self.assertEqual(result.billing_point_id, self.tour_point)
        self.assertEqual(result.state, "invoiced")
        move = run.move_ids
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.tour_tenant)
        self.assertEqual(str(move.invoice_date), "2026-02-10", "posted today (frozen)")
        # 240 x 0.4883 + 60 x 0.5383 = 149.49; fixed fee 10.00.
        self.assertEqual(self.currency.compare_amounts(move.amount_total, 159.49), 0)
        self.assertEqual(
            self.currency.compare_amounts(result.amount_untaxed, 159.49), 0
        )
        self.assertEqual(result.line_ids.move_id, move)
