# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.tests import tagged

from .common_solar import SolarCommunityCommon


@tagged("post_install", "-at_install")
class TestSolarFigures(SolarCommunityCommon):
    """Per participant and month (fixture of :class:`SolarCommunityCommon`,
    computation in ``TestSolarCommunity``): January S1 744 kWh = 93 solar +
    651 grid, S2 2232 = 279 + 1953, production 620.

    Self-sufficiency: S1 93 / 744 = 12.5 %, S2 279 / 2232 = 12.5 %.
    Production share: S1 93 / 620 = 15 %, S2 279 / 620 = 45 %; together 60 %,
    the community's self-consumption 372 / 620.
    """

    def _figures(self):
        rows = self.env["meter.solar.participant.month"].search(
            [("community_id", "=", self.community.id)]
        )
        return {
            row.billing_point_id: (
                row.month,
                row.consumption,
                row.solar,
                row.grid,
                row.self_sufficiency,
                row.production_share,
            )
            for row in rows
        }

    def test_participant_months(self):
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        january = date(2026, 1, 1)
        self.assertEqual(
            self._figures(),
            {
                self.point_s1: (january, 744, 93, 651, 12.5, 15),
                self.point_s2: (january, 2232, 279, 1953, 12.5, 45),
            },
        )
        month = self.community.month_ids
        self.assertAlmostEqual(
            sum(month.participant_month_ids.mapped("production_share")),
            month.self_consumption,
        )

    def test_recomputed_month_replaces_its_rows(self):
        """S1's 10:00 value of 5 January from 0.25 to 0.5 (C = 1.25 <= P = 2,
        all solar): S1 744.25 kWh, 93.25 solar, 651 grid; self-sufficiency
        93.25 / 744.25 = 12.5294 -> 12.53 %; production share 93.25 / 620 =
        15.0403 -> 15.04 %. Still 2 shares (a participant's month) and 2
        participant months."""
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        interval = self.env["meter.interval"].search(
            [
                ("meter_id", "=", self.meter_s1.id),
                ("start", "=", datetime(2026, 1, 5, 10, 0)),
            ]
        )
        interval.value = 0.5
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        month = self.community.month_ids
        self.assertEqual(len(month.share_ids), 2)
        self.assertEqual(len(month.participant_month_ids), 2)
        self.assertEqual(
            self._figures()[self.point_s1],
            (date(2026, 1, 1), 744.25, 93.25, 651, 12.53, 15.04),
        )
