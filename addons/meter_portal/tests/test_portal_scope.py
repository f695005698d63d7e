# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MeterPortalCommon


@tagged("post_install", "-at_install")
class TestPortalScope(MeterPortalCommon):
    """DESIGN invariant 4: a resident reads only what lies inside their own
    occupancy periods."""

    def test_resident_sees_own_unit_meters_and_building_meters(self):
        env = self.env(user=self.user_a)
        self.assertEqual(env["meter.unit"].search([]), self.unit_p1)
        self.assertEqual(env["meter.occupancy"].search([]), self.occ_a)
        self.assertEqual(
            env["meter.meter"].search([]), self.heat_p1 | self.water_p1 | self.common
        )
        self.assertEqual(env["meter.building"].search([]), self.building)
        with self.assertRaises(AccessError):
            self.heat_p2.with_user(self.user_a).read(["name"])
        with self.assertRaises(AccessError):
            self.occ_previous.with_user(self.user_a).read(["partner_id"])
        with self.assertRaises(AccessError):
            self.unit_q1.with_user(self.user_a).read(["name"])

    def test_newcomer_sees_nothing_earlier(self):
        """A moved in on 2026-01-01: the previous tenant's three readings of
        the same meter (2025-10..12) and the main meter's December reading
        stay hidden; A's two readings and the main meter's February one
        show."""
        readings = self.env["meter.reading"].with_user(self.user_a).search([])
        expected = self.a_readings | self.b_readings.filtered(
            lambda r: r.meter_id == self.common and r.read_at.month == 2
        )
        self.assertEqual(readings, expected)
        with self.assertRaises(AccessError):
            self.old_readings[-1].with_user(self.user_a).read(["value"])

    def test_nothing_later_after_move_out(self):
        """A moves out on 2026-01-31: the reading of 2026-02-20 is after the
        move-out and disappears, the one of 2026-01-20 stays."""
        self.occ_a.date_end = "2026-01-31"
        readings = (
            self.env["meter.reading"]
            .with_user(self.user_a)
            .search([("meter_id", "=", self.heat_p1.id)])
        )
        self.assertEqual(readings, self.a_readings[0])

    def test_revoked_access_sees_nothing(self):
        self.access_a.action_revoke()
        env = self.env(user=self.user_a)
        for model in ("meter.unit", "meter.meter", "meter.reading", "meter.occupancy"):
            self.assertFalse(env[model].search([]), model)

    def test_email_change_forces_new_registration(self):
        self.access_a.email = "new-a@example.com"
        self.assertEqual(self.access_a.state, "invited")
        self.assertFalse(self.access_a.user_id)
        self.assertFalse(self.env["meter.meter"].with_user(self.user_a).search([]))

    def test_nicknames_are_private(self):
        Nickname = self.env["meter.portal.nickname"]
        nickname = Nickname.with_user(self.user_a).create(
            {"meter_id": self.heat_p1.id, "name": "Living room"}
        )
        self.assertFalse(Nickname.with_user(self.user_b).search([]))
        staff = new_test_user(
            self.env,
            login="portal_staff",
            groups="base.group_user,meter_base.meter_base_group_manager",
        )
        with self.assertRaises(AccessError):
            nickname.with_user(staff).read(["name"])

    def test_periods_read_once_per_request_and_dropped_on_change(self):
        """Every portal record rule asks for the user's periods: within a
        request they are read once (no query the second time); revoking
        the access or moving the occupant out counts at once."""
        env = self.env(user=self.user_a)
        Access = env["meter.portal.access"]
        self.env.cr.cache.clear()
        periods = Access._portal_periods()
        self.assertEqual([p.occupancy_id for p in periods], [self.occ_a.id])
        with self.assertQueryCount(0):
            Access._portal_periods()
            env["meter.unit"]._portal_domain()
        self.occ_a.date_end = "2026-01-31"
        self.assertEqual(
            Access._portal_periods()[0].end.date().isoformat(), "2026-02-01"
        )
        self.access_a.action_revoke()
        self.assertFalse(Access._portal_periods())
        self.assertFalse(env["meter.unit"].search([]))
