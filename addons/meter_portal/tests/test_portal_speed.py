# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import tagged

from .common import MeterPortalCommon


@tagged("post_install", "-at_install")
class TestPortalSpeed(MeterPortalCommon):
    """The portal periods are read on every portal request (each record
    rule of the portal asks for them)."""

    def test_periods_in_one_query(self):
        """Resident A: one confirmed access (unit P1 from 2026-01-01, open,
        site in UTC), read in a single query: the access, its occupancy and
        the site's time zone (four queries before: accesses, access fields,
        occupancy, site). Start 2026-01-01 00:00 UTC, no end."""
        Access = self.env["meter.portal.access"].with_user(self.user_a)
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            periods = Access._read_portal_periods()
        self.assertEqual(
            [(p.occupancy_id, p.unit_id, p.start, p.end) for p in periods],
            [(self.occ_a.id, self.unit_p1.id, datetime(2026, 1, 1), None)],
        )
