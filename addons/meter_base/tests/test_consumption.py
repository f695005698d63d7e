# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime
from decimal import Decimal

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MeterBaseCommon

D = Decimal
JAN = (datetime(2025, 1, 1), datetime(2025, 2, 1))
FEB = (datetime(2025, 2, 1), datetime(2025, 3, 1))


@tagged("post_install", "-at_install")
class TestConsumption(MeterBaseCommon):
    """meter_base's read path: ``meter.consumption``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Consumption = cls.env["meter.consumption"]

    def test_usage_of_many_meters_and_periods_in_one_query(self):
        """meter A1: 100 on Jan 1, 162 on Feb 1 (real), 190 on Mar 1
        (estimated). January: 162 - 100 = 62; February: 190 - 162 = 28, flagged
        estimated. Meter A2 (rollover 100000): 99990 on Jan 1, 10 on Mar 1 with a
        recorded rollover: 20 over 59 days; at Feb 1 (31 days in) the value is
        99990 + 20 x 31/59 = 100000.5084745... -> wraps to 0.5084745...; January
        is 10.5084745..., February 9.4915254..., together 20."""
        self._reading(self.meter_a1, "2025-01-01 00:00:00", 100)
        self._reading(self.meter_a1, "2025-02-01 00:00:00", 162)
        self._reading(
            self.meter_a1,
            "2025-03-01 00:00:00",
            190,
            state="estimated",
            source="estimate",
        )
        self._reading(self.meter_a2, "2025-01-01 00:00:00", 99990)
        self._reading(self.meter_a2, "2025-03-01 00:00:00", 10, is_rollover=True)
        meters = self.meter_a1 | self.meter_a2
        with self.assertQueryCount(1):
            usages = self.Consumption._usage(meters, [JAN, FEB])
        jan = usages[(self.meter_a1.id, *JAN)].by_register["T1"]
        feb = usages[(self.meter_a1.id, *FEB)].by_register["T1"]
        self.assertEqual((jan.consumption, jan.estimated), (D(62), False))
        self.assertEqual((feb.consumption, feb.estimated), (D(28), True))
        self.assertEqual(
            (jan.start.provenance, feb.end.provenance), ("real", "estimated")
        )
        hot_jan = usages[(self.meter_a2.id, *JAN)].by_register["T1"]
        hot_feb = usages[(self.meter_a2.id, *FEB)].by_register["T1"]
        self.assertEqual(hot_jan.end.provenance, "linear")
        self.assertAlmostEqual(float(hot_jan.consumption), 10.508474576, places=6)
        self.assertEqual(hot_jan.consumption + hot_feb.consumption, D(20))

    def test_degree_day_boundaries(self):
        """Heat meter: 100 on Jan 1, 420 on Mar 1: Jan 170 + Feb 150 = 320
        degree-day per mille; at Feb 1 the value is 100 + 320 x 170/320 = 270, so
        January is 170 (linearly it would be 320 x 31/59 = 168.13...)."""
        self._reading(self.meter_a1, "2025-01-01 00:00:00", 100)
        self._reading(self.meter_a1, "2025-03-01 00:00:00", 420)
        usage = self.Consumption._usage(self.meter_a1, [JAN], method="degree_days")
        jan = usage[(self.meter_a1.id, *JAN)].by_register["T1"]
        self.assertEqual((jan.consumption, jan.end.provenance), (D(170), "degree_days"))

    def test_usage_across_a_replacement(self):
        """Old meter (multiplier 1): 1000 on Jan 31 22:00, closing 1100 on Feb 15
        10:00; new meter: opening 3 then 53 on Feb 28 22:00. Period Feb 1 00:00
        to Feb 28 22:00: the old meter's value at Feb 1 00:00 is
        1000 + 100 x 2 h / 348 h (Jan 31 22:00 .. Feb 15 10:00) = 1000.5747...,
        its part up to its closing reading 1100 - 1000.5747... = 99.4252...;
        the new meter's part from its opening reading is 53 - 3 = 50."""
        old = self.meter_a1
        self._reading(old, "2025-01-31 22:00:00", 1000)
        form = Form(self.env["meter.replace"].with_context(default_meter_id=old.id))
        form.replaced_at = "2025-02-15 10:00:00"
        form.new_name = "EL-A1-NEW"
        with form.line_ids.edit(0) as line:
            line.closing_value = 1100
            line.opening_value = 3
        new = self.env["meter.meter"].browse(form.save().action_replace()["res_id"])
        self._reading(new, "2025-02-28 22:00:00", 53)
        period = (datetime(2025, 2, 1), datetime(2025, 2, 28, 22))
        usages = self.Consumption._usage(old | new, [period])
        old_part = usages[(old.id, *period)].by_register["T1"]
        new_part = usages[(new.id, *period)].by_register["T1"]
        self.assertEqual(old_part.end.provenance, "closing")
        self.assertEqual(new_part.start.provenance, "opening")
        self.assertEqual(new_part.consumption, D(50))
        expected_old = D(1100) - (D(1000) + D(100) * D(2) / D(348))
        self.assertAlmostEqual(float(old_part.consumption), float(expected_old), 9)

    def test_errors_are_reported_per_register(self):
        """No reading before January: the register cannot be valued; a meter
        without any reading says so too."""
        self._reading(self.meter_a1, "2025-01-10 00:00:00", 5)
        self._reading(self.meter_a1, "2025-02-10 00:00:00", 9)
        usages = self.Consumption._usage(self.meter_a1 | self.meter_b1, [JAN])
        self.assertEqual(
            usages[(self.meter_a1.id, *JAN)].errors["T1"].code, "missing_previous"
        )
        self.assertEqual(
            usages[(self.meter_b1.id, *JAN)].errors[None].code, "missing_previous"
        )

    def test_prefetched_usage_settles_a_carried_estimate(self):
        """Read once, value many times: meter A1, 100 on Jan 1 and 162 on Feb
        1. December was billed up to 90 on estimates: January is 162 - 100 =
        62 plus the recalculation (100 - 90) x 1 = 10, i.e. 72; February 1 ..
        15 carries nothing (162 is the last reading: 'missing reading')."""
        self._reading(self.meter_a1, "2025-01-01 00:00:00", 100)
        self._reading(self.meter_a1, "2025-02-01 00:00:00", 162)
        meter = self.meter_a1
        prefetched = self.Consumption._prefetch(meter, {meter.id: JAN})
        half = (FEB[0], datetime(2025, 2, 15))
        with self.assertQueryCount(0):
            usages = self.Consumption._usage(
                meter,
                [JAN, half],
                prefetched=prefetched,
                carried={(meter.id, JAN[0]): {"T1": D(90)}},
            )
        jan = usages[(meter.id, *JAN)].by_register["T1"]
        self.assertEqual((jan.consumption, jan.recalculation), (D(72), D(10)))
        note = self.Consumption._usage_note(meter, "T1", jan)
        self.assertIn("+ recalculation 10", note)
        self.assertIn("billed up to 90 on estimates", note)
        error = usages[(meter.id, *half)].errors["T1"]
        self.assertIn(
            "no reading on or after", self.Consumption._usage_error(meter, "T1", error)
        )

    def test_rollover_above_the_maximum_rate_is_refused(self):
        """Meter A2 (rollover 100000): 99990 on Jan 1, 10 on Mar 1 with a
        recorded rollover: 20 in 1416 h. At most 0.01 per hour the meter counts
        14.16 in that time: the wrap is implausible and the register is not
        valued (RULES.md 5.3); without the limit it is 20."""
        self._reading(self.meter_a2, "2025-01-01 00:00:00", 99990)
        self._reading(self.meter_a2, "2025-03-01 00:00:00", 10, is_rollover=True)
        whole = (JAN[0], FEB[1])
        usage = self.Consumption._usage(self.meter_a2, [whole])
        self.assertEqual(
            usage[(self.meter_a2.id, *whole)].by_register["T1"].consumption, D(20)
        )
        self.meter_a2.max_rate = 0.01
        usage = self.Consumption._usage(self.meter_a2, [whole])
        error = usage[(self.meter_a2.id, *whole)].errors["T1"]
        self.assertEqual(error.code, "rollover_implausible")

    def test_rpc_reads_consumption_as_text(self):
        """100 on Jan 1, 131 on Feb 1: January is 31."""
        first = self._reading(self.meter_a1, "2025-01-01 00:00:00", 100)
        last = self._reading(self.meter_a1, "2025-02-01 00:00:00", 131)
        result = self.Consumption.with_user(self.reader).read_consumption(
            [self.meter_a1.id], [["2025-01-01 00:00:00", "2025-02-01 00:00:00"]]
        )
        self.assertEqual(
            result,
            [
                {
                    "meter_id": self.meter_a1.id,
                    "start": "2025-01-01 00:00:00",
                    "end": "2025-02-01 00:00:00",
                    "register": "T1",
                    "consumption": "31",
                    "estimated": False,
                    "start_value": "100",
                    "start_provenance": "real",
                    "end_value": "131",
                    "end_provenance": "real",
                    "reading_ids": [first.id, last.id],
                }
            ],
        )

    def test_a_user_reads_only_the_meters_of_their_sites(self):
        self._reading(self.meter_b1, "2025-01-01 00:00:00", 1)
        with self.assertRaises(AccessError):
            self.Consumption.with_user(self.reader).read_consumption(
                [self.meter_b1.id], [["2025-01-01 00:00:00", "2025-02-01 00:00:00"]]
            )

    def test_small_questions(self):
        """Last values (all live / real only), chains before an instant, closing
        meters and stored totals of a window."""
        self._reading(self.meter_a1, "2025-01-01 00:00:00", 100)
        self._reading(self.meter_a1, "2025-02-01 00:00:00", 130)
        self._reading(
            self.meter_a1,
            "2025-03-01 00:00:00",
            150,
            state="estimated",
            source="estimate",
        )
        meters = self.meter_a1 | self.meter_a2
        C = self.Consumption
        self.assertEqual(C._last_values(meters), {(self.meter_a1.id, "T1"): D(150)})
        self.assertEqual(
            C._last_values(meters, real_only=True), {(self.meter_a1.id, "T1"): D(130)}
        )
        self.assertEqual(
            C._last_values(meters, before=datetime(2025, 2, 1)),
            {(self.meter_a1.id, "T1"): D(100)},
        )
        self.assertEqual(
            C._chains_before(meters, datetime(2025, 1, 2)), {(self.meter_a1.id, "T1")}
        )
        self.assertFalse(C._chains_before(meters, datetime(2025, 1, 1)))
        self.assertFalse(C._closing_meters(meters))
        # February's readings: 130 - 100 = 30 (the estimate of March 1 is out)
        self.assertEqual(
            C._totals(meters, datetime(2025, 1, 15), datetime(2025, 3, 1)),
            {self.meter_a1.id: D(30)},
        )
        chains = C._chains(meters, since=datetime(2025, 2, 1))
        self.assertEqual(
            [
                (r.value, r.consumption, r.estimated)
                for r in chains[(self.meter_a1.id, "T1")]
            ],
            [(D(130), D(30), False), (D(150), D(20), True)],
        )

    def test_registers_valued_apart_over_each_meters_own_periods(self):
        """Meter A1 with two registers over January: T1 10 -> 40 (30), T2 5 ->
        7 (2), both times the multiplier 3: 90 and 6. Meter B1 over its own
        period, February: 0 -> 12."""
        self.meter_a1.write({"register_count": 2, "multiplier": 3})
        for at, t1, t2 in (("2025-01-01", 10, 5), ("2025-02-01", 40, 7)):
            self._reading(self.meter_a1, f"{at} 00:00:00", t1)
            self._reading(self.meter_a1, f"{at} 00:00:00", t2, register="T2")
        self._reading(self.meter_b1, "2025-02-01 00:00:00", 0)
        self._reading(self.meter_b1, "2025-03-01 00:00:00", 12)
        usages = self.Consumption._usage(
            self.meter_a1 | self.meter_b1,
            {self.meter_a1.id: [JAN], self.meter_b1.id: [FEB]},
        )
        a1 = usages[(self.meter_a1.id, *JAN)]
        self.assertEqual(
            {reg: u.consumption for reg, u in a1.by_register.items()},
            {"T1": D(90), "T2": D(6)},
        )
        self.assertEqual(a1.consumption, D(96))
        self.assertEqual(usages[(self.meter_b1.id, *FEB)].consumption, D(12))
        self.assertNotIn((self.meter_b1.id, *JAN), usages)

    def test_superseded_readings_are_ignored(self):
        """A reading corrected from 55 to 52 is superseded: the live chain 50,
        52, 60 gives 60 - 50 = 10 for January, and the superseded reading is
        not among the readings used."""
        self.electricity.anomaly_factor = 0  # arbitrary counters, not a spike test
        self._reading(self.meter_a1, "2025-01-01 00:00:00", 50)
        wrong = self._reading(self.meter_a1, "2025-01-20 00:00:00", 55)
        wrong._correct(52, "typo")
        self._reading(self.meter_a1, "2025-02-01 00:00:00", 60)
        usage = self.Consumption._usage(self.meter_a1, [JAN])[(self.meter_a1.id, *JAN)]
        self.assertEqual(usage.consumption, D(10))
        self.assertNotIn(wrong.id, usage.by_register["T1"].readings)

    def test_unknown_method_is_refused(self):
        with self.assertRaises(UserError):
            self.Consumption._usage(self.meter_a1, [JAN], method="cubic")
