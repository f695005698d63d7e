# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from ..models import meter_reading_ingest
from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterReadingBulk(MeterBaseCommon):
    def _rows(self, meter, values, start_month=1):
        return [
            (meter.id, "T1", f"2025-{m:02d}-28 22:00:00", v)
            for m, v in enumerate(values, start=start_month)
        ]

    def test_bulk_computes_consumption_like_the_orm(self):
        # Arbitrary values: no unusual-consumption check (resource factor 0).
        self.env["meter.resource"].search([]).anomaly_factor = 0
        Reading = self.env["meter.reading"]
        values = [100, 150.5, 151, 260, 300]
        result = Reading._bulk_ingest(self._rows(self.meter_a1, values))
        self.assertEqual(result, {"created": 5, "duplicates": 0})
        bulk = Reading.search([("meter_id", "=", self.meter_a1.id)], order="read_at")
        for m, value in enumerate(values, start=1):
            self._reading(self.meter_a2, f"2025-{m:02d}-28 22:00:00", value)
        orm = Reading.search([("meter_id", "=", self.meter_a2.id)], order="read_at")
        self.assertEqual(bulk.mapped("consumption"), orm.mapped("consumption"))
        self.assertEqual(bulk.mapped("consumption"), [0, 50.5, 0.5, 109, 40])
        self.assertEqual(set(bulk.mapped("source")), {"import"})
        self.assertEqual(bulk.site_id, self.site_a)

    def test_bulk_is_idempotent(self):
        Reading = self.env["meter.reading"]
        rows = self._rows(self.meter_a1, [10, 20, 30])
        Reading._bulk_ingest(rows)
        again = Reading._bulk_ingest(rows + rows)
        self.assertEqual(again, {"created": 0, "duplicates": 6})
        self.assertEqual(Reading.search_count([("meter_id", "=", self.meter_a1.id)]), 3)

    def test_bulk_continues_existing_chain_and_fixes_later_ones(self):
        Reading = self.env["meter.reading"]
        self._reading(self.meter_a1, "2025-01-28 22:00:00", 100)
        late = self._reading(self.meter_a1, "2025-05-28 22:00:00", 500)
        Reading._bulk_ingest(self._rows(self.meter_a1, [200, 300], start_month=2))
        feb = Reading.search(
            [
                ("meter_id", "=", self.meter_a1.id),
                ("read_at", "=", "2025-02-28 22:00:00"),
            ]
        )
        self.assertEqual(feb.consumption, 100)
        self.assertEqual(late.consumption, 200)

    def test_bulk_refuses_bad_rows_and_writes_nothing(self):
        Reading = self.env["meter.reading"]
        self._reading(self.meter_a1, "2025-01-28 22:00:00", 100)
        rows = [
            (self.meter_a1.id, "T1", "2025-02-28 22:00:00", 50),
            (self.meter_a2.id, "T1", "2025-02-28 22:00:00", 7),
        ]
        with self.assertRaisesRegex(ValidationError, "row 1, meter EL-A1.*negative"):
            Reading._bulk_ingest(rows)
        bad_sets = {
            "negative_value": [(self.meter_a2.id, "T1", "2025-02-28 22:00:00", -1)],
            "bad_register": [(self.meter_a2.id, "T3", "2025-02-28 22:00:00", 1)],
            "before_commissioning": [
                (self.meter_a1.id, "T1", "2024-02-28 22:00:00", 1)
            ],
            "above_rollover": [(self.meter_a2.id, "T1", "2025-02-28 22:00:00", 100000)],
            "conflicting_value": [(self.meter_a1.id, "T1", "2025-01-28 22:00:00", 101)],
            "conflicting_duplicate": [
                (self.meter_a2.id, "T1", "2025-03-28 22:00:00", 1),
                (self.meter_a2.id, "T1", "2025-03-28 22:00:00", 2),
            ],
        }
        for code, bad in bad_sets.items():
            with self.subTest(code=code), self.assertRaisesRegex(ValidationError, code):
                Reading._bulk_ingest(bad)
        with self.assertRaisesRegex(ValidationError, "row 1, .*not_parsable"):
            Reading._bulk_ingest([(self.meter_a2.id, "T1", "not a date", 1)])
        self.assertEqual(Reading.search_count([("meter_id", "=", self.meter_a2.id)]), 0)
        self.assertEqual(Reading.search_count([("meter_id", "=", self.meter_a1.id)]), 1)

    def test_bulk_respects_site_access(self):
        Reading = self.env["meter.reading"].with_user(self.reader)
        Reading._bulk_ingest(self._rows(self.meter_a1, [1, 2]))
        with self.assertRaisesRegex(ValidationError, "outside your sites"):
            Reading._bulk_ingest(self._rows(self.meter_b1, [1, 2]))

    def _ingest_recording_sql(self, ingest, rows):
        statements = []
        execute = Cursor.execute

        def recording(cr, query, params=None, log_exceptions=None):
            statements.append(str(query.code if isinstance(query, SQL) else query))
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", recording):
            ingest._ingest(rows)
        return " ".join(statements)

    def test_bulk_with_foreign_key_checks(self):
        """The path taken when the database role is not a superuser: the same
        rows, PostgreSQL checking every reference."""
        ingest = self.env["meter.reading.ingest"]
        fast = self._ingest_recording_sql(ingest, self._rows(self.meter_a2, [1, 2]))
        self.assertIn("session_replication_role = replica", fast)
        checked = self._ingest_recording_sql(
            ingest.with_context(meter_ingest_check_fk=True),
            self._rows(self.meter_a1, [1, 2.5, 4]),
        )
        self.assertNotIn("session_replication_role", checked)
        readings = self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a1.id)], order="read_at"
        )
        self.assertEqual(readings.mapped("consumption"), [0, 1.5, 1.5])

    def test_demo_generator_fills_a_year(self):
        self.env["meter.meter"]._demo_generate_readings([self.site_a.id], 12)
        readings = self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a2.id)], order="read_at"
        )
        self.assertEqual(len(readings), 13)
        self.assertTrue(all(c >= 0 for c in readings.mapped("consumption")))
        self.assertGreater(sum(readings.mapped("consumption")), 0)

    def test_writers_of_one_meter_are_serialized(self):
        """Writing readings rewrites the meter rows in the writing transaction:
        another transaction writing readings of the same meter then waits for
        it (and, under REPEATABLE READ, fails and is retried) instead of
        computing consumption from a chain that is changing under it."""

        def row_version(meter):
            self.env.flush_all()
            return self.env.execute_query(
                SQL("SELECT xmin::text FROM meter_meter WHERE id = %s", meter.id)
            )[0][0]

        before = {
            m: row_version(m) for m in (self.meter_a1, self.meter_a2, self.meter_b1)
        }
        self.env["meter.reading"]._bulk_ingest(self._rows(self.meter_a1, [1, 2]))
        self._reading(self.meter_a2, "2025-03-01 00:00:00", 5)
        self.assertNotEqual(row_version(self.meter_a1), before[self.meter_a1])
        self.assertNotEqual(row_version(self.meter_a2), before[self.meter_a2])
        self.assertEqual(row_version(self.meter_b1), before[self.meter_b1])
        self.assertEqual(str(self.meter_a1.last_read_at), "2025-02-28 22:00:00")
        self.assertEqual(str(self.meter_a2.last_read_at), "2025-03-01 00:00:00")

    def test_writer_failure_surfaces_and_writes_nothing(self):
        """An error while the rows are being formatted aborts the COPY: the
        original error reaches the caller and the savepoint leaves nothing."""
        formatted = meter_reading_ingest._formatted_chunks

        def broken(plans, errors, *args):
            yield from formatted(plans[:1], errors, *args)
            raise RuntimeError("writer failed")

        with (
            patch.object(meter_reading_ingest, "_formatted_chunks", broken),
            self.assertRaisesRegex(RuntimeError, "writer failed"),
        ):
            self.env["meter.reading"]._bulk_ingest(
                self._rows(self.meter_a1, [1, 2]) + self._rows(self.meter_a2, [1, 2])
            )
        self.assertFalse(
            self.env["meter.reading"].search(
                [("meter_id", "in", (self.meter_a1 | self.meter_a2).ids)]
            )
        )
        self.env["meter.reading"]._bulk_ingest(self._rows(self.meter_a1, [1, 2]))
        self.assertEqual(len(self.meter_a1.reading_ids), 2)
