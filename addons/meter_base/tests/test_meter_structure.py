# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterStructure(MeterBaseCommon):
    def test_basis_in_force_on_a_date(self):
        Basis = self.env["meter.unit.basis"]
        Basis.create(
            [
                {
                    "unit_id": self.unit_a1.id,
                    "kind": "area",
                    "value": 80,
                    "date_from": "2020-01-01",
                },
                {
                    "unit_id": self.unit_a1.id,
                    "kind": "area",
                    "value": 85,
                    "date_from": "2025-01-01",
                },
                {
                    "unit_id": self.unit_a1.id,
                    "kind": "persons",
                    "value": 3,
                    "date_from": "2024-01-01",
                },
            ]
        )
        unit = self.unit_a1
        self.assertEqual(unit.with_context(date="2024-06-30").area, 80)
        self.assertEqual(unit.with_context(date="2025-01-01").area, 85)
        self.assertEqual(unit.with_context(date="2019-06-30").area, 0)
        self.assertEqual(unit.with_context(date="2025-06-30").persons, 3)

    def test_unit_outside_its_site(self):
        with self.assertRaisesRegex(ValidationError, "A1.*Site"):
            self.unit_a1.site_id = self.site_b

    def test_meter_location_follows_unit_and_is_checked(self):
        self.assertEqual(self.meter_a1.building_id, self.building_a)
        self.assertEqual(self.meter_a1.site_id, self.site_a)
        with self.assertRaisesRegex(ValidationError, "outside"):
            self.meter_a1.write({"site_id": self.site_b.id})

    def test_upstream_meter_rules(self):
        main = self._main_meter_above(self.meter_a1)
        self.assertEqual(main.child_ids, self.meter_a1)
        with self.assertRaisesRegex(ValidationError, "loop"):
            main.parent_id = self.meter_a1
        with self.assertRaisesRegex(ValidationError, "another resource"):
            self.meter_a2.parent_id = main

    @freeze_time("2026-03-20 12:00:00")
    def test_verification_dates_and_due(self):
        """Due is read on today, frozen at 2026-03-20: overdue before it, soon
        within 30 days after it."""
        meter = self.meter_a1
        meter.write(
            {"verification_interval_years": 5, "commissioning_date": "2020-03-01"}
        )
        self.assertEqual(str(meter.next_verification_date), "2025-03-01")
        meter.last_verification_date = "2024-01-10"
        self.assertEqual(str(meter.next_verification_date), "2029-01-10")
        meter.next_verification_date = "2000-01-01"
        self.assertEqual(meter.verification_due, "overdue")
        overdue = self.env["meter.meter"].search([("verification_due", "=", "overdue")])
        self.assertIn(meter, overdue)
        self.assertNotIn(self.meter_a2, overdue)
        meter.next_verification_date = "2026-04-10"
        self.assertEqual(meter.verification_due, "soon")

    def test_site_tree_and_counts(self):
        self.assertEqual(self.site_a.complete_name, "Portfolio / Site A")
        self.assertEqual(self.site_a.building_count, 1)
        self.assertEqual(self.site_a.unit_count, 2)
        self.assertEqual(self.site_a.meter_count, 2)
        action = self.site_a.action_open_meters()
        self.assertEqual(
            self.env["meter.meter"].search(action["domain"]),
            self.meter_a1 | self.meter_a2,
        )

    def test_group_counts_sum_its_sites(self):
        """The portfolio holds Site A (1 building, 2 units, 2 meters) and a
        second site with one building and no unit: its card shows 2 buildings,
        2 units, 2 meters; Site B, outside it, is not counted."""
        site_c = self.env["meter.site"].create(
            {"name": "Site C", "code": "SC", "parent_id": self.group.id}
        )
        self.env["meter.building"].create({"name": "Building C", "site_id": site_c.id})
        self.group.invalidate_recordset()
        self.assertEqual(
            (self.group.building_count, self.group.unit_count, self.group.meter_count),
            (2, 2, 2),
        )
        self.assertEqual(site_c.building_count, 1)
        self.assertEqual(self.site_a.building_count, 1)

    def test_moving_a_unit_moves_its_meters_and_readings(self):
        reading = self._reading(self.meter_a1, "2025-02-01 00:00:00", 5)
        self.unit_a1.building_id = self.building_b
        self.assertEqual(self.unit_a1.site_id, self.site_b)
        self.assertEqual(self.meter_a1.building_id, self.building_b)
        self.assertEqual(self.meter_a1.site_id, self.site_b)
        self.assertEqual(reading.site_id, self.site_b)

    def test_names_unique_where_they_are_looked_up(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["meter.unit"].create(
                {"name": "A1", "building_id": self.building_a.id}
            )
        self.env["meter.unit"].create({"name": "A1", "building_id": self.building_b.id})

    @freeze_time("2026-03-20 12:00:00")
    def test_decommissioning(self):
        self.meter_a1.action_set_archived()
        self.assertEqual(self.meter_a1.status, "archived")
        self.assertTrue(self.meter_a1.decommissioning_date)
        self.assertEqual(self.meter_a1.decommissioning_date, date(2026, 3, 20))
