# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from urllib.parse import urlsplit

from odoo.tests import HttpCase, freeze_time, tagged

from .common import MeterPortalFixture


class OnboardingTourMixin(MeterPortalFixture):
    """Resident C moved into unit P3 of building P on 2025-01-01 (heat rule:
    window 15..25, whole numbers, unusual above 3x). Heat readings of P3 on
    the 20th of each month from 2025-10-20, 100 kWh a month (100 .. 500).
    One issued expense statement of C for 2025. Staff invite C by e-mail;
    C registers from the link of that e-mail, then submits hot water 12,5,
    electricity 1,500 and heat 5,000 (4,500 kWh in 28 days against about
    100 expected: unusual, confirmed), opens the heat chart and downloads
    the statement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()
        env = cls.env
        cls.unit_p3 = env["meter.unit"].create(
            {"name": "P3", "building_id": cls.building.id}
        )
        cls.partner_c = env["res.partner"].create(
            {"name": "Resident C", "email": "c.onboarding@example.com"}
        )
        cls.occ_c = env["meter.occupancy"].create(
            {
                "unit_id": cls.unit_p3.id,
                "partner_id": cls.partner_c.id,
                "date_start": "2025-01-01",
            }
        )
        Meter = env["meter.meter"]
        cls.heat_p3, cls.water_p3, cls.el_p3 = Meter.create(
            [
                {"name": name, "unit_id": cls.unit_p3.id, "resource_id": resource.id}
                for name, resource in (
                    ("HEAT-P3", cls.heat),
                    ("HW-P3", cls.hot_water),
                    ("EL-P3", env.ref("meter_base.resource_electricity")),
                )
            ]
        )
        env["meter.reading"].create(
            [
                {
                    "meter_id": cls.heat_p3.id,
                    "read_at": f"{day} 10:00:00",
                    "value": 100 * (index + 1),
                }
                for index, day in enumerate(
                    (
                        "2025-10-20",
                        "2025-11-20",
                        "2025-12-20",
                        "2026-01-20",
                        "2026-02-20",
                    )
                )
            ]
        )
        period = env["meter.expense.period"].create(
            {
                "name": "Heating P 2025",
                "site_id": cls.site.id,
                "date_start": "2025-01-01",
                "date_end": "2025-12-31",
            }
        )
        cls.statement_c = env["meter.expense.statement"].create(
            {
                "period_id": period.id,
                "occupancy_id": cls.occ_c.id,
                "partner_id": cls.partner_c.id,
                "date_start": "2025-01-01",
                "date_end": "2025-12-31",
                "state": "issued",
                "amount_share": 120.0,
            }
        )

    def _registration_link(self):
        """Invite C as staff do (the access's invite button) and return the
        registration link of the queued e-mail (path and query)."""
        access = self.env["meter.portal.access"].create({"occupancy_id": self.occ_c.id})
        access.action_send_invitation()
        mail = self.env["mail.mail"].search(
            [("model", "=", access._name), ("res_id", "=", access.id)]
        )
        self.assertEqual(len(mail), 1)
        href = re.search(
            r'href="([^"]*/meter/register\?code=[A-Z0-9]+)"', mail.body_html
        )
        link = urlsplit(href.group(1))
        return access, f"{link.path}?{link.query}"

    def test_onboarding_tour(self):
        access, link = self._registration_link()
        self.assertEqual(access.state, "pending")
        self.start_tour(link, "meter_portal_onboarding_tour")
        self.assertEqual(access.state, "confirmed")
        user = access.user_id
        self.assertEqual(user.partner_id, self.partner_c)
        self.assertTrue(user._is_portal())
        readings = self.env["meter.reading"].search(
            [("source", "=", "resident"), ("author_id", "=", user.id)]
        )
        self.assertEqual(
            sorted(readings.mapped(lambda r: (r.meter_id.name, r.value))),
            [("EL-P3", 1500.0), ("HEAT-P3", 5000.0), ("HW-P3", 12.5)],
        )
        heat = readings.filtered(lambda r: r.meter_id == self.heat_p3)
        self.assertEqual(heat.anomaly_confirmed_by_id, user)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestUiOnboardingTour(OnboardingTourMixin, HttpCase):
    """In a desktop browser."""

    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestUiOnboardingTourPhone(OnboardingTourMixin, HttpCase):
    """On a 375 px touch screen."""

    allow_inherited_tests_method = True

    browser_size = "375x667"
    touch_enabled = True
