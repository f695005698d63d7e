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


@tagged("post_install", "-at_install")
class TestPortalMonthlyInfoAllocators(MeterPortalCommon):
    """HeizKV §6a(2) Nr. 1 (RULES 1.4): heat cost allocator units in kWh.
    Building H (tz UTC), 0.5 kWh per rated unit; allocators read at month
    starts 2026-01-01 / 02-01 / 03-01:

    - H1 (50 m², since 2025-01-01): a (rating 1.2) 70 / 100 / 150 and
      b (rating 0.8) 10 / 20 / 45. February: 50 x 1.2 + 25 x 0.8 = 80 rated
      units = 40 kWh; January: 30 x 1.2 + 10 x 0.8 = 44 = 22 kWh;
      (80 - 44) / 44 = +81.8 -> +82 %.
    - H2 (30 m², since 2025-01-01): c (rating 1.0) 5 / 25 / 65. February
      40 = 20 kWh; January 20 = 10 kWh; +100 %.
    - Normed user: (80 + 40) / (50 + 30) m² = 1.5 per m²; H1 75 = 37.5 kWh,
      (80 - 75) / 75 = +6.7 -> +7 %; H2 45 = 22.5 kWh, (40 - 45) / 45 =
      -11.1 -> -11 %. Building average (80 + 40) / 2 = 60: H1 +33 %, H2
      -33 %. No readings a year before: 0.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.allocator = env.ref("meter_portal.resource_heat_cost_allocator")
        cls.building = env["meter.building"].create(
            {"name": "Building H", "site_id": cls.site.id, "hca_kwh_per_unit": 0.5}
        )
        cls.h1, cls.h2 = env["meter.unit"].create(
            [
                {
                    "name": name,
                    "building_id": cls.building.id,
                    "consumption_info_required": True,
                }
                for name in ("H1", "H2")
            ]
        )
        env["meter.unit.basis"].create(
            [
                {"unit_id": unit.id, "kind": "area", "value": area}
                | {"date_from": "2025-01-01"}
                for unit, area in ((cls.h1, 50), (cls.h2, 30))
            ]
        )
        x, y = env["res.partner"].create([{"name": "X"}, {"name": "Y"}])
        cls.occ_1, cls.occ_2 = env["meter.occupancy"].create(
            [
                {"unit_id": unit.id, "partner_id": partner.id}
                | {"date_start": "2025-01-01"}
                for unit, partner in ((cls.h1, x), (cls.h2, y))
            ]
        )
        a, b, c = env["meter.meter"].create(
            [
                {
                    "name": name,
                    "unit_id": unit.id,
                    "resource_id": cls.allocator.id,
                    "expense_rating_factor": rating,
                }
                for name, unit, rating in (
                    ("HKV-a", cls.h1, 1.2),
                    ("HKV-b", cls.h1, 0.8),
                    ("HKV-c", cls.h2, 1.0),
                )
            ]
        )
        env["meter.reading"].create(
            [
                {"meter_id": meter.id, "read_at": f"{day} 00:00:00", "value": value}
                for meter, values in (
                    (a, (70, 100, 150)),
                    (b, (10, 20, 45)),
                    (c, (5, 25, 65)),
                )
                for day, value in zip(
                    ("2026-01-01", "2026-02-01", "2026-03-01"), values, strict=True
                )
            ]
        )

    def _february(self):
        return self.env["meter.portal.monthly.info"]._build_monthly_info(
            self.h1 | self.h2, fields.Date.to_date("2026-02-01")
        )

    def test_rated_units_in_kwh(self):
        self.assertRecordValues(
            self._february().sorted(lambda i: i.occupancy_id.id),
            [
                {
                    "occupancy_id": self.occ_1.id,
                    "resource_id": self.allocator.id,
                    "consumption": 80.0,
                    "previous_month": 44.0,
                    "last_year": 0.0,
                    "consumption_kwh": 40.0,
                    "previous_month_kwh": 22.0,
                    "last_year_kwh": 0.0,
                    "change_previous": 82,
                    "building_average": 60.0,
                    "change_average": 33,
                    "normed_average": 75.0,
                    "normed_average_kwh": 37.5,
                    "change_normed": 7,
                    "hot_water_temperature": 0.0,
                },
                {
                    "occupancy_id": self.occ_2.id,
                    "resource_id": self.allocator.id,
                    "consumption": 40.0,
                    "previous_month": 20.0,
                    "last_year": 0.0,
                    "consumption_kwh": 20.0,
                    "previous_month_kwh": 10.0,
                    "last_year_kwh": 0.0,
                    "change_previous": 100,
                    "building_average": 60.0,
                    "change_average": -33,
                    "normed_average": 45.0,
                    "normed_average_kwh": 22.5,
                    "change_normed": -11,
                    "hot_water_temperature": 0.0,
                },
            ],
        )

    def test_without_a_factor_no_kwh(self):
        """No kWh per unit on the building: the rated units (80 for H1) are
        given, their kWh stay empty."""
        self.building.hca_kwh_per_unit = 0
        info = self._february().filtered(lambda i: i.occupancy_id == self.occ_1)
        self.assertRecordValues(
            info,
            [{"consumption": 80.0, "consumption_kwh": 0.0, "normed_average": 75.0}],
        )
