# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields
from odoo.tests import tagged

from .common import MeterPortalCommon


@tagged("post_install", "-at_install")
class TestPortalMonthlyInfo(MeterPortalCommon):
    """HeizKV §6a (RULES 1.4): building R (tz UTC), heat meters read at
    month starts.

    R1 (occupant X since 2025-01-01): 2025-02-01 0, 2025-03-01 80,
    2026-01-01 1,000, 2026-02-01 1,100, 2026-03-01 1,190.
    February 2026 = 1,190 - 1,100 = 90; January 2026 = 100; February
    2025 = 80. R2 (occupant Y since 2026-02-15): 2026-02-01 500,
    2026-03-01 610, February = 110. Building average = (90 + 110) / 2 = 100.
    R1: vs previous month (90 - 100) / 100 = -10 %; vs last year
    (90 - 80) / 80 = +12.5 % -> 13 % (half up); vs average -10 %.
    R2 moved in mid-month: no information for February.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        building = env["meter.building"].create(
            {"name": "Building R", "site_id": cls.site.id}
        )
        cls.r1, cls.r2 = env["meter.unit"].create(
            [
                {
                    "name": name,
                    "building_id": building.id,
                    "consumption_info_required": True,
                }
                for name in ("R1", "R2")
            ]
        )
        x, y = env["res.partner"].create([{"name": "X"}, {"name": "Y"}])
        cls.occ_x, cls.occ_y = env["meter.occupancy"].create(
            [
                {"unit_id": cls.r1.id, "partner_id": x.id, "date_start": "2025-01-01"},
                {"unit_id": cls.r2.id, "partner_id": y.id, "date_start": "2026-02-15"},
            ]
        )
        m1, m2 = env["meter.meter"].create(
            [
                {"name": f"HEAT-{u.name}", "unit_id": u.id, "resource_id": cls.heat.id}
                for u in (cls.r1, cls.r2)
            ]
        )
        env["meter.reading"].create(
            [
                {"meter_id": meter.id, "read_at": f"{day} 00:00:00", "value": value}
                for meter, day, value in (
                    (m1, "2025-02-01", 0),
                    (m1, "2025-03-01", 80),
                    (m1, "2026-01-01", 1000),
                    (m1, "2026-02-01", 1100),
                    (m1, "2026-03-01", 1190),
                    (m2, "2026-02-01", 500),
                    (m2, "2026-03-01", 610),
                )
            ]
        )

    def test_february_information(self):
        Info = self.env["meter.portal.monthly.info"]
        infos = Info._build_monthly_info(self.r1 | self.r2, self._date("2026-02-01"))
        self.assertRecordValues(
            infos,
            [
                {
                    "occupancy_id": self.occ_x.id,
                    "resource_id": self.heat.id,
                    "consumption": 90.0,
                    "previous_month": 100.0,
                    "last_year": 80.0,
                    "building_average": 100.0,
                    "change_previous": -10,
                    "change_last_year": 13,
                    "change_average": -10,
                }
            ],
        )
        again = Info._build_monthly_info(self.r1 | self.r2, self._date("2026-02-01"))
        self.assertFalse(again)
        # X's information reaches X in the portal, nobody else.
        self.assertFalse(Info.with_user(self.user_a).search([]))

    def _date(self, text):
        return fields.Date.to_date(text)
