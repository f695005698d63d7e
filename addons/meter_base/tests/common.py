# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager

from odoo.tests import TransactionCase, new_test_user


class MeterBaseCommon(TransactionCase):
    """Two sites of one company (A with two units, B with one), a third site in
    another company, meters, and one user per metering role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.electricity = cls.env.ref("meter_base.resource_electricity")
        cls.heat = cls.env.ref("meter_base.resource_heat")
        cls.hot_water = cls.env.ref("meter_base.resource_hot_water")
        cls.owner = cls.env["res.partner"].create({"name": "Owner SA"})
        cls.tenant = cls.env["res.partner"].create({"name": "Tenant One"})
        cls.tenant2 = cls.env["res.partner"].create({"name": "Tenant Two"})
        Site = cls.env["meter.site"]
        cls.group = Site.create({"name": "Portfolio", "code": "PF", "is_group": True})
        cls.site_a = Site.create(
            {"name": "Site A", "code": "SA", "parent_id": cls.group.id}
        )
        cls.site_b = Site.create({"name": "Site B", "code": "SB"})
        cls.building_a = cls.env["meter.building"].create(
            {"name": "Building A", "code": "BA", "site_id": cls.site_a.id}
        )
        cls.building_b = cls.env["meter.building"].create(
            {"name": "Building B", "site_id": cls.site_b.id}
        )
        Unit = cls.env["meter.unit"]
        cls.unit_a1 = Unit.create(
            {
                "name": "A1",
                "code": "A1",
                "building_id": cls.building_a.id,
                "owner_id": cls.owner.id,
            }
        )
        cls.unit_a2 = Unit.create(
            {"name": "A2", "building_id": cls.building_a.id, "owner_id": cls.owner.id}
        )
        cls.unit_b1 = Unit.create({"name": "B1", "building_id": cls.building_b.id})
        Meter = cls.env["meter.meter"]
        cls.meter_a1 = Meter.create(
            {
                "name": "EL-A1",
                "unit_id": cls.unit_a1.id,
                "resource_id": cls.electricity.id,
                "commissioning_date": "2025-01-01",
            }
        )
        cls.meter_a2 = Meter.create(
            {
                "name": "HW-A2",
                "unit_id": cls.unit_a2.id,
                "resource_id": cls.hot_water.id,
                "rollover_value": 100000.0,
            }
        )
        cls.meter_b1 = Meter.create(
            {
                "name": "EL-B1",
                "unit_id": cls.unit_b1.id,
                "resource_id": cls.electricity.id,
            }
        )
        cls.company2 = cls.env["res.company"].create({"name": "Other Company"})
        cls.site_c = Site.with_company(cls.company2).create(
            {"name": "Site C", "code": "SC", "company_id": cls.company2.id}
        )
        cls.reader = cls._user(
            "reader_a", "meter_base.meter_base_group_reader", cls.site_a
        )
        cls.technician = cls._user(
            "tech_a", "meter_base.meter_base_group_technician", cls.site_a
        )
        cls.billing = cls._user(
            "billing_a", "meter_base.meter_base_group_billing", cls.site_a
        )
        cls.group_reader = cls._user(
            "reader_pf", "meter_base.meter_base_group_reader", cls.group
        )
        cls.manager = cls._user("manager", "meter_base.meter_base_group_manager", None)

    @classmethod
    def _user(cls, login, group, site):
        user = new_test_user(cls.env, login=login, groups=f"base.group_user,{group}")
        if site:
            site.user_ids = [(4, user.id)]
        return user

    def _reading(self, meter, at, value, **vals):
        return self.env["meter.reading"].create(
            {"meter_id": meter.id, "read_at": at, "value": value, **vals}
        )

    def _main_meter_above(self, meter):
        """A main meter of building A, upstream of ``meter``."""
        main = self.env["meter.meter"].create(
            {
                "name": "EL-MAIN",
                "kind": "main",
                "building_id": self.building_a.id,
                "resource_id": meter.resource_id.id,
            }
        )
        meter.parent_id = main
        return main

    @contextmanager
    def assertRefused(self, exception, regex):
        """The block raises ``exception`` matching ``regex``; what it wrote is
        rolled back as the request's transaction would be."""
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield
