# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterReadingIngestItems(MeterBaseCommon):
    """``_ingest(rows, on_error="skip")``: valid rows stored, every other row
    reported with a stable code."""

    def _ingest(self, rows, source="api", user=None):
        ingest = self.env["meter.reading.ingest"]
        if user:
            ingest = ingest.with_user(user)
        return ingest._ingest(rows, source=source, on_error="skip")

    def _count(self, meter):
        return self.env["meter.reading"].search_count([("meter_id", "=", meter.id)])

    def test_sources_exist(self):
        sources = dict(self.env["meter.reading"]._fields["source"].selection)
        self.assertTrue({"api", "gateway", "import"} <= set(sources))

    def test_per_item_results_with_stable_codes(self):
        self._reading(self.meter_a1, "2025-01-15 22:00:00", 90)
        self._reading(self.meter_a1, "2025-01-28 22:00:00", 100)
        rows = [
            (self.meter_a1.id, "T1", "2025-02-28 22:00:00", 150),  # created
            (self.meter_a1.id, "T1", "2025-01-28 22:00:00", 100),  # replay
            (self.meter_a1.id, "T1", "2025-01-15 22:00:00", 91),  # conflict
            (self.meter_a2.id, "T1", "not a date", 1),  # types
            (999999, "T1", "2025-02-28 22:00:00", 1),  # unknown meter
            (self.meter_a2.id, "T1", "2025-02-28 22:00:00", -1),  # negative
            (self.meter_a2.id, "T1", "2025-03-28 22:00:00", 5),  # created
            (self.meter_a2.id, "T1", "2025-03-28 22:00:00", 6),  # batch conflict
            (self.meter_a2.id, "T1", "2025-04-28 22:00:00", 4),  # goes down
            (self.meter_a2.id, "T1", "2025-05-28 22:00:00", 7),  # created
            (self.meter_a2.id, "T9", "2025-05-28 22:00:00", 7),  # not parsable
            (self.meter_a1.id, "T1", "2024-05-28 22:00:00", 7),  # before commission
        ]
        result = self._ingest(rows)
        self.assertEqual(result["created"], 3)
        self.assertEqual(result["duplicates"], 1)
        statuses = [(i["index"], i["status"], i.get("code")) for i in result["items"]]
        self.assertEqual(
            statuses,
            [
                (0, "created", None),
                (1, "duplicate", None),
                (2, "rejected", "conflicting_value"),
                (3, "rejected", "not_parsable"),
                (4, "rejected", "unknown_meter"),
                (5, "rejected", "negative_value"),
                (6, "created", None),
                (7, "rejected", "conflicting_duplicate"),
                (8, "rejected", "negative_consumption"),
                (9, "created", None),
                (10, "rejected", "bad_register"),
                (11, "rejected", "before_commissioning"),
            ],
        )
        self.assertEqual(
            [r["index"] for r in result["rejected"]], [2, 3, 4, 5, 7, 8, 10, 11]
        )
        conflict = result["rejected"][0]
        self.assertIn("row 3", conflict["message"])
        self.assertIn("EL-A1", conflict["message"])
        a2 = self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a2.id)], order="read_at"
        )
        self.assertEqual(a2.mapped("value"), [5, 7])
        self.assertEqual(a2.mapped("consumption"), [0, 2])
        self.assertEqual(set(a2.mapped("source")), {"api"})
        # A replay of the whole batch stores nothing more.
        again = self._ingest(rows)
        self.assertEqual(again["created"], 0)
        self.assertEqual(again["duplicates"], 4)
        self.assertEqual(self._count(self.meter_a2), 2)

    def test_row_before_stored_ones_keeps_the_chain(self):
        """A backfilled row higher than a later stored reading is refused; a
        fitting one is stored and the later consumption recomputed."""
        late = self._reading(self.meter_a1, "2025-05-28 22:00:00", 500)
        self._reading(self.meter_a1, "2025-01-28 22:00:00", 100)
        result = self._ingest(
            [
                (self.meter_a1.id, "T1", "2025-03-28 22:00:00", 600),
                (self.meter_a1.id, "T1", "2025-02-28 22:00:00", 300),
            ],
            source="gateway",
        )
        self.assertEqual(
            [(i["status"], i.get("code")) for i in result["items"]],
            [("rejected", "negative_consumption"), ("created", None)],
        )
        self.assertEqual(late.consumption, 200)

    def test_skip_respects_site_access(self):
        result = self._ingest(
            [
                (self.meter_a1.id, "T1", "2025-02-28 22:00:00", 1),
                (self.meter_b1.id, "T1", "2025-02-28 22:00:00", 1),
            ],
            user=self.reader,
        )
        self.assertEqual(result["created"], 1)
        self.assertEqual(result["rejected"][0]["code"], "unknown_meter")
        self.assertEqual(self._count(self.meter_b1), 0)

    def test_default_mode_unchanged(self):
        result = self.env["meter.reading.ingest"]._ingest(
            [(self.meter_a1.id, "T1", "2025-02-28 22:00:00", 1)]
        )
        self.assertEqual(result, {"created": 1, "duplicates": 0})
        with self.assertRaises(ValueError):
            self.env["meter.reading.ingest"]._ingest([], on_error="maybe")

    def test_device_counters_are_truncated_to_the_rules(self):
        """With ``truncate``, a counter is cut to what the rules accept, as
        the meter's display shows it: 12.79 with whole numbers only is 12 (not
        13); a replay of 12.4 is then a duplicate of 12. Without it, 12.79 is
        refused as not an integer."""
        rule = self.env["meter.rule"].create(
            {
                "resource_id": self.electricity.id,
                "site_id": self.site_a.id,
                "integers_only": True,
            }
        )
        rule.action_apply_once()
        ingest = self.env["meter.reading.ingest"]
        row = (self.meter_a1.id, "T1", "2025-02-28 22:00:00", "12.79")
        refused = ingest._ingest([row], source="gateway", on_error="skip")
        self.assertEqual(refused["rejected"][0]["code"], "not_integer")
        stored = ingest._ingest([row], source="gateway", on_error="skip", truncate=True)
        self.assertEqual(stored["created"], 1)
        replay = (*row[:3], "12.4")
        again = ingest._ingest(
            [replay], source="gateway", on_error="skip", truncate=True
        )
        self.assertEqual((again["created"], again["duplicates"]), (0, 1))
        reading = self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a1.id)]
        )
        self.assertEqual(reading.value, 12)

    def test_call_is_checked_before_any_row(self):
        """An unknown ``on_error`` is a programming error (ValueError); an
        unknown source, or a user without the right to create readings, is
        refused before any row is read: nothing is stored."""
        row = (self.meter_a1.id, "T1", "2025-02-28 22:00:00", 150)
        ingest = self.env["meter.reading.ingest"]
        with self.assertRaisesRegex(ValueError, "on_error must be one of"):
            ingest._ingest([row], on_error="ignore")
        with self.assertRaisesRegex(ValidationError, "Unknown reading source 'fax'"):
            ingest._ingest([row], source="fax")
        plain = new_test_user(self.env, login="plain_ingest", groups="base.group_user")
        with self.assertRaises(AccessError):
            ingest.with_user(plain)._ingest([row], source="api", on_error="skip")
        self.assertEqual(self._count(self.meter_a1), 0)
