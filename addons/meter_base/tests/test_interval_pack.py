# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from meterkit.intervals import unpack_month

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import MeterBaseCommon

Q = timedelta(minutes=15)
JAN = datetime(2026, 1, 1)
FEB = datetime(2026, 2, 1)
MAR = datetime(2026, 3, 1)
#: 31 January 23:45 UTC, in seconds from 1 January 00:00: 30 days x 86,400
#: + 23 x 3,600 + 45 x 60 = 2,592,000 + 82,800 + 2,700
JAN_31_2345 = 2_677_500


@tagged("post_install", "-at_install")
class TestIntervalPack(MeterBaseCommon):
    """``meter.interval.pack``: the interval rows of a meter register and UTC
    month packed (offsets in seconds from the month, values in 0.0001 kWh),
    built by ``_bulk_load``, marked stale by the ORM's writes, rebuilt by the
    next read; ``_interval_arrays`` reads them and answers as the SQL path
    over the rows does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Interval = cls.env["meter.interval"]
        cls.reads = cls.env["meter.consumption"]
        cls.a1 = cls.meter_a1.id

    def _load(self, *rows, meter=None):
        """Load ``(start, value)`` rows on T1 of ``meter`` (a1)."""
        meter_id = (meter or self.meter_a1).id
        return self.Interval._bulk_load(
            [(meter_id, "T1", start, value) for start, value in rows]
        )

    def _packs(self, meter=None):
        """``{month: (count, offsets, units)}`` of the T1 packs of ``meter``
        (a1), decoded; a stale pack is ``(None, None, None)``."""
        rows = self.env.execute_query(
            SQL(
                "SELECT month, count, seconds, units FROM meter_interval_pack "
                "WHERE meter_id = %s AND register = 'T1'",
                (meter or self.meter_a1).id,
            )
        )
        packs = {}
        for month, count, seconds, units in rows:
            if seconds is None:
                packs[month] = (None, None, None)
                continue
            offsets, values = unpack_month(bytes(seconds), bytes(units))
            packs[month] = (count, list(offsets), list(values))
        return packs

    def _arrays(self, start, end, meters=None, step=900):
        return self.reads._interval_arrays(meters or self.meter_a1, start, end, step)

    def test_load_builds_the_packs_of_its_months(self):
        """1 January 00:00, 00:15, 00:30 = 1, 2.5, 0.0001 kWh and 31 January
        23:45 = 3 kWh pack as January: 4 values at 0, 900, 1,800 and
        2,677,500 s (30 d 23 h 45 min), 10,000, 25,000, 1 and 30,000 units of
        0.0001 kWh; 1 February 00:00 = 4 kWh as February: 1 value at 0 s,
        40,000 units."""
        self._load(
            (JAN, "1"),
            (JAN + Q, "2.5"),
            (JAN + 2 * Q, "0.0001"),
            (FEB - Q, "3"),
            (FEB, "4"),
        )
        self.assertEqual(
            self._packs(),
            {
                JAN: (4, [0, 900, 1800, JAN_31_2345], [10000, 25000, 1, 30000]),
                FEB: (1, [0], [40000]),
            },
        )

    def test_second_load_rebuilds_the_whole_month(self):
        """A load of 00:45 = 5 kWh (and the 00:00 value again) after 00:00 =
        1 and 01:00 = 2: January becomes 3 values at 0, 2,700, 3,600 s =
        10,000, 50,000, 20,000 units (the stored rows, in order, not only
        the new one). A load of duplicates only changes nothing."""
        self._load((JAN, "1"), (JAN + 4 * Q, "2"))
        self._load((JAN + 3 * Q, "5"), (JAN, "1"))
        expected = {JAN: (3, [0, 2700, 3600], [10000, 50000, 20000])}
        self.assertEqual(self._packs(), expected)
        self.assertEqual(self._load((JAN, "1")), {"created": 0, "duplicates": 1})
        self.assertEqual(self._packs(), expected)

    def test_orm_writes_mark_packs_stale_and_the_read_rebuilds(self):
        """Rows 00:00 = 1, 00:15 = 2, 00:30 = 3 kWh of 1 January; window
        00:00-01:00 (4 slots). The manager, through the ORM:
        - deletes 00:15: January stale; read [10000, None, 30000, None];
        - writes 00:30 = 4.5: read [10000, None, 45000, None];
        - creates 00:45 = 0.5: read [10000, None, 45000, 5000];
        - moves 00:00 to 1 March 00:00: January and March stale; January
          reads [None, None, 45000, 5000], March 00:00-00:15 [10000]."""
        self._load((JAN, "1"), (JAN + Q, "2"), (JAN + 2 * Q, "3"))
        window = (JAN, JAN + 4 * Q)
        a1 = (self.a1, "T1")
        self.assertEqual(self._arrays(*window), {a1: [10000, 20000, 30000, None]})
        Interval = self.Interval.with_user(self.manager)
        rows = Interval.search([("meter_id", "=", self.a1)], order="start")
        rows[1].unlink()
        self.assertEqual(self._packs(), {JAN: (None, None, None)})
        self.assertEqual(self._arrays(*window), {a1: [10000, None, 30000, None]})
        rows[2].value = 4.5
        self.assertEqual(self._packs(), {JAN: (None, None, None)})
        self.assertEqual(self._arrays(*window), {a1: [10000, None, 45000, None]})
        Interval.create(
            {"meter_id": self.a1, "register": "T1", "start": JAN + 3 * Q, "value": 0.5}
        )
        self.assertEqual(self._arrays(*window), {a1: [10000, None, 45000, 5000]})
        rows[0].start = MAR
        self.assertEqual(
            self._packs(), {JAN: (None, None, None), MAR: (None, None, None)}
        )
        self.assertEqual(self._arrays(*window), {a1: [None, None, 45000, 5000]})
        self.assertEqual(self._arrays(MAR, MAR + Q), {a1: [10000]})
        self.assertEqual(
            self._packs(),
            {JAN: (2, [1800, 2700], [45000, 5000]), MAR: (1, [0], [10000])},
        )

    def test_read_across_utc_months_for_a_local_month(self):
        """January in Europe/Zurich starts 31 December 23:00 UTC. Rows every
        quarter-hour from 31 December 22:30 to 1 January 00:15 UTC = 1, 2,
        ... 8 kWh (two UTC months). The window 23:00-00:30 has 6 slots: 3 to
        8 kWh = 30,000 ... 80,000 units, from the December and January
        packs; on a 5-minute grid 23:00-23:30 has 6 slots, a value in every
        third: [30000, None, None, 40000, None, None]. The window 00:30-01:00
        has no value: a1 is absent."""
        start = datetime(2025, 12, 31, 22, 30)
        self._load(*((start + k * Q, str(k + 1)) for k in range(8)))
        local_jan = datetime(2025, 12, 31, 23)
        a1 = (self.a1, "T1")
        self.assertEqual(
            self._arrays(local_jan, JAN + 2 * Q),
            {a1: [30000, 40000, 50000, 60000, 70000, 80000]},
        )
        self.assertEqual(
            self._arrays(local_jan, local_jan + 2 * Q, step=300),
            {a1: [30000, None, None, 40000, None, None]},
        )
        self.assertEqual(self._arrays(JAN + 2 * Q, JAN + 4 * Q), {})
        self.assertEqual(set(self._packs()), {datetime(2025, 12, 1), JAN})

    def test_irregular_data_reads_as_the_sql_path(self):
        """a1: 00:00 = 1, 00:15 missing (a gap), 00:20 = 7 (off the
        quarter-hour grid), 00:30 = 0.00005 (half-up to 1 unit), 00:45 = 2;
        a2: every quarter-hour of January = 0.25 kWh (a full month: the
        packed bytes equal the grid's) and 1 February 00:00 = 1.
        Window 00:00-01:00: a1 [10000, None, 1, 20000] (00:20 off the
        grid: left out), a2 [2500] x 4; both paths agree on this and on
        other windows and grids (5 minutes: 00:20 is slot 4)."""
        self._load((JAN, "1"), (JAN + 20 * Q / 15, "7"), (JAN + 2 * Q, "0.00005"))
        self._load((JAN + 3 * Q, "2"))
        self._load(
            *((JAN + k * Q, "0.25") for k in range(31 * 96)),
            (FEB, "1"),
            meter=self.meter_a2,
        )
        meters = self.meter_a1 | self.meter_a2
        a1, a2 = (self.a1, "T1"), (self.meter_a2.id, "T1")
        self.assertEqual(
            self._arrays(JAN, JAN + 4 * Q, meters),
            {a1: [10000, None, 1, 20000], a2: [2500] * 4},
        )
        fine = self._arrays(JAN, JAN + 4 * Q, meters, step=300)
        self.assertEqual(fine[a1][:7], [10000, None, None, None, 7 * 10000, None, 1])
        windows = [
            (JAN, JAN + 4 * Q),
            (JAN - timedelta(hours=1), FEB + timedelta(days=1)),
            (JAN + timedelta(minutes=5), JAN + timedelta(hours=2)),
            (FEB - Q, FEB + Q),
            (JAN + timedelta(days=10, minutes=7), JAN + timedelta(days=10, hours=1)),
        ]
        for start, end in windows:
            for step in (900, 300, 3600):
                with self.subTest(start=start, end=end, step=step):
                    self.assertEqual(
                        self.reads._interval_arrays(meters, start, end, step),
                        self.reads._interval_arrays_sql(meters, start, end, step),
                    )

    def test_reader_reads_packs_of_his_meters_only(self):
        """Reader of site A: the packs of a1 (site A) are readable, those of
        b1 (site B) are not, and ``_interval_arrays`` refuses b1; no user
        writes packs, nor reads their bytes through the ORM (1 value each)."""
        self._load((JAN, "1"))
        self._load((JAN, "2"), meter=self.meter_b1)
        reads = self.reads.with_user(self.reader)
        with self.assertRaises(AccessError):
            reads._interval_arrays(self.meter_b1, JAN, JAN + Q)
        self.assertEqual(
            reads._interval_arrays(self.meter_a1, JAN, JAN + Q),
            {(self.a1, "T1"): [10000]},
        )
        Pack = self.env["meter.interval.pack"]
        self.assertEqual(Pack.with_user(self.reader).search([]).meter_id, self.meter_a1)
        self.assertEqual(len(Pack.with_user(self.manager).search([])), 2)
        # the bytes are for SQL: not even a manager reads them through the ORM
        read = Pack.with_user(self.manager).search([]).read()
        self.assertEqual({p["count"] for p in read}, {1})
        self.assertNotIn("seconds", read[0])
        with self.assertRaises(AccessError):
            Pack.with_user(self.manager).create(
                {"meter_id": self.a1, "register": "T1", "month": FEB}
            )
