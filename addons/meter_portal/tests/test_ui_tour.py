# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MeterPortalFixture


class ResidentTourMixin(MeterPortalFixture):
    """Resident A submits hot water 12,5, electricity 1,500 and heat 5,000
    (4,500 kWh in 28 days against about 92 expected: confirmed), then opens
    the heat meter's chart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()
        cls.el_p1 = cls.env["meter.meter"].create(
            {
                "name": "EL-P1",
                "unit_id": cls.unit_p1.id,
                "resource_id": cls.env.ref("meter_base.resource_electricity").id,
            }
        )
        cls.user_a.password = cls.user_a.login

    def test_resident_tour(self):
        self.start_tour(
            "/my/meters", "meter_portal_resident_tour", login=self.user_a.login
        )
        readings = self.env["meter.reading"].search(
            [("source", "=", "resident"), ("author_id", "=", self.user_a.id)]
        )
        self.assertEqual(
            sorted(readings.mapped(lambda r: (r.meter_id.name, r.value))),
            [("EL-P1", 1500.0), ("HEAT-P1", 5000.0), ("HW-P1", 12.5)],
        )
        heat = readings.filtered(lambda r: r.meter_id == self.heat_p1)
        self.assertEqual(heat.anomaly_confirmed_by_id, self.user_a)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestUiResidentTour(ResidentTourMixin, HttpCase):
    """In a desktop browser."""

    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestUiResidentTourPhone(ResidentTourMixin, HttpCase):
    """On a 375 px touch screen."""

    allow_inherited_tests_method = True

    browser_size = "375x667"
    touch_enabled = True
