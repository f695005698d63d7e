# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestTariffConstraints(MeterBillingCommon):
    """A tariff, a calendar or a billing point that could not be billed is
    refused when it is entered, with a message naming the record."""

    def _component(self, **vals):
        return self.env["meter.tariff.component"].create(
            {
                "version_id": self.tiered.version_ids.id,
                "product_id": self.product_energy.id,
                **vals,
            }
        )

    def test_solar_part_only_on_energy(self):
        """Only an energy (or per-kWh session) component prices a solar or
        grid part."""
        with (
            self.assertRaisesRegex(
                ValidationError,
                "Component Solar fee prices a solar or grid part: only an energy",
            ),
            self.env.cr.savepoint(),
        ):
            self._component(
                name="Solar fee", component_type="fixed", price=5.0, part="solar"
            )
        energy = self._component(
            name="Solar energy", component_type="energy", price=0.2, part="solar"
        )
        self.assertEqual(energy.part, "solar")

    def test_time_of_use_component_needs_its_band(self):
        with (
            self.assertRaisesRegex(
                ValidationError,
                "Component Shoulder prices a time-of-use band: set its band",
            ),
            self.env.cr.savepoint(),
        ):
            self._component(name="Shoulder", component_type="tou_energy", price=0.2)

    def test_tiered_component_needs_a_block(self):
        with (
            self.assertRaisesRegex(
                ValidationError, "Tiered component Blocks needs at least one block"
            ),
            self.env.cr.savepoint(),
        ):
            self._component(name="Blocks", component_type="tiered")
        self.assertEqual(len(self.tiered.version_ids.component_ids), 2)

    def test_one_version_per_start_date(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["meter.tariff.version"].create(
                {"tariff_id": self.tiered.id, "date_from": "2025-01-01"}
            )
            self.env.flush_all()

    def test_versions_in_force_over_a_period(self):
        """Versions from 2025-01-01 and 2026-01-16 (a price change inside
        January 2026) and one from 2026-03-01: January uses the first two,
        February the second only, December 2025 the first only."""
        version_2 = self.env["meter.tariff.version"].create(
            {"tariff_id": self.tiered.id, "date_from": "2026-01-16"}
        )
        version_3 = self.env["meter.tariff.version"].create(
            {"tariff_id": self.tiered.id, "date_from": "2026-03-01"}
        )
        version_1 = self.tiered.version_ids - version_2 - version_3
        self.assertEqual(
            self.tiered._versions_for(date(2026, 1, 1), date(2026, 1, 31)),
            version_1 | version_2,
        )
        self.assertEqual(
            self.tiered._versions_for(date(2026, 2, 1), date(2026, 2, 28)),
            version_2,
        )
        self.assertEqual(
            self.tiered._versions_for(date(2025, 12, 1), date(2025, 12, 31)),
            version_1,
        )
        self.assertEqual(version_2.name, "Residential tiered (2026-01-16)")

    def test_switch_point_is_a_time_of_day(self):
        peak = self.calendar.band_ids.filtered(lambda b: b.code == "peak")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["meter.tou.switch"].create(
                {
                    "calendar_id": self.calendar.id,
                    "season_id": self.calendar.season_ids.id,
                    "day_type": "holiday",
                    "hour_from": 24.0,
                    "band_id": peak.id,
                }
            )
            self.env.flush_all()

    def test_calendar_to_meterkit(self):
        """The fixture calendar: weekdays valley from 00:00, peak from 08:00,
        valley from 22:00; weekends valley all day; bands peak, valley."""
        calendar = self.calendar._to_meterkit()
        self.assertEqual(calendar.bands, ("peak", "valley"))
        self.assertEqual(calendar.tz, "UTC")
        (season,) = calendar.seasons
        weekday = [
            (slot.start.strftime("%H:%M"), slot.band)
            for slot in season.day_tables["weekday"]
        ]
        self.assertEqual(
            weekday, [("00:00", "valley"), ("08:00", "peak"), ("22:00", "valley")]
        )
        self.assertEqual(
            [slot.band for slot in season.day_tables["weekend"]], ["valley"]
        )

    def test_meter_of_another_unit(self):
        """A billing point bills the meters of its own unit only."""
        with (
            self.assertRaisesRegex(ValidationError, "meter EL-B1 is not in unit"),
            self.env.cr.savepoint(),
        ):
            self.point_a1.meter_ids = [Command.link(self.meter_b1.id)]
        self.assertEqual(self.point_a1.meter_ids, self.meter_a1)

    def test_two_tariffs_on_the_same_day(self):
        """A1 has the tiered tariff from 2025-01-01 with no end: a time-of-use
        tariff from 2026-01-01 overlaps it; ending the first on 2025-12-31
        makes room for it."""
        Line = self.env["meter.billing.point.tariff"]
        with (
            self.assertRaisesRegex(
                ValidationError,
                "has two tariffs on the same day \\(Time of use and Residential "
                "tiered\\)",
            ),
            self.env.cr.savepoint(),
        ):
            Line.create(
                {
                    "billing_point_id": self.point_a1.id,
                    "tariff_id": self.tou.id,
                    "date_from": "2026-01-01",
                }
            )
        self.point_a1.tariff_line_ids.date_to = "2025-12-31"
        Line.create(
            {
                "billing_point_id": self.point_a1.id,
                "tariff_id": self.tou.id,
                "date_from": "2026-01-01",
            }
        )
        self.assertEqual(len(self.point_a1.tariff_line_ids), 2)

    def test_tariff_assignment_ends_after_it_starts(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.point_b1.tariff_line_ids.date_to = "2024-12-31"
            self.env.flush_all()
