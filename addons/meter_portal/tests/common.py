# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase


class MeterPortalFixture:
    """Building P (site tz UTC) with units P1 and P2 and a common heat meter.

    P1: previous tenant 2025-01-01..2025-12-31, resident A from 2026-01-01
    (open). P2: resident B from 2025-01-01. Heat meters with a rule (window
    15..25, whole numbers, unusual above 3x), a hot-water meter without rule
    in P1. Heat readings of P1 every month from 2025-10-20 (100 kWh a month):
    three of the previous tenant (2025-10-20, -11-20, -12-20) and two of A
    (2026-01-20, 2026-02-20). A and B are registered and confirmed.
    """

    @classmethod
    def _setup_portal_fixture(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        env = cls.env
        cls.heat = env.ref("meter_base.resource_heat")
        cls.hot_water = env.ref("meter_base.resource_hot_water")
        cls.site = env["meter.site"].create({"name": "Portal Site", "code": "PS"})
        cls.site.tz = "UTC"
        cls.building = env["meter.building"].create(
            {"name": "Building P", "site_id": cls.site.id}
        )
        cls.other_building = env["meter.building"].create(
            {"name": "Building Q", "site_id": cls.site.id}
        )
        cls.rule = env["meter.rule"].create(
            {
                "building_id": cls.building.id,
                "resource_id": cls.heat.id,
                "window_first_day": 15,
                "window_last_day": 25,
                "integers_only": True,
                "anomaly_factor": 3,
            }
        )
        Unit = env["meter.unit"]
        cls.unit_p1 = Unit.create({"name": "P1", "building_id": cls.building.id})
        cls.unit_p2 = Unit.create({"name": "P2", "building_id": cls.building.id})
        cls.unit_q1 = Unit.create({"name": "Q1", "building_id": cls.other_building.id})
        Partner = env["res.partner"]
        cls.previous = Partner.create({"name": "Previous Tenant"})
        cls.partner_a = Partner.create({"name": "Resident A", "email": "a@example.com"})
        cls.partner_b = Partner.create({"name": "Resident B", "email": "b@example.com"})
        Occupancy = env["meter.occupancy"]
        cls.occ_previous = Occupancy.create(
            {
                "unit_id": cls.unit_p1.id,
                "partner_id": cls.previous.id,
                "date_start": "2025-01-01",
            }
        )
        cls.occ_a = Occupancy.create(
            {
                "unit_id": cls.unit_p1.id,
                "partner_id": cls.partner_a.id,
                "date_start": "2026-01-01",
            }
        )
        cls.occ_b = Occupancy.create(
            {
                "unit_id": cls.unit_p2.id,
                "partner_id": cls.partner_b.id,
                "date_start": "2025-01-01",
            }
        )
        Meter = env["meter.meter"]
        cls.heat_p1 = Meter.create(
            {"name": "HEAT-P1", "unit_id": cls.unit_p1.id, "resource_id": cls.heat.id}
        )
        cls.water_p1 = Meter.create(
            {
                "name": "HW-P1",
                "unit_id": cls.unit_p1.id,
                "resource_id": cls.hot_water.id,
            }
        )
        cls.heat_p2 = Meter.create(
            {"name": "HEAT-P2", "unit_id": cls.unit_p2.id, "resource_id": cls.heat.id}
        )
        cls.heat_q1 = Meter.create(
            {"name": "HEAT-Q1", "unit_id": cls.unit_q1.id, "resource_id": cls.heat.id}
        )
        cls.common = Meter.create(
            {
                "name": "HEAT-MAIN-P",
                "kind": "main",
                "building_id": cls.building.id,
                "resource_id": cls.heat.id,
            }
        )
        Reading = env["meter.reading"].with_context(meter_allow_archived=True)
        cls.old_readings = Reading.create(
            [
                {"meter_id": cls.heat_p1.id, "read_at": at, "value": value}
                for at, value in (
                    ("2025-10-20 10:00:00", 100),
                    ("2025-11-20 10:00:00", 200),
                    ("2025-12-20 10:00:00", 300),
                )
            ]
        )
        cls.a_readings = Reading.create(
            [
                {"meter_id": cls.heat_p1.id, "read_at": at, "value": value}
                for at, value in (
                    ("2026-01-20 10:00:00", 400),
                    ("2026-02-20 10:00:00", 500),
                )
            ]
        )
        cls.b_readings = Reading.create(
            [
                {
                    "meter_id": cls.heat_p2.id,
                    "read_at": "2026-02-20 10:00:00",
                    "value": 70,
                },
                {
                    "meter_id": cls.common.id,
                    "read_at": "2025-12-20 10:00:00",
                    "value": 5,
                },
                {
                    "meter_id": cls.common.id,
                    "read_at": "2026-02-20 10:00:00",
                    "value": 9,
                },
                {
                    "meter_id": cls.heat_q1.id,
                    "read_at": "2026-02-20 10:00:00",
                    "value": 1,
                },
            ]
        )
        cls.access_a = cls._confirmed_access(cls.occ_a, "a-secret-pw")
        cls.access_b = cls._confirmed_access(cls.occ_b, "b-secret-pw")
        cls.user_a = cls.access_a.user_id
        cls.user_b = cls.access_b.user_id

    @classmethod
    def _confirmed_access(cls, occupancy, password):
        access = cls.env["meter.portal.access"].create({"occupancy_id": occupancy.id})
        code = access._issue_codes()[access]
        Access = cls.env["meter.portal.access"]
        Access._find_by_code(code)._register_occupant(password)
        return access


class MeterPortalCommon(MeterPortalFixture, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()
