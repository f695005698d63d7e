# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestReadingEntry(MeterBaseCommon):
    """A meter reader enters readings from the list (a new reading finds the
    meters of the company), from a meter, and in a building's batch form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meter_a1.commissioning_date = False
        cls.env["meter.reading"].create(
            [
                {"meter_id": cls.meter_a1.id, "read_at": at, "value": value}
                for at, value in (
                    ("2025-01-01 00:00:00", 0),
                    ("2025-02-01 00:00:00", 310),
                    ("2025-03-01 00:00:00", 590),
                    ("2025-04-01 00:00:00", 900),
                )
            ]
        )

    def test_new_reading_offers_the_company_meters(self):
        """The Meter field of a new reading (no meter yet) searches the meters
        of the current company, not only meters without a company (none)."""
        Reading = self.env["meter.reading"].with_user(self.reader)
        new = Reading.new({})
        self.assertEqual(new.company_id, self.env.company)
        domain = safe_eval(
            Reading._fields["meter_id"]._description_domain(Reading.env),
            {"company_id": new.company_id.id},
        )
        found = self.env["meter.meter"].with_user(self.reader).search(domain)
        self.assertEqual(found, self.meter_a1 | self.meter_a2)

    def test_reader_saves_from_the_form_with_a_confirmation(self):
        with Form(self.env["meter.reading"].with_user(self.reader)) as form:
            form.meter_id = self.meter_a2
            form.read_at = "2025-04-02 10:00:00"
            form.value = 12.5
        reading = form.record
        action = reading.action_confirm_entry()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("HW-A2", action["params"]["message"])
        self.assertEqual(reading.author_id, self.reader)
        meter_action = self.meter_a2.with_user(self.reader).action_new_reading()
        self.assertEqual(meter_action["target"], "new")
        self.assertEqual(
            meter_action["context"], {"default_meter_id": self.meter_a2.id}
        )

    def test_batch_form_of_a_building(self):
        """One line per meter of building A with its previous value; the
        filled lines are stored by the reader, an unusual consumption only
        once confirmed on its line.

        EL-A1: 310, 280, 310 kWh in the 90 days before 2025-04-01, i.e.
        900 / 90 x 30.436875 = 304.37 kWh a month; 7,856 kWh in two days
        is 7856 / (304.368750 x 2 / 30.436875 = 20) = 392.8 times that.
        """
        self.electricity.anomaly_factor = 3
        Batch = self.env["meter.reading.batch"].with_user(self.reader)
        batch = Batch.create(
            {"building_id": self.building_a.id, "read_at": "2025-04-03 00:00:00"}
        )
        self.assertEqual(
            [(line.meter_id, line.previous_value) for line in batch.line_ids],
            [(self.meter_a1, 900.0), (self.meter_a2, 0.0)],
        )
        line_el, line_hw = batch.line_ids
        line_el.value = 8756
        line_hw.value = 3.5
        action = batch.action_save()
        self.assertEqual(action["res_id"], batch.id)
        self.assertIn("392.8 times", batch.message)
        self.assertFalse(
            self.env["meter.reading"].search([("read_at", "=", "2025-04-03 00:00:00")])
        )
        line_el.confirm_anomaly = True
        action = batch.action_save()
        self.assertIn("2 reading(s)", action["params"]["message"])
        readings = self.env["meter.reading"].search(
            [("read_at", "=", "2025-04-03 00:00:00")]
        )
        self.assertRecordValues(
            readings.sorted("meter_id"),
            [
                {"meter_id": self.meter_a1.id, "consumption": 7856.0},
                {"meter_id": self.meter_a2.id, "consumption": 0.0},
            ],
        )
        self.assertEqual(readings.author_id, self.reader)
        self.assertEqual(
            readings.filtered("anomaly_code").anomaly_confirmed_by_id, self.reader
        )


@tagged("post_install", "-at_install")
class TestPlausibilityDefaults(MeterBaseCommon):
    """Without a reading rule, the resource's factor checks the consumption."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.heat_meter = cls.env["meter.meter"].create(
            {"name": "HEAT-B1", "unit_id": cls.unit_b1.id, "resource_id": cls.heat.id}
        )
        for at, value in (
            ("2025-01-01 00:00:00", 0),
            ("2025-02-01 00:00:00", 310),
            ("2025-03-01 00:00:00", 590),
            ("2025-04-01 00:00:00", 900),
        ):
            cls._reading(cls, cls.heat_meter, at, value)

    def test_resource_default_factor(self):
        resource = self.env["meter.resource"].create(
            {"name": "Steam", "code": "steam", "uom_id": self.heat.uom_id.id}
        )
        self.assertEqual(resource.anomaly_factor, 3.0)

    def test_heat_jump_without_rule_needs_a_confirmation(self):
        """900 kWh over Jan-Mar (90 days): 304.37 kWh a month; two days are
        worth 304.36875 x 2 / 30.436875 = 20.00 kWh; 7,856 kWh is 392.8 times
        that, above the heat default 3. The times are the user's local times
        (Europe/Zurich, English format): 2025-04-01 00:00 UTC is 02:00 CEST,
        2025-01-01 00:00 UTC is 01:00 CET."""
        self.heat.anomaly_factor = 3
        self.env.user.tz = "Europe/Zurich"
        self.assertFalse(self.heat_meter.effective_rule_id)
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self._reading(self.heat_meter, "2025-04-03 00:00:00", 8756)
        message = str(caught.exception)
        for part in (
            "consumption 7856",
            "in 2.0 days since the previous reading (04/01/2025 02:00:00 AM)",
            "(01/01/2025 01:00:00 AM to 04/01/2025 02:00:00 AM) is 304.37",
            "i.e. 20.00",
            "392.8 times",
            "factor 3 of the default of Heat",
        ):
            self.assertIn(part, message)
        reading = self._reading(
            self.heat_meter, "2025-04-03 00:00:00", 8756, confirm_anomaly=True
        )
        self.assertEqual(reading.anomaly_code, "consumption_spike")

    def test_rule_overrides_the_resource_default(self):
        """A rule's factor 500 lets the 392.8-fold consumption through."""
        self.heat.anomaly_factor = 3
        self.env["meter.rule"].create(
            {
                "building_id": self.building_b.id,
                "resource_id": self.heat.id,
                "anomaly_factor": 500,
            }
        )
        self.env.invalidate_all()
        reading = self._reading(self.heat_meter, "2025-04-03 00:00:00", 8756)
        self.assertFalse(reading.anomaly_code)


