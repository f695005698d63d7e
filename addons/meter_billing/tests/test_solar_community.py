# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime
from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from ..models.billing_usage import UsageError
from .common_solar import SolarCommunityCommon, quarter_hours

D = Decimal


@tagged("post_install", "-at_install")
class TestSolarCommunity(SolarCommunityCommon):
    """A ZEV on site S (UTC): units S1 and S2 and one PV meter, January 2026
    (31 days x 96 quarter-hours), every interval stored:

    - S1 uses 0.25 kWh and S2 0.75 kWh in every quarter-hour (C = 1 kWh);
    - PV gives 2 kWh per quarter-hour from 10:00 to 12:00 (8 intervals),
      0.5 kWh from 12:00 to 14:00 (8 intervals), 0 otherwise.

    Per day (RULES.md 2.2): 10-12 h ratio min(1, 2 / 1) = 1: S1 8 x 0.25 = 2,
    S2 8 x 0.75 = 6 solar, export 8 x 1 = 8; 12-14 h ratio 0.5 / 1: S1 8 x
    0.125 = 1, S2 8 x 0.375 = 3 solar. Day: S1 solar 3 of 24, S2 9 of 72,
    self-consumed 12, production 16 + 4 = 20, export 8.
    January (x 31): S1 744 kWh = 93 solar + 651 grid; S2 2232 = 279 + 1953;
    production 620, self-consumed 372, export 248, import 2976 - 372 = 2604;
    self-sufficiency 372 / 2976 = 12.5 %; self-consumption 372 / 620 = 60 %.
    """

    def _shares(self, point, month=1):
        shares = self.env["meter.solar.share"].search(
            [("billing_point_id", "=", point.id)]
        )
        shares = shares.filtered(lambda s: s.date.month == month)
        return (
            round(sum(shares.mapped("consumption")), 4),
            round(sum(shares.mapped("solar")), 4),
            round(sum(shares.mapped("grid")), 4),
        )

    def test_month_shares_and_figures(self):
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        month = self.community.month_ids
        self.assertEqual(month.month, date(2026, 1, 1))
        self.assertEqual(
            (
                month.production,
                month.consumption,
                month.self_consumed,
                month.export,
                month.grid_import,
            ),
            (620, 2976, 372, 248, 2604),
        )
        self.assertAlmostEqual(month.self_sufficiency, 12.5)
        self.assertAlmostEqual(month.self_consumption, 60.0)
        self.assertEqual(month.filled_count, 0)
        self.assertEqual(self._shares(self.point_s1), (744, 93, 651))
        self.assertEqual(self._shares(self.point_s2), (2232, 279, 1953))
        # one share per participant and month (no calendar: no band), with
        # its 31 days: S1 24 kWh a day = 240000 units, 3 solar, 21 grid
        self.assertEqual(len(month.share_ids), 2)
        days = month.share_ids.filtered(
            lambda s: s.billing_point_id == self.point_s1
        ).day_units
        self.assertEqual(
            (days["consumption"], days["solar"], days["grid"]),
            ([240000] * 31, [30000] * 31, [210000] * 31),
        )
        # grouped by community (the pivot): 744 + 2232 = 2976 kWh, 372 solar
        self.assertEqual(
            self.env["meter.solar.share"]._read_group(
                [("community_id", "=", self.community.id)],
                ["community_id"],
                ["consumption:sum", "solar:sum", "grid:sum"],
            ),
            [(self.community, 2976, 372, 2604)],
        )

    def test_shares_per_band(self):
        """The peak/valley calendar (peak 08:00-22:00 on weekdays), its peak
        band code holding a quote, a comma, braces and a backslash (stored as
        written). January 2026 has 22 weekdays and 9 weekend days (1 January
        is a Thursday). S1 uses 0.25 kWh a quarter-hour and gets 3 kWh of
        solar a day, all of it between 10:00 and 14:00:
        peak 22 x 56 x 0.25 = 308 kWh, solar 22 x 3 = 66, grid 242; valley
        22 x 40 x 0.25 + 9 x 96 x 0.25 = 220 + 216 = 436 kWh, solar 9 x 3 =
        27, grid 409: one row per band. Days: Thursday 1 January peak 56 x
        0.25 = 14 kWh (140000 units), valley 10 kWh; Saturday 3 January peak
        0, valley 24 kWh, solar 3."""
        calendar = self._calendar()
        code = 'peak "A", {1}\\'
        calendar.band_ids.filtered(lambda b: b.code == "peak").code = code
        self.community.tou_calendar_id = calendar
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        shares = self.community.month_ids.share_ids.filtered(
            lambda s: s.billing_point_id == self.point_s1
        )
        totals = {}
        for share in shares:
            row = totals.setdefault(share.band, [0, 0, 0, 0])
            row[0] += 1
            row[1] += share.consumption
            row[2] += share.solar
            row[3] += share.grid
        self.assertEqual(
            {band: tuple(round(v, 4) for v in row) for band, row in totals.items()},
            {code: (1, 308, 66, 242), "valley": (1, 436, 27, 409)},
        )
        days = {share.band: share.day_units for share in shares}
        self.assertEqual(
            [
                (days[band]["consumption"][i], days[band]["solar"][i])
                for band in (code, "valley")
                for i in (0, 2)
            ],
            [(140000, 30000), (0, 0), (100000, 0), (240000, 30000)],
        )

    def test_billing_period_inside_a_month(self):
        """S1 billed for 1 to 15 January and 16 to 31 January (e.g. an
        occupant change): 15 days x 3 = 45 kWh solar and 15 x 21 = 315 grid,
        then 16 x 3 = 48 and 16 x 21 = 336 (together the month's 93 and 651);
        a period running into February (not shared) is refused."""
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        components = self.point_s1.tariff_line_ids.tariff_id.version_ids.component_ids
        self.assertEqual(
            [
                self.point_s1._consumption_by_part(start, end, components)
                for start, end in (
                    (date(2026, 1, 1), date(2026, 1, 15)),
                    (date(2026, 1, 16), date(2026, 1, 31)),
                )
            ],
            [{"solar": D(45), "grid": D(315)}, {"solar": D(48), "grid": D(336)}],
        )
        with self.assertRaisesRegex(UsageError, "not computed"):
            self.point_s1._consumption_by_part(
                date(2026, 1, 16), date(2026, 2, 15), components
            )

    def test_interval_import_to_posted_invoices(self):
        """Invoices: S1 93 x 0.20 = 18.60 + 651 x 0.30 = 195.30 = 213.90; S2 279 x
        0.20 = 55.80 + 1953 x 0.30 = 585.90 = 641.70. The solar price 0.20 is
        under the flat cap 80 % x 0.30 = 0.24."""
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        run = self._bill(self._run(points=self.point_s1 | self.point_s2))
        moves = run.result_ids.move_ids
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        by_partner = {m.partner_id: m for m in moves}
        s1 = by_partner[self.tenant1]
        self.assertEqual(s1.amount_total, 213.90)
        self.assertEqual(
            sorted(
                (line.name, line.quantity, line.price_unit)
                for line in s1.invoice_line_ids
            ),
            [
                ("Grid electricity, 01.01.2026 - 31.01.2026", 651, 0.30),
                ("Solar electricity, 01.01.2026 - 31.01.2026", 93, 0.20),
            ],
        )
        self.assertEqual(by_partner[self.tenant2].amount_total, 641.70)

    def test_price_above_the_cap_blocks_the_point(self):
        """Solar at 0.25 > flat cap 0.8 x 0.30 = 0.24: blocked; with the
        effective-cost method (cost 0.22): cap 0.22 + (0.30 - 0.22) / 2 = 0.26
        >= 0.25: billed."""
        self.point_s1.tariff_line_ids.tariff_id = self._solar_tariff("0.25")
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        run = self._run(points=self.point_s1)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        self.assertEqual(run.result_ids.state, "blocked")
        self.assertIn("exceeds the legal cap 0.24", run.result_ids.block_reason)
        self.community.write({"price_cap_method": "effective", "effective_cost": 0.22})
        self.assertAlmostEqual(self.community.price_cap, 0.26)
        components = self.point_s1.tariff_line_ids.tariff_id.version_ids.component_ids
        parts = self.point_s1._consumption_by_part(
            date(2026, 1, 1), date(2026, 1, 31), components
        )
        self.assertEqual(parts, {"solar": D(93), "grid": D(651)})

    def test_uncomputed_month_blocks_the_point(self):
        run = self._run(points=self.point_s1)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        self.assertEqual(run.result_ids.state, "blocked")
        self.assertIn("not computed", run.result_ids.block_reason)

    def test_a_corrected_interval_recomputes_only_its_month(self):
        """February holds one day (1 Feb); the other 27 days x 96 = 2592
        intervals of each of the 3 series are filled (flagged): 7776. Then
        S1's 10:00 value of 5 January goes from 0.25 to 0.5: that interval
        has C = 1.25 <= P = 2, all solar, so S1 January = 744.25 kWh, 93.25
        solar, 651 grid; February is not computed again."""
        rows = []
        for start in quarter_hours(date(2026, 2, 1)):
            rows += self._interval_rows(start)
        self.env["meter.interval"]._bulk_load(rows)
        self.community.action_compute(date(2026, 1, 1), date(2026, 2, 28))
        january, february = self.community.month_ids.sorted("month")
        self.assertEqual(february.filled_count, 7776)
        february_shares = february.share_ids
        january_shares = january.share_ids
        interval = self.env["meter.interval"].search(
            [
                ("meter_id", "=", self.meter_s1.id),
                ("start", "=", datetime(2026, 1, 5, 10, 0)),
            ]
        )
        interval.value = 0.5
        self.community.action_compute(date(2026, 1, 1), date(2026, 2, 28))
        self.assertEqual(february.share_ids, february_shares)
        self.assertFalse(january_shares.exists())
        self.assertEqual(self._shares(self.point_s1), (744.25, 93.25, 651))
        self.assertEqual(january.self_consumed, 372.25)

    def test_bad_input(self):
        """A participant's point on another site is refused; a community
        without participants cannot be computed; a part on a fixed
        component is refused."""
        with self.assertRaises(ValidationError):
            self.community.participant_ids = [
                Command.create({"billing_point_id": self.point_b1.id})
            ]
        empty = self.env["meter.solar.community"].create(
            {"name": "Empty", "site_id": self.site_s.id}
        )
        with self.assertRaises(UserError):
            empty.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        with self.assertRaises(ValidationError):
            self.solar_tariff.version_ids.component_ids[0].component_type = "fixed"
