# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from meterkit import TouCalendar, TouSeason, split_intervals_by_band

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.meter_base.tests.common import MeterBaseCommon

D = Decimal
ZURICH = ZoneInfo("Europe/Zurich")
# High tariff Monday to Friday 07:00-20:00 local, low tariff otherwise.
HT_NT = TouCalendar(
    seasons=(
        TouSeason(
            "year",
            (1, 1),
            {
                "weekday": ((time(7), "HT"), (time(20), "NT")),
                "weekend": ((time(0), "NT"),),
            },
        ),
    ),
    bands=("HT", "NT"),
    tz="Europe/Zurich",
)


def utc_quarter_hours(day, zone=ZURICH):
    """Naive UTC starts of the 15-minute intervals of a local day."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    starts = []
    while start < end:
        starts.append(start.replace(tzinfo=None))
        start += timedelta(minutes=15)
    return starts


@tagged("post_install", "-at_install")
class TestMeterInterval(MeterBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meter_a1.register_count = 2
        cls.Interval = cls.env["meter.interval"]
        # Monday 12 January 2026, local Zurich time (UTC+1)
        cls.monday = utc_quarter_hours(date(2026, 1, 12))

    def _stored(self, meter=None):
        domain = [("meter_id", "=", meter.id)] if meter else []
        return self.Interval.search_count(domain)

    # ------------------------------------------------------------
    # Bulk load
    # ------------------------------------------------------------

    def test_bulk_load_and_replay(self):
        rows = [(self.meter_a1.id, "T1", s, "0.25") for s in self.monday]
        rows += [(self.meter_a1.id, "T2", s, D("0.1")) for s in self.monday]
        self.assertEqual(
            self.Interval._bulk_load(rows), {"created": 192, "duplicates": 0}
        )
        replication_role = self.env.execute_query(SQL("SHOW session_replication_role"))[
            0
        ][0]
        self.assertEqual(replication_role, "origin")  # triggers back on
        self.assertEqual(self._stored(self.meter_a1), 192)
        # a replay stores nothing; a partial overlap stores only the new rows
        self.assertEqual(
            self.Interval._bulk_load(rows), {"created": 0, "duplicates": 192}
        )
        later = self.monday[-1] + timedelta(minutes=15)
        result = self.Interval._bulk_load(
            rows[:10] + [(self.meter_a1.id, "T1", later, 1)] * 2
        )
        self.assertEqual(result, {"created": 1, "duplicates": 11})
        stored = self.Interval.search(
            [("meter_id", "=", self.meter_a1.id), ("start", "=", later)]
        )
        self.assertEqual((stored.register, stored.value), ("T1", 1.0))

    def test_bulk_load_with_foreign_keys_checked(self):
        """The same result on the path where PostgreSQL checks the foreign keys
        (a database user that is not a superuser takes it)."""
        Interval = self.Interval.with_context(meter_interval_check_fk=True)
        rows = [(self.meter_a1.id, "T1", s, "0.25") for s in self.monday[:8]]
        self.assertEqual(Interval._bulk_load(rows), {"created": 8, "duplicates": 0})
        self.assertEqual(Interval._bulk_load(rows), {"created": 0, "duplicates": 8})
        replication_role = self.env.execute_query(SQL("SHOW session_replication_role"))[
            0
        ][0]
        self.assertEqual(replication_role, "origin")

    def test_starts_as_iso_strings_and_aware_datetimes_are_utc(self):
        aware = datetime(2026, 1, 12, 8, 0, tzinfo=ZURICH)
        self.Interval._bulk_load(
            [
                (self.meter_a1.id, "T1", aware, 1),
                (self.meter_a1.id, "T1", "2026-01-12T07:15:00+00:00", 2),
                (str(self.meter_a1.id), "T1", "2026-01-12 07:30:00", "3"),
                (self.meter_a1.id, "T1", datetime(2026, 1, 12, 7, 45), 0.1),
                (self.meter_a1.id, "T1", datetime(2026, 1, 12, 8, 0), "1e1"),
            ]
        )
        stored = self.Interval.search([("meter_id", "=", self.meter_a1.id)])
        self.assertEqual(
            [(s.start, s.value) for s in stored],
            [
                (datetime(2026, 1, 12, 7, 0), 1.0),
                (datetime(2026, 1, 12, 7, 15), 2.0),
                (datetime(2026, 1, 12, 7, 30), 3.0),
                (datetime(2026, 1, 12, 7, 45), 0.1),
                (datetime(2026, 1, 12, 8, 0), 10.0),
            ],
        )

    def test_bad_rows_are_named_and_nothing_is_stored(self):
        good = (self.meter_a1.id, "T1", self.monday[0], 1)
        rows = [
            good,
            (self.meter_a1.id, "T9", self.monday[1], 1),
            (self.meter_a1.id, "T1", "yesterday", 1),
            (self.meter_a1.id, "T1", self.monday[3], "-1"),
            (self.meter_a1.id, "T1", self.monday[4], "abc"),
            (1.5, "T1", self.monday[5], 1),
            (self.meter_a1.id, "T1"),
            (self.meter_a1.id, "T1", self.monday[8], True),
            (self.meter_a1.id, "T1", self.monday[9], "nan"),
        ]
        with self.assertRaises(ValidationError) as caught:
            self.Interval._bulk_load(rows)
        message = str(caught.exception)
        for expected in (
            "Line 2: register T9 is not one of T1 to T8.",
            "Line 3: start yesterday is not a date and time.",
            "Line 4: value -1 is not a number >= 0.",
            "Line 5: value abc is not a number >= 0.",
            "Line 6: meter_id 1.5 is not an integer.",
            "Line 7: expected (meter_id, register, start, value)",
            "Line 8: value True is not a number >= 0.",
            "Line 9: value nan is not a number >= 0.",
            "nothing was stored",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Line 1:", message)
        self.assertEqual(self._stored(), 0)

    def test_register_beyond_the_meter_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"Line 2: register T3: meter EL-A1 has 2 registers"
        ):
            self.Interval._bulk_load(
                [
                    (self.meter_a1.id, "T2", self.monday[0], 1),
                    (self.meter_a1.id, "T3", self.monday[0], 1),
                ]
            )
        self.assertEqual(self._stored(), 0)

    def test_conflicting_values_are_refused(self):
        start = self.monday[0]
        with self.assertRaisesRegex(
            ValidationError, r"Line 1: .* the batch holds 2 rows with different values"
        ):
            self.Interval._bulk_load(
                [
                    (self.meter_a1.id, "T1", start, 1),
                    (self.meter_a1.id, "T1", start, 2),
                ]
            )
        self.assertEqual(self._stored(), 0)
        self.Interval._bulk_load([(self.meter_a1.id, "T1", start, "1.5")])
        with self.assertRaisesRegex(
            ValidationError, r"Line 2: .* 1\.5(000)? is already stored, not 2"
        ):
            self.Interval._bulk_load(
                [
                    (self.meter_a1.id, "T1", self.monday[1], 1),
                    (self.meter_a1.id, "T1", start, 2),
                ]
            )
        self.assertEqual(self._stored(), 1)

    def test_meters_outside_the_user_sites_are_refused(self):
        Interval = self.Interval.with_user(self.technician)
        result = Interval._bulk_load([(self.meter_a1.id, "T1", self.monday[0], 1)])
        self.assertEqual(result["created"], 1)
        with self.assertRaisesRegex(
            ValidationError, f"Line 2: meter_id {self.meter_b1.id}: no such meter"
        ):
            Interval._bulk_load(
                [
                    (self.meter_a1.id, "T1", self.monday[1], 1),
                    (self.meter_b1.id, "T1", self.monday[1], 1),
                    (0, "T1", self.monday[1], 1),
                ]
            )
        self.assertEqual(self._stored(), 1)

    def test_access_rights(self):
        with self.assertRaises(AccessError):
            self.Interval.with_user(self.reader)._bulk_load(
                [(self.meter_a1.id, "T1", self.monday[0], 1)]
            )
        self.Interval._bulk_load(
            [
                (self.meter_a1.id, "T1", self.monday[0], 1),
                (self.meter_b1.id, "T1", self.monday[0], 1),
            ]
        )
        as_reader = self.Interval.with_user(self.reader)
        self.assertEqual(as_reader.search([]).meter_id, self.meter_a1)
        with self.assertRaises(AccessError):
            as_reader._max_demand([self.meter_b1.id], self.monday[0], self.monday[-1])
        demand = as_reader._max_demand(
            [self.meter_a1.id], self.monday[0], self.monday[1]
        )
        self.assertEqual(demand, {self.meter_a1.id: D(4)})

    # ------------------------------------------------------------
    # Aggregations
    # ------------------------------------------------------------

    def test_utc_bounds_of_local_days(self):
        self.assertEqual(
            self.Interval._utc_bounds(
                date(2026, 1, 1), date(2026, 1, 31), "Europe/Zurich"
            ),
            (datetime(2025, 12, 31, 23, 0), datetime(2026, 1, 31, 23, 0)),
        )
        # summer time: UTC+2
        self.assertEqual(
            self.Interval._utc_bounds(
                date(2026, 7, 1), date(2026, 7, 1), "Europe/Zurich"
            ),
            (datetime(2026, 6, 30, 22, 0), datetime(2026, 7, 1, 22, 0)),
        )

    def test_band_consumption_uses_local_time(self):
        rows = [(self.meter_a1.id, "T1", s, "0.25") for s in self.monday]
        rows += [(self.meter_a1.id, "T2", s, "0.5") for s in self.monday[:4]]
        rows += [(self.meter_b1.id, "T1", s, "1") for s in self.monday]
        self.Interval._bulk_load(rows)
        start, end = self.Interval._utc_bounds(
            date(2026, 1, 12), date(2026, 1, 12), HT_NT.tz
        )
        meters = [self.meter_a1.id, self.meter_b1.id]
        result = self.Interval._band_consumption(meters, start, end, HT_NT)
        # 07:00-20:00 local = 13 h x 1 kWh/h; T2's 2 kWh fall at 00:00-01:00
        self.assertEqual(
            result,
            {
                self.meter_a1.id: {"HT": D(13), "NT": D(13)},
                self.meter_b1.id: {"HT": D(52), "NT": D(44)},
            },
        )
        only_t1 = self.Interval._band_consumption(
            [self.meter_a1.id], start, end, HT_NT, registers=["T1"]
        )
        self.assertEqual(only_t1, {self.meter_a1.id: {"HT": D(13), "NT": D(11)}})
        # the same as meterkit's split of the local intervals
        local = [
            (s.replace(tzinfo=UTC).astimezone(ZURICH).replace(tzinfo=None), D("0.25"))
            for s in self.monday
        ]
        self.assertEqual(
            only_t1[self.meter_a1.id], split_intervals_by_band(HT_NT, local)
        )
        # a window without data gives every band at 0
        empty = self.Interval._band_consumption(
            [self.meter_a1.id], end, end + timedelta(days=1), HT_NT
        )
        self.assertEqual(empty, {self.meter_a1.id: {"HT": D(0), "NT": D(0)}})

    def test_band_consumption_on_the_autumn_dst_day(self):
        # Sunday 25 October 2026 has 100 quarter-hours; a calendar without weekend
        # table changes band at 02:30, inside the repeated hour
        calendar = TouCalendar(
            (
                TouSeason(
                    "all",
                    (1, 1),
                    {"weekday": ((time(0), "A"), (time(2, 30), "B"), (time(4), "A"))},
                ),
            ),
            weekend_days=frozenset(),
            tz="Europe/Zurich",
        )
        starts = utc_quarter_hours(date(2026, 10, 25))
        self.assertEqual(len(starts), 100)
        self.Interval._bulk_load([(self.meter_a1.id, "T1", s, 1) for s in starts])
        result = self.Interval._band_consumption(
            [self.meter_a1.id], starts[0], starts[-1] + timedelta(minutes=15), calendar
        )
        self.assertEqual(result, {self.meter_a1.id: {"A": D(92), "B": D(8)}})

    def test_max_demand_per_meter_and_coincident(self):
        s0, s1, s2 = self.monday[:3]
        self.Interval._bulk_load(
            [
                (self.meter_a1.id, "T1", s0, "2.5"),
                (self.meter_a1.id, "T2", s0, "0.5"),  # same interval: 3 kWh
                (self.meter_a1.id, "T1", s1, "2.75"),
                (self.meter_b1.id, "T1", s0, "1"),
                (self.meter_b1.id, "T1", s1, "4"),
                (self.meter_b1.id, "T1", s2, "1"),
            ]
        )
        meters = [self.meter_a1.id, self.meter_b1.id]
        end = s2 + timedelta(minutes=15)
        self.assertEqual(
            self.Interval._max_demand(meters, s0, end),
            {self.meter_a1.id: D(12), self.meter_b1.id: D(16)},
        )
        # together: 4 kWh at s0, 6.75 at s1 -> 27 kW
        self.assertEqual(self.Interval._coincident_max_demand(meters, s0, end), D(27))
        # the end is excluded; an hourly series gives kWh = kW
        self.assertEqual(
            self.Interval._max_demand(meters, s0, s1, interval_minutes=60),
            {self.meter_a1.id: D(3), self.meter_b1.id: D(1)},
        )
        self.assertEqual(self.Interval._max_demand(meters, end, end), {})
        self.assertEqual(self.Interval._coincident_max_demand(meters, end, end), D(0))

    def test_meter_opens_its_interval_data(self):
        self.Interval._bulk_load(
            [
                (self.meter_a1.id, "T1", self.monday[0], 1),
                (self.meter_b1.id, "T1", self.monday[0], 1),
            ]
        )
        action = self.meter_a1.with_user(self.reader).action_open_intervals()
        self.assertEqual(action["res_model"], "meter.interval")
        shown = self.Interval.with_user(self.reader).search(action["domain"])
        self.assertEqual(shown.meter_id, self.meter_a1)

    # ------------------------------------------------------------
    # Import wizard (CSV / XLSX load profiles)
    # ------------------------------------------------------------

    def _import(self, text, filename="profile.csv", user=None, **vals):
        wizard = (
            self.env["meter.interval.import"]
            .with_user(user or self.env.user)
            .create(
                {"file": base64.b64encode(text.encode()), "filename": filename, **vals}
            )
        )
        wizard.action_import()
        return wizard

    def test_import_a_load_profile_in_local_time(self):
        csv = (
            "Meter;Register;Start;Value\n"
            "EL-A1;T1;2026-01-12 00:00;0.25\n"
            "EL-A1;;2026-01-12 00:15;0.5\n"
            "EL-A1;T2;2026-01-12T00:00:00+00:00;1\n"
        )
        wizard = self._import(csv, user=self.technician, tz="Europe/Zurich")
        self.assertEqual(
            (wizard.state, wizard.row_count, wizard.created_count), ("done", 3, 3)
        )
        stored = self.Interval.search([("meter_id", "=", self.meter_a1.id)])
        self.assertEqual(
            [(s.register, s.start, s.value) for s in stored],
            [
                ("T1", datetime(2026, 1, 11, 23, 0), 0.25),  # local midnight
                ("T1", datetime(2026, 1, 11, 23, 15), 0.5),
                ("T2", datetime(2026, 1, 12, 0, 0), 1.0),  # its own offset
            ],
        )
        again = self._import(csv, user=self.technician, tz="Europe/Zurich")
        self.assertEqual((again.created_count, again.duplicate_count), (0, 3))

    def test_import_for_the_meter_of_the_form(self):
        wizard = (
            self.env["meter.interval.import"]
            .with_context(active_model="meter.meter", active_id=self.meter_a1.id)
            .create(
                {
                    "file": base64.b64encode(b"start,value\n2026-01-12 00:00,2\n"),
                    "filename": "a1.csv",
                }
            )
        )
        self.assertEqual(wizard.meter_id, self.meter_a1)
        wizard.action_import()
        self.assertEqual(self._stored(self.meter_a1), 1)

    def test_import_names_the_bad_lines_and_stores_nothing(self):
        csv = (
            "meter,start,value\n"
            "EL-A1,2026-01-12 00:00,1\n"
            "EL-B1,2026-01-12 00:00,1\n"  # not in the technician's sites
            "EL-A1,2026-03-29 02:30,1\n"  # skipped by the spring DST change
            "EL-A1,2026-10-25 02:30,1\n"  # repeated by the autumn DST change
            "EL-A1,2026-10-25 02:30+01:00,1\n"  # the offset makes it clear
            "EL-A1,2026-01-12 00:15,-3\n"
        )
        with self.assertRaises(ValidationError) as caught:
            self._import(csv, user=self.technician, tz="Europe/Zurich")
        message = str(caught.exception)
        self.assertIn("Line 3: meter EL-B1: no such meter in your sites.", message)
        self.assertIn("Line 4: start 2026-03-29 02:30 is not a date and time", message)
        self.assertIn("Line 5: start 2026-10-25 02:30", message)
        self.assertNotIn("Line 6", message)
        self.assertEqual(self._stored(), 0)
        # once the meters and times are right, the value is checked
        fixed = "\n".join(line for line in csv.split("\n") if "B1" not in line)
        fixed = fixed.replace("03-29 02:30", "03-29 03:30").replace(
            "25 02:30,", "25 03:30,"
        )
        with self.assertRaisesRegex(ValidationError, "Line 6: value -3 is not"):
            self._import(fixed, user=self.technician, tz="Europe/Zurich")
        self.assertEqual(self._stored(), 0)

    def test_import_refuses_bad_files(self):
        with self.assertRaisesRegex(UserError, "no column meter"):
            self._import("start,value\n2026-01-12 00:00,1\n")
        with self.assertRaisesRegex(UserError, "unknown file type"):
            self._import("start,value\n", filename="profile.txt")
        with self.assertRaises(AccessError):
            self._import(
                "meter,start,value\nEL-A1,2026-01-12 00:00,1\n", user=self.reader
            )