@tagged("post_install", "-at_install")
class TestVerificationShown(MeterBaseCommon):
    @freeze_time("2026-03-10")
    def test_expired_verification_said_where_readings_are_entered(self):
        self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.hot_water.id,
                "accept_expired_verification": False,
            }
        )
        self.meter_a2.next_verification_date = "2026-02-28"
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
        ):
            self.env["meter.meter"]._cron_check_verification()
        self.assertEqual(self.meter_a2.status, "verification")
        message = self.meter_a2.verification_message
        self.assertIn("02/28/2026", message)  # the user's (English) date format
        self.assertIn("refused", message)
        self.assertIn("technician", message)
        batch = self.env["meter.reading.batch"].create(
            {"building_id": self.building_a.id}
        )
        line = batch.line_ids.filtered(lambda line: line.meter_id == self.meter_a2)
        self.assertEqual(line.verification_message, message)
        with self.assertRefused(ValidationError, "Ask a technician"):
            self._reading(self.meter_a2, "2026-03-09 10:00:00", 5)
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self._reading(self.meter_a2, "2026-03-09 10:00:00", 5)
        refusal = str(caught.exception)
        self.assertIn("expired on 02/28/2026", refusal)
        self.assertIn("'Replace Meter'", refusal)
        self.assertFalse(self.meter_a1.verification_message)

    def test_meter_filters_and_list_dates(self):
        """'In Service' and 'Verification overdue' are in separate filter
        groups (AND); list dates are shown with their year."""
        arch = etree.fromstring(
            self.env["meter.meter"].get_view(view_type="search")["arch"]
        )
        children = list(arch)
        names = [node.get("name") for node in children]
        active = names.index("filter_active")
        overdue = names.index("filter_verification_overdue")
        self.assertIn("separator", [node.tag for node in children[active:overdue]])
        for model, field in (
            ("meter.meter", "next_verification_date"),
            ("meter.reading", "read_at"),
        ):
            arch = etree.fromstring(self.env[model].get_view(view_type="list")["arch"])
            node = arch.find(f".//field[@name='{field}']")
            self.assertIn("'numeric': true", node.get("options"))


