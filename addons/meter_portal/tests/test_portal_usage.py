# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MeterPortalFixture


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00", tick=True)
class TestPortalUsageSessions(MeterPortalFixture, HttpCase):
    """Sessions on the garage wallbox of the portal site: resident A's (unit
    P1, since 2026-01-01) of 7.5 kWh on Feb 10, resident B's (unit P2) and
    the previous tenant's of unit P1 (June 2025)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()
        wallbox = cls.env["meter.charge.point"].create(
            {"name": "Garage wallbox", "identity": "PS-WB", "site_id": cls.site.id}
        )
        cls.session_a, cls.session_b, cls.session_previous = (
            cls.env["meter.usage.session"].create(
                {
                    "charge_point_id": wallbox.id,
                    "transaction_id": name,
                    "occupancy_id": occupancy.id,
                    "partner_id": occupancy.partner_id.id,
                    "start_at": start,
                    "stop_at": stop,
                    "state": "stopped",
                    "meter_start_wh": 1000,
                    "meter_stop_wh": wh,
                    "stop_reason": "EVDisconnected",
                }
            )
            for name, occupancy, start, stop, wh in (
                ("a-1", cls.occ_a, "2026-02-10 18:00:00", "2026-02-10 19:15:00", 8500),
                ("b-1", cls.occ_b, "2026-02-11 18:00:00", "2026-02-11 19:00:00", 5000),
                (
                    "old-1",
                    cls.occ_previous,
                    "2025-06-01 18:00:00",
                    "2025-06-01 19:00:00",
                    3000,
                ),
            )
        )

    def test_own_sessions_only(self):
        """A sees their session (list and page: 7.500 kWh, 75 min), neither
        B's nor the previous tenant's of the same unit: those pages send
        back to the list (checked as A before any sudo)."""
        Session = self.env["meter.usage.session"]
        self.assertEqual(Session.with_user(self.user_a).search([]), self.session_a)
        self.assertEqual(Session.with_user(self.user_b).search([]), self.session_b)
        self.authenticate(self.user_a.login, "a-secret-pw")
        listing = self.url_open("/my/sessions")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(f"/my/sessions/{self.session_a.id}", listing.text)
        self.assertNotIn(f"/my/sessions/{self.session_b.id}", listing.text)
        self.assertNotIn(f"/my/sessions/{self.session_previous.id}", listing.text)
        page = self.url_open(f"/my/sessions/{self.session_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("7.500", page.text)
        self.assertIn("75 min", page.text)
        self.assertIn("Not billed yet", page.text)
        for other in (self.session_b, self.session_previous):
            response = self.url_open(f"/my/sessions/{other.id}", allow_redirects=False)
            self.assertIn(response.status_code, (302, 303))
            self.assertTrue(response.headers["Location"].endswith("/my/sessions"))
        home = self.url_open("/my/home")
        self.assertIn("/my/sessions", home.text)
