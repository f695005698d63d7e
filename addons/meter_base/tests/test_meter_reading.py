# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterReading(MeterBaseCommon):
    def test_consumption_between_readings(self):
        r1 = self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        r2 = self._reading(self.meter_a1, "2025-02-28 22:00:00", 160.5)
        self.assertEqual(r1.consumption, 0)
        self.assertAlmostEqual(r2.consumption, 60.5)
        self.assertEqual(self.meter_a1.last_value, 160.5)
        self.assertEqual(self.meter_a1.reading_count, 2)

    def test_late_reading_recomputes_the_next(self):
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        r3 = self._reading(self.meter_a1, "2025-03-31 22:00:00", 200)
        self.assertEqual(r3.consumption, 100)
        r2 = self._reading(self.meter_a1, "2025-02-28 22:00:00", 150)
        self.assertEqual(r2.consumption, 50)
        self.assertEqual(r3.consumption, 50)

    def test_multiplier(self):
        self.meter_a1.multiplier = 40
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 10)
        r2 = self._reading(self.meter_a1, "2025-02-28 22:00:00", 12.5)
        self.assertEqual(r2.consumption, 100)

    def test_rollover_recorded(self):
        self._reading(self.meter_a2, "2025-01-31 22:00:00", 99990)
        r2 = self._reading(self.meter_a2, "2025-02-28 22:00:00", 15, is_rollover=True)
        self.assertEqual(r2.consumption, 25)

    def test_implausible_rollover_is_refused(self):
        """RULES.md 5.3: hot water at most 2.5 m3 per hour. From 99990 on 31
        January 22:00, a wrap to 15 one hour later implies 100000 - 99990 + 15
        = 25 m3 > 2.5 x 1 h = 2.5: refused, naming 25; a wrap to 15 on 28
        February 22:00 (672 h later, up to 1680 m3) is accepted: 25. The
        meter's own rate (10 per hour: 10 h allow 100) overrides the
        resource's."""
        self.hot_water.max_rate = 2.5
        self.hot_water.anomaly_factor = 0  # arbitrary counters, not a spike test
        self._reading(self.meter_a2, "2025-01-31 22:00:00", 99990)
        with self.assertRefused(
            ValidationError,
            "HW-A2.*implies a consumption of 25(\\.0*)?, .*rollover_impl",
        ):
            self._reading(self.meter_a2, "2025-01-31 23:00:00", 15, is_rollover=True)
        r2 = self._reading(self.meter_a2, "2025-02-28 22:00:00", 15, is_rollover=True)
        self.assertEqual(r2.consumption, 25)
        self.meter_a2.max_rate = 10
        self._reading(self.meter_a2, "2025-03-01 08:00:00", 99950)
        with self.assertRefused(
            ValidationError, r"implies a consumption of 150(\.0*)?, "
        ):
            self._reading(self.meter_a2, "2025-03-01 18:00:00", 100, is_rollover=True)
        r4 = self._reading(self.meter_a2, "2025-03-01 18:00:00", 50, is_rollover=True)
        self.assertEqual(r4.consumption, 100)

    def test_going_backwards_without_rollover_is_refused_whole_batch(self):
        self._reading(self.meter_a2, "2025-01-31 22:00:00", 500)
        vals = [
            {
                "meter_id": self.meter_a1.id,
                "read_at": "2025-02-01 00:00:00",
                "value": 5,
            },
            {
                "meter_id": self.meter_a2.id,
                "read_at": "2025-02-28 22:00:00",
                "value": 400,
            },
        ]
        with self.assertRefused(ValidationError, "HW-A2.*negative_consumption"):
            self.env["meter.reading"].create(vals)
        self.assertFalse(self.meter_a1.reading_ids)

    def test_bad_values_name_record_and_field(self):
        cases = [
            ("2024-12-01 00:00:00", 1, {}, "commissioning"),
            ("2025-02-01 00:00:00", 1, {"register": "T2"}, "Register"),
            ("2025-02-01 00:00:00", 1.234, {}, "decimal"),
        ]
        for at, value, extra, message in cases:
            with (
                self.subTest(message=message),
                self.assertRefused(ValidationError, f"EL-A1.*{message}"),
            ):
                self._reading(self.meter_a1, at, value, **extra)
        for value, code in [(-3, "negative_value"), ("abc", "not_numeric")]:
            with (
                self.subTest(value=value),
                self.assertRefused(ValidationError, f"EL-A1.*Value.*{code}"),
            ):
                self._reading(self.meter_a1, "2025-02-01 00:00:00", value)
        with self.assertRefused(ValidationError, "HW-A2.*rollover.*above_rollover"):
            self._reading(self.meter_a2, "2025-02-01 00:00:00", 100000)
        self.meter_a1.resource_id = self.heat  # integers only
        with self.assertRefused(ValidationError, "EL-A1.*decimal.*not_integer"):
            self._reading(self.meter_a1, "2025-02-01 00:00:00", 1.5)
        self.meter_a1.resource_id = self.electricity
        reading = self._reading(self.meter_a1, "2025-02-01 00:00:00", "12,5")
        self.assertEqual(reading.value, 12.5)

    def test_bounds_of_date_and_value(self):
        """No reading later than now (plus 15 minutes), none at or above the
        register's capacity: the resource's largest reading when the meter has
        no rollover value (10^12 when the resource sets none)."""
        with self.assertRefused(
            ValidationError, "EL-A1.*later than now.*in_the_future"
        ):
            self._reading(self.meter_a1, "2099-01-01 00:00:00", 100)
        with self.assertRefused(ValidationError, "EL-A1.*above_capacity"):
            self._reading(self.meter_a1, "2025-03-01 00:00:00", 10**12)
        self.electricity.max_value = 1_000_000
        with self.assertRefused(ValidationError, "EL-A1.*1000000.*above_capacity"):
            self._reading(self.meter_a1, "2025-03-01 00:00:00", 1_000_000)
        self._reading(self.meter_a1, "2025-03-01 00:00:00", 999_999)
        # the rollover value is the capacity of HW-A2's register
        self._reading(self.meter_a2, "2025-03-01 00:00:00", 99_999)
        self.assertEqual(len(self.meter_a1.reading_ids), 1)

    def test_archived_and_virtual_meters_take_no_readings(self):
        self.meter_b1.status = "archived"
        with self.assertRefused(ValidationError, "archived"):
            self._reading(self.meter_b1, "2025-02-01 00:00:00", 1)
        virtual = self.env["meter.meter"].create(
            {
                "name": "V1",
                "kind": "virtual",
                "site_id": self.site_a.id,
                "resource_id": self.electricity.id,
            }
        )
        with self.assertRefused(ValidationError, "virtual"):
            self._reading(virtual, "2025-02-01 00:00:00", 1)

    def test_closed_site_takes_no_readings(self):
        self.site_a.state = "closed"
        with self.assertRefused(ValidationError, "closed"):
            self._reading(self.meter_a1, "2025-02-01 00:00:00", 1)
        with self.assertRefused(ValidationError, "closed_site"):
            self.env["meter.reading"]._bulk_ingest(
                [(self.meter_a1.id, "T1", "2025-02-01 00:00:00", 1)]
            )

    def test_stored_once_per_instant(self):
        self._reading(self.meter_a1, "2025-02-01 00:00:00", 10)
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self._reading(self.meter_a1, "2025-02-01 00:00:00", 10)

    def test_correction_supersedes_and_keeps(self):
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        wrong = self._reading(self.meter_a1, "2025-02-28 22:00:00", 1600)
        nxt = self._reading(self.meter_a1, "2025-03-31 22:00:00", 1700)
        with self.assertRaisesRegex(UserError, "never overwritten"):
            wrong.value = 160
        wizard = self.env["meter.reading.correct"].create(
            {"reading_id": wrong.id, "value": 160, "reason": "typo"}
        )
        action = wizard.action_correct()
        new = self.env["meter.reading"].browse(action["res_id"])
        self.assertRecordValues(
            wrong, [{"state": "superseded", "superseded_by_id": new.id, "value": 1600}]
        )
        self.assertRecordValues(
            new, [{"state": "valid", "supersedes_id": wrong.id, "consumption": 60}]
        )
        self.assertEqual(nxt.consumption, 1540)
        with self.assertRaises(UserError):
            wrong.unlink()

    def test_consumption_matches_meterkit_series(self):
        # Arbitrary values: no unusual-consumption check (resource factor 0).
        self.env["meter.resource"].search([]).anomaly_factor = 0
        from decimal import Decimal

        from meterkit import ReadingPoint, consumption_series

        values = [10, 12.5, 12.5, 30, 31.25, 99]
        readings = self.env["meter.reading"]
        for month, value in enumerate(values, start=1):
            readings |= self._reading(
                self.meter_a1, f"2025-{month:02d}-15 08:00:00", value
            )
        points = [
            ReadingPoint(read_at=r.read_at, value=Decimal(str(r.value)), key=r.id)
            for r in readings
        ]
        expected = {c.key: c.consumption for c in consumption_series(points)}
        for reading in readings:
            self.assertEqual(Decimal(str(reading.consumption)), expected[reading.id])
