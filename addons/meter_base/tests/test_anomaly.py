# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestAnomaly(MeterBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env["meter.rule"].create(
            {
                "building_id": cls.building_a.id,
                "resource_id": cls.electricity.id,
                "anomaly_factor": 3.0,
            }
        )
        # 100 kWh a month from January to April
        for month, value in ((1, 1000), (2, 1100), (3, 1200), (4, 1300)):
            cls.env["meter.reading"].create(
                {
                    "meter_id": cls.meter_a1.id,
                    "read_at": f"2025-{month:02d}-28 12:00:00",
                    "value": value,
                }
            )

    def test_spike_needs_confirmation(self):
        with self.assertRefused(ValidationError, "tick 'Confirm Unusual Consumption'"):
            self._reading(self.meter_a1, "2025-05-28 12:00:00", 1700)
        reading = self._reading(
            self.meter_a1, "2025-05-28 12:00:00", 1700, confirm_anomaly=True
        )
        self.assertEqual(reading.anomaly_code, "consumption_spike")
        self.assertEqual(reading.anomaly_confirmed_by_id, self.env.user)
        self.assertTrue(reading.anomaly_confirmed_at)

    def test_normal_consumption_passes(self):
        reading = self._reading(self.meter_a1, "2025-05-28 12:00:00", 1390)
        self.assertFalse(reading.anomaly_code)
        self.assertFalse(reading.anomaly_confirmed_by_id)

    def test_factor_is_configurable(self):
        self.rule.anomaly_factor = 5.0
        self._reading(self.meter_a1, "2025-05-28 12:00:00", 1700)
        self.rule.anomaly_factor = 0.0
        self._reading(self.meter_a1, "2025-06-28 12:00:00", 9000)

    def test_correction_is_checked_too(self):
        reading = self._reading(self.meter_a1, "2025-05-28 12:00:00", 1390)
        wizard = Form(
            self.env["meter.reading.correct"].with_context(
                default_reading_id=reading.id
            )
        )
        wizard.value = 1900
        wizard.reason = "typo"
        record = wizard.save()
        with self.assertRefused(ValidationError, "Confirm Unusual Consumption"):
            record.action_correct()
        record.confirm_anomaly = True
        action = record.action_correct()
        corrected = self.env["meter.reading"].browse(action["res_id"])
        self.assertEqual(corrected.anomaly_confirmed_by_id, self.env.user)
        self.assertEqual(reading.state, "superseded")

    def test_reader_confirms_in_own_name(self):
        reading = (
            self.env["meter.reading"]
            .with_user(self.reader)
            .create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-05-28 12:00:00",
                    "value": 1700,
                    "confirm_anomaly": True,
                }
            )
        )
        self.assertEqual(reading.anomaly_confirmed_by_id, self.reader)

    def test_no_rule_no_confirmation(self):
        # Without a rule the resource's default applies; 0 switches it off.
        self.electricity.anomaly_factor = 0
        self._reading(self.meter_b1, "2025-01-28 12:00:00", 100)
        self._reading(self.meter_b1, "2025-02-28 12:00:00", 110)
        self._reading(self.meter_b1, "2025-03-28 12:00:00", 5000)
