# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import MeterPortalCommon

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 10:00:00")
class TestPortalSubmit(MeterPortalCommon):
    """RULES 3.1: residents submit through the staff admission (window 15..25
    of the heat rule, whole numbers, unusual consumption above 3 times the
    three-month average), edit only their own submissions in the window."""

    def _submit(self, meter, value, key="k1", user=None, **kw):
        meter = meter.with_user(user or self.user_a)
        return meter._portal_submit({"T1": value}, key, **kw)

    def _heat_readings(self):
        return self.env["meter.reading"].search(
            [("meter_id", "=", self.heat_p1.id), ("state", "=", "valid")]
        )

    def test_submit_stores_resident_reading(self):
        """500 on 2026-02-20, 600 now: consumption 100."""
        result = self._submit(self.heat_p1, "600")
        self.assertEqual(result["status"], "created")
        reading = result["readings"]
        self.assertRecordValues(
            reading,
            [
                {
                    "value": 600.0,
                    "consumption": 100.0,
                    "source": "resident",
                    "author_id": self.user_a.id,
                }
            ],
        )

    def test_double_submit_stores_once(self):
        first = self._submit(self.heat_p1, "600")
        second = self._submit(self.heat_p1, "600")
        self.assertEqual(second["status"], "duplicate")
        self.assertEqual(second["readings"], first["readings"])
        self.assertEqual(len(self._heat_readings()), 6)

    def test_refusals_write_nothing(self):
        before = self._heat_readings()
        with self.assertRaisesRegex(UserError, "Whole numbers|0 decimal"):
            self._submit(self.heat_p1, "600,5")
        with self.assertRaisesRegex(UserError, "lower than the previous"):
            self._submit(self.heat_p1, "450")
        with self.assertRaisesRegex(UserError, "not a meter value"):
            self._submit(self.heat_p1, "six hundred")
        with self.assertRaises(AccessError):
            self._submit(self.heat_p2, "80")
        with self.assertRaises(AccessError):
            self._submit(self.common, "10")
        self.heat_p1.status = "archived"
        with self.assertRaisesRegex(UserError, "taken out of service"):
            self._submit(self.heat_p1, "600")
        self.assertEqual(self._heat_readings(), before)

    @freeze_time("2026-03-10 10:00:00")
    def test_outside_window_says_when(self):
        with self.assertRaisesRegex(UserError, "from day 15 to day 25"):
            self._submit(self.heat_p1, "600")

    def test_unusual_consumption_confirm(self):
        """Average of the three months before 2026-02-20: 100 kWh a month; 28
        days later 100 x 28 / 30.44 = 92 kWh expected; 5,000 - 500 = 4,500 is
        above 3 times that: the resident confirms or corrects."""
        result = self._submit(self.heat_p1, "5000")
        self.assertEqual(result["status"], "unusual")
        self.assertEqual(len(self._heat_readings()), 5)
        result = self._submit(self.heat_p1, "5000", key="k2", confirm=True)
        self.assertEqual(result["status"], "created")
        self.assertEqual(result["readings"].anomaly_confirmed_by_id, self.user_a)

    def test_photo_checked_and_kept(self):
        with self.assertRaisesRegex(UserError, "not a JPEG"):
            self._submit(self.heat_p1, "600", photo=b"%PDF-1.4 not an image")
        with self.assertRaisesRegex(UserError, "at most 5 MB"):
            self._submit(self.heat_p1, "600", photo=PNG + b"\0" * 6 * 1024 * 1024)
        self.assertEqual(len(self._heat_readings()), 5)
        result = self._submit(self.heat_p1, "600", photo=PNG, photo_name="m.png")
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "meter.reading"),
                ("res_id", "=", result["readings"].id),
            ]
        )
        self.assertEqual(attachment.mimetype, "image/png")

    def test_edit_own_submission_in_window(self):
        reading = self._submit(self.heat_p1, "600")["readings"]
        result = reading.with_user(self.user_a)._portal_edit("610")
        self.assertEqual(result["status"], "created")
        self.assertEqual(reading.state, "superseded")
        self.assertRecordValues(
            result["readings"],
            [{"value": 610.0, "source": "resident", "author_id": self.user_a.id}],
        )
        # An unusual edit asks for a confirmation too.
        edited = result["readings"]
        unusual = edited.with_user(self.user_a)._portal_edit("9000")
        self.assertEqual(unusual["status"], "unusual")
        self.assertEqual(edited.state, "valid")

    def test_edit_refused_for_staff_reading_and_outside_window(self):
        with self.assertRaises(AccessError):
            self.a_readings[-1].with_user(self.user_a)._portal_edit("505")
        reading = self._submit(self.heat_p1, "600")["readings"]
        with (
            freeze_time("2026-03-26 10:00:00"),
            self.assertRaisesRegex(UserError, "from day 15 to day 25"),
        ):
            reading.with_user(self.user_a)._portal_edit("610")
        with self.assertRaises(AccessError):
            reading.with_user(self.user_b)._portal_edit("610")

    def test_order_verification_creates_staff_activity(self):
        self.heat_p1.commissioning_date = "2020-03-01"
        self.heat_p1.verification_interval_years = 6
        self.heat_p1.with_user(self.user_a)._portal_order_verification()
        activity = self.heat_p1.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Resident A", activity.note)
        with self.assertRaises(AccessError):
            self.heat_p2.with_user(self.user_a)._portal_order_verification()
