# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestAccessRights(MeterBaseCommon):
    def test_reader_sees_assigned_site_only(self):
        Meter = self.env["meter.meter"].with_user(self.reader)
        self.assertEqual(Meter.search([]), self.meter_a1 | self.meter_a2)
        self.assertEqual(
            self.env["meter.site"].with_user(self.reader).search([]), self.site_a
        )
        with self.assertRaises(AccessError):
            self.meter_b1.with_user(self.reader).read(["name"])
        with self.assertRaises(AccessError):
            self.env["meter.reading"].with_user(self.reader).create(
                {
                    "meter_id": self.meter_b1.id,
                    "read_at": "2025-03-01 00:00:00",
                    "value": 1,
                }
            )

    def test_reader_enters_readings_but_not_meters(self):
        reading = (
            self.env["meter.reading"]
            .with_user(self.reader)
            .create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-03-01 00:00:00",
                    "value": 1,
                }
            )
        )
        self.assertEqual(reading.author_id, self.reader)
        with self.assertRaises(AccessError):
            self.env["meter.meter"].with_user(self.reader).create(
                {"name": "X", "unit_id": self.unit_a1.id, "resource_id": self.heat.id}
            )
        with self.assertRaises(AccessError):
            reading.with_user(self.reader).write({"note": "x"})

    def test_group_assignment_covers_sites_below(self):
        sites = self.env["meter.site"].with_user(self.group_reader).search([])
        self.assertEqual(sites, self.group | self.site_a)

    def test_technician_manages_meters_of_own_site(self):
        Meter = self.env["meter.meter"].with_user(self.technician)
        meter = Meter.create(
            {"name": "HEAT-A1", "unit_id": self.unit_a1.id, "resource_id": self.heat.id}
        )
        meter.brand = "Kamstrup"
        with self.assertRaises(AccessError):
            Meter.create(
                {
                    "name": "HEAT-B1",
                    "unit_id": self.unit_b1.id,
                    "resource_id": self.heat.id,
                }
            )
        with self.assertRaises(AccessError):
            self.env["meter.occupancy"].with_user(self.technician).create(
                {
                    "unit_id": self.unit_a1.id,
                    "partner_id": self.tenant.id,
                    "date_start": "2025-01-01",
                }
            )

    def test_billing_officer_manages_occupancy_not_meters(self):
        occ = (
            self.env["meter.occupancy"]
            .with_user(self.billing)
            .create(
                {
                    "unit_id": self.unit_a1.id,
                    "partner_id": self.tenant.id,
                    "date_start": "2025-01-01",
                }
            )
        )
        self.assertEqual(occ.site_id, self.site_a)
        with self.assertRaises(AccessError):
            self.env["meter.occupancy"].with_user(self.billing).create(
                {
                    "unit_id": self.unit_b1.id,
                    "partner_id": self.tenant.id,
                    "date_start": "2025-01-01",
                }
            )
        with self.assertRaises(AccessError):
            self.meter_a1.with_user(self.billing).write({"brand": "X"})

    def test_manager_sees_all_sites_of_own_companies(self):
        sites = self.env["meter.site"].with_user(self.manager).search([])
        self.assertIn(self.site_b, sites)
        self.assertNotIn(self.site_c, sites)
        with self.assertRaises(AccessError):
            self.site_c.with_user(self.manager).read(["name"])

    def test_unassigning_revokes_access(self):
        self.site_a.user_ids = [(3, self.reader.id)]
        self.assertFalse(self.env["meter.meter"].with_user(self.reader).search([]))

    def test_portal_and_plain_users_have_no_access(self):
        user = self.env["res.users"].create(
            {
                "name": "Plain",
                "login": "plain",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["meter.meter"].with_user(user).search([])

    def test_assignment_from_the_user_form(self):
        self.reader.meter_assigned_site_ids = [(4, self.site_b.id)]
        meters = self.env["meter.meter"].with_user(self.reader).search([])
        self.assertIn(self.meter_b1, meters)
        self.assertIn(self.reader, self.site_b.user_ids)
