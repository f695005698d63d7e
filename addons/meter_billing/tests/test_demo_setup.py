# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestDemoSetup(TransactionCase):
    """The demo setup of scripts/run refuses to run where it cannot: it
    needs an administrator and both localisations, and says so (the test
    database has neither l10n_ch nor l10n_de)."""

    def test_needs_an_administrator(self):
        user = new_test_user(
            self.env, login="demo_setup_user", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.env["res.company"].with_user(user)._meter_demo_setup_companies()

    def test_needs_the_localisations(self):
        installed = self.env["ir.module.module"].search_count(
            [("name", "in", ["l10n_ch", "l10n_de"]), ("state", "=", "installed")]
        )
        if installed == 2:
            self.skipTest("both localisations are installed here")
        with self.assertRaisesRegex(UserError, "l10n_ch and l10n_de"):
            self.env["res.company"]._meter_demo_setup_companies()


@tagged("post_install", "-at_install")
class TestDemoIntervals(MeterBillingCommon):
    """The demo's interval data of a time-of-use billing point (called by the
    demo XML, dates relative to today)."""

    @freeze_time("2026-11-15 10:00:00")
    def test_intervals_sum_to_the_month_end_readings(self):
        """Last full month on 15 November 2026: October, local to Zurich.
        Summer time ends on Sunday 25 October (a 25-hour day): 31 x 96 + 4 =
        2980 quarter hours from 2026-09-30 22:00 to 2026-10-31 23:00 UTC,
        summing to the 310 kWh read at the local month end (1310 - 1000)."""
        self.site_a.tz = "Europe/Zurich"
        unit = self._unit("A9", self.building_a, self.tenant3)
        meter = self._meter("EL-A9", unit)
        self._reading(meter, "2026-09-30 22:00:00", 1000)
        self._reading(meter, "2026-10-31 23:00:00", 1310)
        point = self._point(unit, meter, self.tou)
        self.env["meter.billing.point"]._demo_generate_intervals(point.ids, 1)
        intervals = self.env["meter.interval"].search([("meter_id", "=", meter.id)])
        self.assertEqual(len(intervals), 2980)
        self.assertEqual(
            (str(intervals[0].start), str(intervals[-1].start)),
            ("2026-09-30 22:00:00", "2026-10-31 22:45:00"),
        )
        self.assertAlmostEqual(sum(intervals.mapped("value")), 310.0, places=4)
