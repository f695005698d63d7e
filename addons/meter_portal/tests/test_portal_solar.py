# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import MeterPortalFixture


@tagged("post_install", "-at_install")
class TestPortalSolar(MeterPortalFixture, HttpCase):
    """A solar community on the portal site with units P1 (resident A from
    2026-01-01, a previous tenant before) and P2 (resident B). Stored months
    (kWh): P1 December 2025 310 = 60 solar + 250 grid (the previous
    tenant's), P1 January 2026 300 = 120 + 180, self-sufficiency 120 / 300 =
    40 %; P2 January 2026 200 = 50 + 150, 50 / 200 = 25 %."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()
        env = cls.env
        power = env.ref("meter_base.resource_electricity")
        points = {}
        for unit in (cls.unit_p1, cls.unit_p2):
            meter = env["meter.meter"].create(
                {"name": f"EL-{unit.name}", "unit_id": unit.id, "resource_id": power.id}
            )
            points[unit] = env["meter.billing.point"].create(
                {"unit_id": unit.id, "meter_ids": [Command.set(meter.ids)]}
            )
        community = env["meter.solar.community"].create(
            {
                "name": "ZEV Portal",
                "site_id": cls.site.id,
                "participant_ids": [
                    Command.create({"billing_point_id": point.id})
                    for point in points.values()
                ],
            }
        )
        cls.participant_p1, cls.participant_p2 = community.participant_ids.sorted(
            lambda p: p.billing_point_id.unit_id.name
        )
        Month = env["meter.solar.month"]
        december = Month.create({"community_id": community.id, "month": "2025-12-01"})
        january = Month.create({"community_id": community.id, "month": "2026-01-01"})
        env["meter.solar.participant.month"].create(
            [
                {
                    "month_id": month.id,
                    "participant_id": participant.id,
                    "consumption": total,
                    "solar": solar,
                    "grid": total - solar,
                    "self_sufficiency": 100 * solar / total,
                }
                for month, participant, total, solar in (
                    (december, cls.participant_p1, 310, 60),
                    (january, cls.participant_p1, 300, 120),
                    (january, cls.participant_p2, 200, 50),
                )
            ]
        )

    def test_resident_sees_own_months_only(self):
        self.authenticate(self.user_a.login, "a-secret-pw")
        response = self.url_open("/my/solar")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("2026-01", page)
        self.assertIn("40 %", page)
        self.assertIn("o_meter_portal_solar_row", page)
        self.assertEqual(page.count("o_meter_portal_solar_row"), 1)
        # the previous tenant's December and B's January are not shown
        self.assertNotIn("2025-12", page)
        self.assertNotIn("25 %", page)
        response = self.url_open(f"/my/solar/{self.participant_p1.id}")
        self.assertEqual(response.status_code, 200)

    def test_other_residents_data_is_refused(self):
        self.authenticate(self.user_a.login, "a-secret-pw")
        response = self.url_open(f"/my/solar/{self.participant_p2.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("o_meter_portal_solar_row", response.text)
        self.authenticate(self.user_b.login, "b-secret-pw")
        response = self.url_open(f"/my/solar/{self.participant_p2.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("25 %", response.text)
