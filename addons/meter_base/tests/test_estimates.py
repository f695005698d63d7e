# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestEstimates(MeterBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site_a.tz = "UTC"
        # 186 kWh from January to July 2025: 31 a month on average
        cls.env["meter.reading"].create(
            [
                {
                    "meter_id": cls.meter_a1.id,
                    "read_at": f"2025-{month:02d}-01 00:00:00",
                    "value": value,
                }
                for month, value in (
                    (1, 995),
                    (2, 1031),
                    (3, 1059),
                    (4, 1090),
                    (5, 1120),
                    (6, 1151),
                    (7, 1181),
                )
            ]
        )

    def _persons(self, persons, unit=None):
        self.env["meter.unit.basis"].create(
            {
                "unit_id": (unit or self.unit_a1).id,
                "kind": "persons",
                "value": persons,
                "date_from": "2025-01-01",
            }
        )

    def _estimate(self, method, date_to, meters=None, **vals):
        wizard = Form(
            self.env["meter.reading.estimate"].with_context(
                active_model="meter.meter",
                active_ids=(meters or self.meter_a1).ids,
            )
        )
        wizard.method = method
        wizard.date_to = date_to
        for field, value in vals.items():
            setattr(wizard, field, value)
        record = wizard.save()
        record.action_estimate()
        return record

    def test_average_then_norm(self):
        self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "estimate_months": 6,
                "estimate_max_periods": 2,
                "norm_monthly": 24.64,
            }
        )
        self._persons(2)
        wizard = self._estimate("average", date(2025, 11, 15))
        estimates = wizard.estimate_ids.sorted("read_at")
        self.assertEqual(
            estimates.mapped("read_at"),
            [datetime(2025, m, 1) for m in (8, 9, 10, 11)],
        )
        self.assertEqual(set(estimates.mapped("state")), {"estimated"})
        self.assertEqual(set(estimates.mapped("source")), {"estimate"})
        self.assertEqual(
            estimates.mapped("note"),
            ["Estimate (average)"] * 2 + ["Estimate (norm)"] * 2,
        )
        # 186 kWh over 6 months: 31 a month, in July and August alike
        self.assertEqual(estimates[0].consumption, 31)
        self.assertEqual(estimates[1].consumption, 31)
        # then the norm, 24.64 per person x 2 persons = 49.28 a month, whatever
        # the month's days (September has 30)
        self.assertAlmostEqual(estimates[2].consumption, 49.28, places=2)
        self.assertIn("4 estimated reading(s) stored.", wizard.report)

    def test_no_history_and_no_norm_is_refused(self):
        with self.assertRaisesRegex(UserError, "EL-B1 T1: no estimate"):
            self._reading(self.meter_b1, "2025-07-01 00:00:00", 5)
            self._estimate("average", date(2025, 9, 1), meters=self.meter_b1)

    def test_real_reading_supersedes_the_estimate(self):
        wizard = self._estimate("average", date(2025, 9, 15))
        july, august = wizard.estimate_ids.sorted("read_at")  # at Aug 1, Sep 1
        real = self._reading(self.meter_a1, "2025-08-03 08:00:00", 1214)
        self.assertEqual(august.state, "superseded", "the month of the reading")
        self.assertEqual(august.superseded_by_id, real)
        self.assertEqual(july.state, "estimated", "another month, consistent: kept")
        # a real reading at the estimate's instant through the bulk path
        self.env["meter.reading"]._bulk_ingest(
            [(self.meter_a1.id, "T1", "2025-08-01 00:00:00", 1210)]
        )
        self.assertEqual(july.state, "superseded")
        self.assertEqual(july.superseded_by_id.value, 1210)
        self.assertEqual(july.superseded_by_id.source, "import")

    def test_reader_reading_supersedes_the_estimate(self):
        """Readers may create readings but not write them: their real reading
        still replaces the estimate of its month, in both paths."""
        wizard = self._estimate("average", date(2025, 9, 15))
        july, august = wizard.estimate_ids.sorted("read_at")  # at Aug 1, Sep 1
        as_reader = self.env["meter.reading"].with_user(self.reader)
        real = as_reader.create(
            {
                "meter_id": self.meter_a1.id,
                "read_at": "2025-08-03 08:00:00",
                "value": 1214,
            }
        )
        self.assertEqual(august.state, "superseded")
        self.assertEqual(august.superseded_by_id, real)
        as_reader._bulk_ingest([(self.meter_a1.id, "T1", "2025-08-01 00:00:00", 1210)])
        self.assertEqual(july.state, "superseded")
        self.assertEqual(july.superseded_by_id.value, 1210)
        with self.assertRaises(AccessError):
            august.with_user(self.reader).write({"state": "estimated"})

    def test_contradicted_estimates_are_superseded(self):
        # Arbitrary values: no unusual-consumption check (resource factor 0).
        self.env["meter.resource"].search([]).anomaly_factor = 0
        wizard = self._estimate("average", date(2025, 10, 15))
        estimates = wizard.estimate_ids.sorted("read_at")  # Aug 1, Sep 1, Oct 1
        # above every estimate: the later ones would make the counter go down
        self._reading(self.meter_a1, "2025-07-20 00:00:00", 1300)
        self.assertEqual(set(estimates.mapped("state")), {"superseded"})

    def test_bulk_refusal_restores_the_estimate(self):
        wizard = self._estimate("average", date(2025, 8, 15))
        self.site_a.state = "closed"
        with self.assertRefused(Exception, "closed_site"):
            self.env["meter.reading"]._bulk_ingest(
                [(self.meter_a1.id, "T1", "2025-08-01 00:00:00", 1210)]
            )
        self.assertEqual(wizard.estimate_ids.state, "estimated")
        self.assertFalse(wizard.estimate_ids.superseded_by_id)

    def test_last_year(self):
        self._reading(self.meter_a1, "2026-07-01 00:00:00", 1600)
        wizard = self._estimate("last_year", date(2026, 8, 1))
        # July 2025 is inside a 365-day interval of 419 kWh
        self.assertAlmostEqual(wizard.estimate_ids.consumption, 419 * 31 / 365, 2)

    def test_degree_days_fill_a_gap(self):
        heat = self.env["meter.meter"].create(
            {"name": "HEAT-A1", "unit_id": self.unit_a1.id, "resource_id": self.heat.id}
        )
        self._reading(heat, "2025-01-01 00:00:00", 0)
        self._reading(heat, "2025-04-01 00:00:00", 450)
        wizard = self._estimate("degree_days", date(2025, 12, 31), meters=heat)
        self.assertEqual(
            wizard.estimate_ids.sorted("read_at").mapped("value"), [170.0, 320.0]
        )
        self.assertEqual(
            heat.reading_ids.filtered(
                lambda r: r.read_at == datetime(2025, 4, 1)
            ).consumption,
            130.0,
        )

    def test_access(self):
        with self.assertRaises(AccessError):
            self.env["meter.reading.estimate"].with_user(self.reader).create(
                {"meter_ids": [(6, 0, self.meter_a1.ids)], "method": "average"}
            )
        wizard = (
            self.env["meter.reading.estimate"]
            .with_user(self.technician)
            .create(
                {
                    "meter_ids": [(6, 0, self.meter_a1.ids)],
                    "method": "average",
                    "date_to": "2025-08-15",
                }
            )
        )
        wizard.action_estimate()
        self.assertEqual(len(wizard.estimate_ids), 1)

    def test_nightly_estimates(self):
        rule = self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "estimate_auto": True,
                "estimate_max_periods": 1,
                "norm_monthly": 50,
            }
        )
        self._persons(1)
        heat = self.env["meter.meter"].create(
            {"name": "HEAT-A1", "unit_id": self.unit_a1.id, "resource_id": self.heat.id}
        )
        self._reading(heat, "2025-01-01 00:00:00", 0)
        Estimate = self.env["meter.reading.estimate"].with_context(tz="UTC")
        with (
            patch.object(
                self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
            ),
            freeze_time("2025-09-10"),
        ):
            Estimate._cron_estimate_missing()
        estimates = self.meter_a1.reading_ids.filtered(
            lambda r: r.state == "estimated"
        ).sorted("read_at")
        # July and August ended without a reading: one period of average,
        # then the norm
        self.assertEqual(
            estimates.mapped("read_at"), [datetime(2025, 8, 1), datetime(2025, 9, 1)]
        )
        self.assertEqual(
            estimates.mapped("note"), ["Estimate (average)", "Estimate (norm)"]
        )
        self.assertFalse(
            heat.reading_ids.filtered(lambda r: r.state == "estimated"),
            "no rule asking for estimates",
        )
        # the next night, nothing more; and the norm continues later
        with (
            patch.object(
                self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
            ),
            freeze_time("2025-10-02"),
        ):
            Estimate._cron_estimate_missing()
        october = self.meter_a1.reading_ids.filtered(
            lambda r: r.state == "estimated" and r.read_at == datetime(2025, 10, 1)
        )
        self.assertEqual(october.note, "Estimate (norm)")
        self.assertTrue(rule.estimate_auto)

    def test_average_is_the_same_monthly_volume(self):
        """RULES 3.2 (RU п. 59(б), п. 60). History January-July 2025: 1181 -
        995 = 186 kWh over 6 whole months = 31 a month. Each missing month gets
        31, whatever its days: July (estimate at Aug 1) 31, August 31, September
        (30 days) 31, not the daily rate 186/181 x 30 days = 30.83. Then the norm
        per registered person: 20 x 3 persons (the occupancy's) = 60 for
        October, not 20 x 31/30.436875 = 20.37."""
        self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "estimate_months": 6,
                "estimate_max_periods": 3,
                "norm_monthly": 20,
            }
        )
        self._persons(1)  # the occupancy's persons come first
        self.env["meter.occupancy"].create(
            {
                "unit_id": self.unit_a1.id,
                "partner_id": self.env["res.partner"].create({"name": "T"}).id,
                "role": "tenant",
                "date_start": "2025-01-01",
                "persons": 3,
            }
        )
        wizard = self._estimate("average", date(2025, 10, 31))
        estimates = wizard.estimate_ids.sorted("read_at")
        self.assertEqual(estimates.mapped("consumption"), [31.0, 31.0, 31.0, 60.0])
        self.assertEqual(estimates.mapped("value"), [1212.0, 1243.0, 1274.0, 1334.0])

    def test_three_months_of_history_at_least(self):
        """A meter read for 2 months only (10 kWh): no average (п. 59 needs 3
        months), the norm 15 x 2 persons = 30 at once."""
        self.env["meter.rule"].create(
            {
                "building_id": self.building_b.id,
                "resource_id": self.electricity.id,
                "norm_monthly": 15,
            }
        )
        self._persons(2, self.unit_b1)
        self._reading(self.meter_b1, "2025-05-01 00:00:00", 0)
        self._reading(self.meter_b1, "2025-07-01 00:00:00", 10)
        wizard = self._estimate("average", date(2025, 7, 31), meters=self.meter_b1)
        self.assertEqual(wizard.estimate_ids.consumption, 30.0)
        self.assertEqual(wizard.estimate_ids.note, "Estimate (norm)")

    def test_norm_without_persons_says_so(self):
        """The norm is per registered person: without persons nothing can be
        estimated past the average, and the wizard says why."""
        self.env["meter.rule"].create(
            {
                "building_id": self.building_b.id,
                "resource_id": self.electricity.id,
                "norm_monthly": 15,
            }
        )
        self._reading(self.meter_b1, "2025-07-01 00:00:00", 10)
        with self.assertRaisesRegex(UserError, "no persons"):
            self._estimate("average", date(2025, 7, 31), meters=self.meter_b1)

    def test_degree_days_say_why_nothing_is_stored(self):
        """Degree-day interpolation fills months between two real readings
        only; after the last real reading it stores nothing, and says why."""
        heat = self.env["meter.meter"].create(
            {"name": "HEAT-A1", "unit_id": self.unit_a1.id, "resource_id": self.heat.id}
        )
        self._reading(heat, "2025-01-01 00:00:00", 0)
        with self.assertRaisesRegex(UserError, "need the next real reading"):
            self._estimate("degree_days", date(2025, 3, 31), meters=heat)
        self._reading(heat, "2025-02-01 00:00:00", 170)
        with self.assertRaisesRegex(UserError, "no month is missing"):
            self._estimate("degree_days", date(2025, 1, 31), meters=heat)
        self.assertFalse(heat.reading_ids.filtered(lambda r: r.state == "estimated"))
