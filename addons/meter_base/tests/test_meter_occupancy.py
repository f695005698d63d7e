# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterOccupancy(MeterBaseCommon):
    def _occ(self, unit, start=None, end=None, role="tenant", partner=None):
        vals = {"unit_id": unit.id, "role": role, "date_end": end}
        if start:
            vals["date_start"] = start
        if partner is not None:
            vals["partner_id"] = partner.id
        return self.env["meter.occupancy"].create(vals)

    def test_move_in_defaults_to_day_after_move_out(self):
        self._occ(self.unit_a1, "2025-01-01", "2025-06-30", partner=self.tenant)
        nxt = self._occ(self.unit_a1, partner=self.tenant2)
        self.assertEqual(nxt.date_start, date(2025, 7, 1))

    def test_new_period_closes_open_one(self):
        first = self._occ(self.unit_a1, "2025-01-01", partner=self.tenant)
        self._occ(self.unit_a1, "2025-03-15", partner=self.tenant2)
        self.assertEqual(first.date_end, date(2025, 3, 14))
        self.assertEqual(
            self.unit_a1.with_context(date="2025-03-20").current_partner_id,
            self.tenant2,
        )
        self.assertEqual(
            self.unit_a1.with_context(date="2025-02-01").current_partner_id, self.tenant
        )

    def test_overlap_refused_and_nothing_written(self):
        self._occ(self.unit_a1, "2025-01-01", "2025-06-30", partner=self.tenant)
        count = self.env["meter.occupancy"].search_count(
            [("unit_id", "=", self.unit_a1.id)]
        )
        with self.assertRefused(ValidationError, "A1.*overlaps"):
            self._occ(self.unit_a1, "2025-06-01", "2025-08-31", partner=self.tenant2)
        self.assertEqual(
            self.env["meter.occupancy"].search_count(
                [("unit_id", "=", self.unit_a1.id)]
            ),
            count,
        )

    def test_gap_refused(self):
        self._occ(self.unit_a1, "2025-01-01", "2025-06-30", partner=self.tenant)
        with self.assertRefused(ValidationError, "gap"):
            self._occ(self.unit_a1, "2025-07-05", partner=self.tenant2)

    def test_end_before_start_refused(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._occ(self.unit_a1, "2025-05-01", "2025-04-01", partner=self.tenant)

    def test_vacancy_belongs_to_owner(self):
        vacancy = self._occ(self.unit_a1, "2025-01-01", role="vacancy")
        self.assertEqual(vacancy.partner_id, self.owner)
        with self.assertRefused(ValidationError, "vacancy belongs"):
            vacancy.partner_id = self.tenant

    def test_vacancy_without_owner_is_explained(self):
        with self.assertRefused(ValidationError, "B1.*no owner"):
            self._occ(self.unit_b1, "2025-01-01", role="vacancy")

    def test_timelines_are_per_unit(self):
        self._occ(self.unit_a1, "2025-01-01", partner=self.tenant)
        other = self._occ(self.unit_a2, "2025-01-01", partner=self.tenant)
        self.assertFalse(other.date_end)

    def test_deleting_a_middle_period_is_refused(self):
        first = self._occ(self.unit_a1, "2025-01-01", "2025-03-31", partner=self.tenant)
        middle = self._occ(self.unit_a1, "2025-04-01", "2025-06-30", role="vacancy")
        last = self._occ(self.unit_a1, "2025-07-01", partner=self.tenant2)
        with self.assertRaisesRegex(UserError, "gap"):
            middle.unlink()
        last.unlink()
        first.unlink()
        self.assertEqual(self.unit_a1.occupancy_ids, middle)
