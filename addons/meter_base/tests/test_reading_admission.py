# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestReadingAdmission(MeterBaseCommon):
    """Every refusal of a reading names the meter, its cause in the user's
    words and meterkit's code, and stores nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.virtual = cls.env["meter.meter"].create(
            {
                "name": "EL-SUM",
                "kind": "virtual",
                "building_id": cls.building_a.id,
                "resource_id": cls.electricity.id,
            }
        )

    def assertReadingRefused(self, meter, regex, **vals):
        """Creating a reading of ``meter`` raises a ValidationError matching
        ``regex``; the meter keeps its readings."""
        count = meter.reading_count
        with self.assertRefused(
            ValidationError, f"^Reading of meter {meter.name} at .*: {regex}$"
        ):
            self._reading(meter, **{"at": "2025-03-01 08:00:00", **vals})
        self.assertEqual(meter.reading_count, count)

    def test_virtual_meter_takes_no_reading(self):
        self.assertReadingRefused(
            self.virtual,
            r"a virtual meter takes no readings\. \[virtual_meter\]",
            value=5,
        )

    def test_archived_meter_takes_no_reading_unless_closing(self):
        """An archived meter refuses readings; its closing reading (a
        replacement's) is still accepted."""
        self.meter_b1.status = "archived"
        self.assertReadingRefused(
            self.meter_b1, r"the meter is archived\. \[archived_meter\]", value=5
        )
        closing = self._reading(
            self.meter_b1, "2025-03-01 08:00:00", 5, is_closing=True
        )
        self.assertTrue(closing.exists())

    def test_closed_site_takes_no_reading(self):
        self.site_b.state = "closed"
        self.assertReadingRefused(
            self.meter_b1, r"site Site B is closed\. \[closed_site\]", value=5
        )

    def test_register_beyond_the_meter(self):
        """EL-A1 has one register: T2 is refused, naming T2 and the count 1."""
        self.assertReadingRefused(
            self.meter_a1,
            r"field 'Register' T2 exceeds the meter's 1 register\(s\)\. "
            r"\[bad_register\]",
            value=5,
            register="T2",
        )

    def test_reading_before_commissioning(self):
        """EL-A1 was commissioned on 1 January 2025: a reading of 31 December
        2024 is refused, naming that date."""
        self.assertReadingRefused(
            self.meter_a1,
            r"field 'Read At' is before the commissioning date 01/01/2025: .*"
            r"\[before_commissioning\]",
            at="2024-12-31 08:00:00",
            value=5,
        )

    def test_value_at_the_rollover_value(self):
        """HW-A2 rolls over at 100000: 100000 itself is refused, 99999.999 is
        stored."""
        self.assertReadingRefused(
            self.meter_a2,
            r"field 'Value' 100000(\.0)? is not below the rollover value "
            r"100000(\.0)?\. \[above_rollover\]",
            value=100000,
        )
        reading = self._reading(self.meter_a2, "2025-03-01 08:00:00", 99999.999)
        self.assertEqual(reading.value, 99999.999)

    def test_decimals_beyond_the_resource(self):
        """Electricity takes 2 decimals: 10.123 is refused naming 2; 10.12
        is stored."""
        self.assertReadingRefused(
            self.meter_a1,
            r"field 'Value' 10\.123 has more than 2 decimal\(s\)\. "
            r"\[too_many_decimals\]",
            value=10.123,
        )
        self.assertTrue(self._reading(self.meter_a1, "2025-03-01 08:00:00", 10.12))

    def test_integers_only_rule(self):
        """A rule of building A for electricity with 'integers only' refuses
        10.5 with its own message; 10 is stored."""
        self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "integers_only": True,
            }
        )
        self.assertReadingRefused(
            self.meter_a1,
            r"field 'Value' 10\.5 has decimals: only whole numbers are accepted\. "
            r"\[not_integer\]",
            value=10.5,
        )
        self.assertTrue(self._reading(self.meter_a1, "2025-03-01 08:00:00", 10))