@tagged("post_install", "-at_install")
class TestConsumptionAnalysis(MeterBaseCommon):
    def test_unit_totals_per_resource_without_main_meters(self):
        """Unit meters only, per resource: EL-A1 10 kWh; HW-A2 2 m3; the main
        meter's 50 kWh is left out."""
        main = self._main_meter_above(self.meter_a1)
        for meter, first, second in (
            (self.meter_a1, 100, 110),
            (self.meter_a2, 5, 7),
            (main, 1000, 1050),
        ):
            self._reading(meter, "2025-01-31 23:00:00", first)
            self._reading(meter, "2025-02-28 23:00:00", second)
        action = self.env.ref("meter_base.meter_reading_analysis_action")
        context = safe_eval(action.context)
        self.assertTrue(context["search_default_filter_unit_meters"])
        arch = etree.fromstring(
            self.env["meter.reading"].get_view(view_type="search")["arch"]
        )
        node = arch.find(".//filter[@name='filter_unit_meters']")
        groups = self.env["meter.reading"]._read_group(
            safe_eval(node.get("domain")), ["resource_id"], ["consumption:sum"]
        )
        self.assertEqual(dict(groups), {self.electricity: 10.0, self.hot_water: 2.0})
        graph = etree.fromstring(
            self.env["meter.reading"].get_view(view_type="graph")["arch"]
        )
        self.assertEqual(graph.get("stacked"), "0")
        pivot = etree.fromstring(
            self.env["meter.reading"].get_view(view_type="pivot")["arch"]
        )
        self.assertEqual(pivot.find("field[@type='row']").get("name"), "resource_id")


@tagged("post_install", "-at_install")
class TestDemoGenerator(MeterBaseCommon):
    @freeze_time("2026-04-15")
    def test_readings_at_local_month_ends_and_nightly_check(self):
        """Demo readings sit at local midnight starting each month (Zurich:
        23:00 UTC in winter, 22:00 UTC once summer time began on 2026-03-29),
        so March has its own consumption; the nightly check ran once."""
        self.site_b.tz = "Europe/Zurich"
        self.meter_b1.write(
            {"verification_interval_years": 5, "last_verification_date": "2021-03-01"}
        )
        self.env["meter.meter"]._demo_generate_readings([self.site_b.id], 2)
        self.assertEqual(
            self.meter_b1.reading_ids.sorted("read_at").mapped("read_at"),
            [
                datetime(2026, 1, 31, 23, 0),
                datetime(2026, 2, 28, 23, 0),
                datetime(2026, 3, 31, 22, 0),
            ],
        )
        self.env["meter.meter"]._demo_run_nightly_checks()
        self.assertEqual(self.meter_b1.status, "verification")
        self.assertEqual(self.meter_a1.status, "active")


@tagged("post_install", "-at_install")
class TestRefusalsSayWhatNext(MeterBaseCommon):
    @freeze_time("2025-08-01")
    def test_window_closed_says_when_it_opens_again(self):
        """Window 15-25 in Zurich: 22:30 UTC on 25 July is 26 July locally,
        outside it; the window opens again on 15 August until 25 August,
        dates in the reader's (English) format."""
        self.site_a.tz = "Europe/Zurich"
        self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "window_first_day": 15,
                "window_last_day": 25,
            }
        )
        Reading = self.env["meter.reading"].with_user(self.reader)
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            Reading.create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-07-25 22:30:00",
                    "value": 10,
                }
            )
        message = str(caught.exception)
        for part in (
            "(07/26/2025) is outside the submission window",
            "day 15 to day 25 of each month",
            "opens again on 08/15/2025 (until 08/25/2025)",
            "ask a colleague allowed to enter readings outside the window",
        ):
            self.assertIn(part, message)
