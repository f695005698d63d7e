# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta
from decimal import Decimal

from meterkit import TouCalendar, TouSeason

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MeterBaseCommon

D = Decimal
Q = timedelta(minutes=15)
# Thursday 1 January 2026, UTC; "day" 06:00-18:00, "night" otherwise (UTC)
T0 = datetime(2026, 1, 1)
DAY_NIGHT = TouCalendar(
    seasons=(
        TouSeason(
            "year",
            (1, 1),
            {
                "weekday": ((time(0), "night"), (time(6), "day"), (time(18), "night")),
                "weekend": ((time(0), "night"),),
            },
        ),
    ),
    bands=("day", "night"),
    tz="UTC",
)


@tagged("post_install", "-at_install")
class TestConsumptionIntervals(MeterBaseCommon):
    """The batched interval reads of ``meter.consumption``: many meters and
    periods in one call, the same figures as summing the rows by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meter_a1.register_count = 2
        cls.reads = cls.env["meter.consumption"]
        rows = []
        # a1: 1 kWh (T1) every quarter-hour of 1 and 2 January + 0.5 kWh (T2)
        # in the first hour of 1 January; a2: 2 kWh every quarter-hour of
        # 1 January only
        for k in range(2 * 96):
            rows.append((cls.meter_a1.id, "T1", T0 + k * Q, "1"))
        for k in range(4):
            rows.append((cls.meter_a1.id, "T2", T0 + k * Q, "0.5"))
        for k in range(96):
            rows.append((cls.meter_a2.id, "T1", T0 + k * Q, "2"))
        cls.env["meter.interval"]._bulk_load(rows)
        cls.meters = cls.meter_a1 | cls.meter_a2
        cls.day1 = (T0, T0 + timedelta(days=1))
        cls.day2 = (T0 + timedelta(days=1), T0 + timedelta(days=2))

    def test_totals_of_many_meters_and_periods(self):
        """a1 day 1: 96 x 1 + 4 x 0.5 = 98; a1 day 2: 96; a2 day 1: 96 x 2 =
        192; a2 day 2: no data = 0. Only T1: a1 day 1 = 96."""
        totals = self.reads._interval_totals(self.meters, [self.day1, self.day2])
        a1, a2 = self.meter_a1.id, self.meter_a2.id
        self.assertEqual(
            totals,
            {
                (a1, *self.day1): D(98),
                (a1, *self.day2): D(96),
                (a2, *self.day1): D(192),
                (a2, *self.day2): D(0),
            },
        )
        only_t1 = self.reads._interval_totals(self.meter_a1, [self.day1], ["T1"])
        self.assertEqual(only_t1, {(a1, *self.day1): D(96)})
        # periods per meter
        per_meter = self.reads._interval_totals(
            self.meters, {a1: [self.day2], a2: [self.day1]}
        )
        self.assertEqual(per_meter, {(a1, *self.day2): D(96), (a2, *self.day1): D(192)})

    def test_bands_with_a_plain_calendar(self):
        """Day band 06:00-18:00 = 48 quarter-hours. a1 day 1: day 48 x 1 =
        48, night 48 x 1 + 2 (T2 at 00:00-01:00) = 50; a1 day 2 (Friday): 48 /
        48; a2 day 1: day 96, night 96; a2 day 2: zeros."""
        bands = self.reads._interval_bands(
            self.meters, [self.day1, self.day2], DAY_NIGHT
        )
        a1, a2 = self.meter_a1.id, self.meter_a2.id
        self.assertEqual(bands[(a1, *self.day1)], {"day": D(48), "night": D(50)})
        self.assertEqual(bands[(a1, *self.day2)], {"day": D(48), "night": D(48)})
        self.assertEqual(bands[(a2, *self.day1)], {"day": D(96), "night": D(96)})
        self.assertEqual(bands[(a2, *self.day2)], {"day": D(0), "night": D(0)})

    def test_peaks_per_meter_and_coincident(self):
        """a1 day 1: largest quarter-hour 1 + 0.5 = 1.5 kWh -> 1.5 x 4 = 6 kW;
        a1 day 2: 1 kWh -> 4 kW; a2 day 1: 2 kWh -> 8 kW (no data day 2: left
        out). Together day 1: 1.5 + 2 = 3.5 kWh -> 14 kW; day 2: 4 kW."""
        a1, a2 = self.meter_a1.id, self.meter_a2.id
        peaks = self.reads._interval_peaks(self.meters, [self.day1, self.day2])
        self.assertEqual(
            peaks,
            {(a1, *self.day1): D(6), (a1, *self.day2): D(4), (a2, *self.day1): D(8)},
        )
        together = self.reads._coincident_peaks(self.meters, [self.day1, self.day2])
        self.assertEqual(together, {self.day1: D(14), self.day2: D(4)})

    def test_series_sums_registers_per_interval(self):
        """a1 at 00:00 = 1 (T1) + 0.5 (T2) = 1.5; at 01:00 = 1; a2 = 2."""
        window = (T0, T0 + timedelta(hours=2))
        series = self.reads._interval_series(self.meters, *window)
        self.assertEqual(len(series[self.meter_a1.id]), 8)
        self.assertEqual(series[self.meter_a1.id][T0], D("1.5"))
        self.assertEqual(series[self.meter_a1.id][T0 + 4 * Q], D(1))
        self.assertEqual(set(series[self.meter_a2.id].values()), {D(2)})
        # as integers of 0.0001 kWh: 1.5 kWh = 15000
        scaled = self.reads._interval_series(self.meter_a1, *window, units=D("0.0001"))
        self.assertEqual(scaled[self.meter_a1.id][T0], 15000)
        self.assertIs(type(scaled[self.meter_a1.id][T0]), int)

    def test_arrays_on_the_quarter_hour_grid(self):
        """Window 1 January 22:00 to 2 January 01:00: 12 quarter-hours. a1 T1
        1 kWh in each = 10000 units of 0.0001 kWh (T2 only before 01:00 on
        1 January: absent); a2 T1 2 kWh until midnight (8 slots = 20000),
        then nothing, except 0.00005 kWh at 00:30 (slot 10, half-up to 1
        unit) and 7 kWh at 00:05, off the grid: left out. On a 5-minute grid
        the first quarter-hour of a1 is slot 0 of 3."""
        day2 = T0 + timedelta(days=1)
        self.env["meter.interval"]._bulk_load(
            [
                (self.meter_a2.id, "T1", day2 + timedelta(minutes=5), "7"),
                (self.meter_a2.id, "T1", day2 + 2 * Q, "0.00005"),
            ]
        )
        a1, a2 = self.meter_a1.id, self.meter_a2.id
        start = T0 + timedelta(hours=22)
        arrays = self.reads._interval_arrays(
            self.meters, start, day2 + timedelta(hours=1)
        )
        self.assertEqual(
            arrays,
            {
                (a1, "T1"): [10000] * 12,
                (a2, "T1"): [20000] * 8 + [None, None, 1, None],
            },
        )
        fine = self.reads._interval_arrays(self.meter_a1, start, start + Q, step=300)
        self.assertEqual(fine, {(a1, "T1"): [10000, None, None]})

    def test_reader_needs_access_to_every_meter(self):
        reads = self.reads.with_user(self.reader)
        with self.assertRaises(AccessError):
            reads._interval_totals(self.meter_b1, [self.day1])
        totals = reads._interval_totals(self.meter_a1, [self.day1])
        self.assertEqual(totals, {(self.meter_a1.id, *self.day1): D(98)})
