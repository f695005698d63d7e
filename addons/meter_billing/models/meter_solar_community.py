# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import UTC
from decimal import Decimal
from operator import add
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from meterkit import as_decimal
from meterkit.errors import MeterkitError
from meterkit.estimates import local_midnight_utc
from meterkit.intervals import bands_of_starts, interval_grid
from meterkit.solar import (
    QUANTUM,
    clean_list,
    month_shares,
    period_share,
    share_series,
    solar_price_cap,
)

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

KWH = (16, 4)
STEP_SECONDS = 900  # the quarter-hour of the interval grid
READ_MONTHS = 3  # months of interval data read in one query (memory)
COMMUNITY_TYPES = [
    ("zev", "ZEV / RCP"),
    ("vzev", "vZEV (virtual)"),
    ("leg", "LEG (local electricity community)"),
]


class MeterSolarCommunity(models.Model):
    """A self-consumption community on a site (RULES.md §2.1-2.4): its
    participants (billing points of units and common areas), production and
    battery meters, grid connection meter, sharing method and the internal
    solar price cap.

    :meth:`action_compute` shares each local month's 15-minute interval data
    (read through ``meter.consumption._interval_arrays``) with
    :func:`meterkit.solar.share_series` and stores per participant, month and
    band the solar and grid kWh and their days (``meter.solar.share``), per
    participant and month the ratios (``meter.solar.participant.month``) and
    per month the
    community figures (``meter.solar.month``). A month is computed again only
    when its interval data changed (its fingerprint: count and sum of the
    values of the community's meters).
    """

    _name = "meter.solar.community"
    _description = "Solar Self-Consumption Community"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    site_id = fields.Many2one(
        "meter.site", required=True, ondelete="restrict", check_company=True
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True)
    community_type = fields.Selection(
        COMMUNITY_TYPES, string="Type", required=True, default="zev"
    )
    participant_ids = fields.One2many(
        "meter.solar.participant", "community_id", string="Participants"
    )
    production_meter_ids = fields.Many2many(
        "meter.meter",
        "meter_solar_community_production_rel",
        string="Production meters",
        help="PV production (register T1 of each meter).",
    )
    peak_power_kw = fields.Float(
        string="Peak power (kWp)",
        digits=(16, 3),
        help="Installed PV power: an interval above it is flagged.",
    )
    battery_meter_id = fields.Many2one(
        "meter.meter",
        help="Battery meter: T1 charge, T2 discharge (kWh per interval).",
    )
    grid_meter_id = fields.Many2one(
        "meter.meter",
        string="Grid connection meter",
        help="The DSO's meter at the connection point: T1 import, T2 export.",
    )
    sharing_method = fields.Selection(
        [
            ("proportional", "In proportion to consumption"),
            ("fixed", "Fixed keys"),
            ("dynamic", "Dynamic keys (unused share to the others)"),
        ],
        required=True,
        default="proportional",
    )
    tou_calendar_id = fields.Many2one(
        "meter.tou.calendar",
        string="Time-of-use calendar",
        help="Solar and grid kWh are also stored per band of this calendar.",
    )
    tenant_protection = fields.Boolean(
        default=True,
        help="Tenants are billed (EnV Art. 16): the internal solar price may "
        "not exceed the cap. Off for condominiums, whose owners set it freely.",
    )
    standard_price = fields.Float(
        digits=(16, 6),
        help="What a participant would pay per kWh for the DSO's standard "
        "product in basic supply.",
    )
    price_cap_method = fields.Selection(
        [("flat", "Flat rate (80 %)"), ("effective", "Effective costs")],
        default="flat",
        required=True,
    )
    effective_cost = fields.Float(
        digits=(16, 6),
        help="Effective cost per solar kWh: capital, O&M, metering and admin "
        "costs minus feed-in revenue, divided by the solar kWh sold.",
    )
    price_cap = fields.Float(compute="_compute_price_cap", digits=(16, 6))
    month_ids = fields.One2many("meter.solar.month", "community_id", string="Months")

    @api.depends("standard_price", "price_cap_method", "effective_cost")
    def _compute_price_cap(self):
        for community in self:
            community.price_cap = float(community._price_cap())

    def _price_cap(self):
        return solar_price_cap(
            as_decimal(self.standard_price),
            self.price_cap_method,
            as_decimal(self.effective_cost),
        )

    def action_open_figures(self):
        """Self-sufficiency and self-consumption per month of this community."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_billing.meter_solar_month_action"
        )
        action["domain"] = [("community_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # COMPUTATION
    # ------------------------------------------------------------

    def action_compute(self, date_from=None, date_to=None):
        """Share the months from ``date_from`` to ``date_to`` (default: the
        last 12 months); months whose data did not change are kept. The
        interval data of up to :data:`READ_MONTHS` months is read in one
        query."""
        today = fields.Date.context_today(self)
        date_to = date_to or today
        date_from = date_from or date_to - relativedelta(months=12)
        for community in self:
            months = []
            month = date_from.replace(day=1)
            while month <= date_to:
                months.append(month)
                month += relativedelta(months=1)
            for first in range(0, len(months), READ_MONTHS):
                community._compute_months(months[first : first + READ_MONTHS])
        return True

    def _meters(self):
        return (
            self.participant_ids.billing_point_id.meter_ids
            | self.production_meter_ids
            | self.battery_meter_id
        )

    def _month_bounds(self, month):
        tz = self.site_id.tz
        return (
            local_midnight_utc(month, tz),
            local_midnight_utc(month + relativedelta(months=1), tz),
        )

    def _read_month(self, start, end):
        """The interval values of the community's meters on ``[start, end)``
        (``meter.consumption._interval_arrays``): ``({(meter_id, register):
        [units or None per quarter-hour]}, fingerprint)``, units being
        integers of :data:`QUANTUM`; the fingerprint (count and sum of the
        values on the grid) tells whether the month's data changed."""
        arrays = self.env["meter.consumption"]._interval_arrays(
            self._meters(), start, end, STEP_SECONDS, QUANTUM
        )
        return arrays, _fingerprint(arrays.values())

    def _compute_months(self, months):
        """Share ``months`` (first days, consecutive) from one read of their
        interval data; returns the ``meter.solar.month`` records."""
        self.ensure_one()
        bounds = [self._month_bounds(month) for month in months]
        origin = bounds[0][0]
        arrays = self.env["meter.consumption"]._interval_arrays(
            self._meters(), origin, bounds[-1][1], STEP_SECONDS, QUANTUM
        )
        records = self.env["meter.solar.month"]
        shared = []
        for month, (start, end) in zip(months, bounds, strict=True):
            lo, hi = (
                int((at - origin).total_seconds()) // STEP_SECONDS
                for at in (start, end)
            )
            sliced = {key: values[lo:hi] for key, values in arrays.items()}
            record, result = self._compute_month(
                month, sliced, _fingerprint(sliced.values())
            )
            records |= record
            if result is not None:
                shared.append((record, result))
        self.env["meter.solar.participant.month"]._store(shared)
        return records

    def _compute_month(self, month, arrays=None, fingerprint=None):
        """Share ``month`` (its first day) unless its fingerprint is unchanged
        and store its shares; returns the ``meter.solar.month`` record and the
        :class:`meterkit.solar.SharingResult` (``None`` when unchanged), whose
        participant months the caller stores. ``arrays`` and ``fingerprint``
        as :meth:`_read_month` returns them (read here when not given)."""
        self.ensure_one()
        start, end = self._month_bounds(month)
        if arrays is None:
            arrays, fingerprint = self._read_month(start, end)
        record = self.month_ids.filtered(lambda m: m.month == month)
        if record and record.fingerprint == fingerprint:
            return record, None
        result, flags = self._share(
            start, end, arrays, period_of=self._days(start, end)
        )
        values = self._month_values(month, result, flags, fingerprint)
        if record:
            self._drop_shares(record)
            record.write(values)
        else:
            record = self.env["meter.solar.month"].create(values)
        self._store_shares(record, result)
        return record, result

    def _days(self, start, end):
        """The local day of each quarter-hour of ``[start, end)`` (a list)."""
        tz = self.site_id.tz
        count = int((end - start).total_seconds()) // STEP_SECONDS
        day = start.replace(tzinfo=UTC).astimezone(ZoneInfo(tz or "UTC")).date()
        days = []
        while len(days) < count:
            following = day + relativedelta(days=1)
            until = min(local_midnight_utc(following, tz), end)
            slots = int((until - start).total_seconds()) // STEP_SECONDS
            days += [day] * (slots - len(days))
            day = following
        return days

    def _share(self, start, end, arrays=None, period_of=None):
        """:class:`meterkit.solar.SharingResult` of ``[start, end)`` keyed by
        participant id and local day (or ``period_of(start)``), and the
        flags; ``arrays`` as :meth:`_read_month` returns them (read here when
        not given)."""
        if not self.participant_ids:
            raise UserError(
                self.env._(
                    "Community %s has no participant: add its participants first.",
                    self.display_name,
                )
            )
        if arrays is None:
            arrays = self._read_month(start, end)[0]
        starts = interval_grid(start, end)
        count = len(starts)
        peak = as_decimal(self.peak_power_kw) / 4 if self.peak_power_kw else None
        try:
            production, flags = clean_list(
                self.env._("production"),
                _dense(arrays, self.production_meter_ids.ids, ("T1",), count),
                starts,
                peak,
                production=True,
            )
            consumptions = {}
            for participant in self.participant_ids:
                consumptions[participant.id], found = clean_list(
                    participant.display_name,
                    _dense(
                        arrays, participant.billing_point_id.meter_ids.ids, None, count
                    ),
                    starts,
                )
                flags += found
            charge = discharge = None
            if self.battery_meter_id:
                battery = self.battery_meter_id
                charge, found = clean_list(
                    battery.display_name,
                    _dense(arrays, battery.ids, ("T1",), count),
                    starts,
                )
                flags += found
                discharge, found = clean_list(
                    battery.display_name,
                    _dense(arrays, battery.ids, ("T2",), count),
                    starts,
                )
                flags += found
        except MeterkitError as error:
            raise UserError(str(error)) from None
        zone = ZoneInfo(self.site_id.tz or "UTC")
        bands = (
            bands_of_starts(self.tou_calendar_id._to_meterkit(), starts)
            if self.tou_calendar_id
            else None
        )
        weights = {p.id: round(p.share_key * 1000) for p in self.participant_ids}
        result = share_series(
            starts,
            production,
            consumptions,
            month_of=period_of
            or (lambda s: s.replace(tzinfo=UTC).astimezone(zone).date()),
            band_of=bands,
            charge=charge,
            discharge=discharge,
            method=self.sharing_method,
            keys=weights,
        )
        return result, flags

    def _month_values(self, month, result, flags, fingerprint):
        totals = [0] * 7
        for day in result.community.values():
            figures = (
                day.production,
                day.consumption,
                day.self_consumed,
                day.export,
                day.import_,
                day.charge,
                day.discharge,
            )
            totals = [a + b for a, b in zip(totals, figures, strict=True)]
        production, consumption, self_consumed, export, import_, charge, discharge = (
            totals
        )
        filled = [f for f in flags if f.kind == "filled"]
        other = [f for f in flags if f.kind != "filled"]
        return {
            "community_id": self.id,
            "month": month,
            "fingerprint": fingerprint,
            "production": float(production),
            "consumption": float(consumption),
            "self_consumed": float(self_consumed),
            "export": float(export),
            "grid_import": float(import_),
            "battery_charge": float(charge),
            "battery_discharge": float(discharge),
            "filled_count": len(filled),
            "flag_notes": "\n".join(
                f"{f.kind}: {f.series} {f.start}" for f in other[:50]
            ),
        }

    def _drop_shares(self, month):
        """Delete the shares of ``month`` (one statement)."""
        Share = self.env["meter.solar.share"]
        Share.check_access("unlink")
        self.env.execute_query(
            SQL("DELETE FROM meter_solar_share WHERE month_id = %s", month.id)
        )
        Share.invalidate_model()
        month.invalidate_recordset(["share_ids"])

    def _store_shares(self, month, result):
        """Insert the shares of ``month`` in one statement: a row per
        participant and band with the month's totals and its days (a year of
        50 participants without bands: 600 rows). The columns travel as array
        literals: PostgreSQL parses ``'{1,2}'`` in one pass, where psycopg2's
        ``ARRAY[1, 2]`` is an expression of one node per value."""
        Share = self.env["meter.solar.share"]
        Share.check_access("create")
        first = month.month
        day_count = (first + relativedelta(months=1) - first).days
        columns = ([], [], [], [], [], [])
        for (participant_id, band), share in month_shares(
            result.participants, first, day_count
        ).items():
            days = {
                "consumption": share.consumption,
                "solar": share.solar,
                "grid": share.grid,
            }
            for column, value in zip(
                columns,
                (
                    participant_id,
                    band or None,
                    share.totals.consumption,
                    share.totals.solar,
                    share.totals.grid,
                    json.dumps(days, separators=(",", ":")),
                ),
                strict=True,
            ):
                column.append(value)
        if columns[0]:
            self.env.execute_query(
                SQL(
                    """
                    INSERT INTO meter_solar_share (month_id, date, community_id,
                           company_id, participant_id, band, consumption, solar,
                           grid, day_units)
                    SELECT %s, %s, %s, %s, u.*
                      FROM unnest(%s::int[], %s::varchar[], %s::numeric[],
                                  %s::numeric[], %s::numeric[], %s::jsonb[]) AS u
                    """,
                    month.id,
                    first,
                    self.id,
                    self.company_id.id,
                    *(_array_literal(column) for column in columns),
                )
            )
        month.invalidate_recordset(["share_ids"])


def _array_literal(values):
    """The PostgreSQL array literal of ``values`` (ints, dates, Decimals,
    strings or ``None``): ``'{1,"a b",NULL}'``; strings are quoted and
    escaped."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, str):
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            items.append(f'"{escaped}"')
        else:
            items.append(str(value))
    return "{" + ",".join(items) + "}"


def _dense(arrays, meter_ids, registers, count):
    """The values of ``meter_ids`` (``registers``, or all) summed per slot:
    a new list of ``count`` integers, ``None`` where no meter has a value."""
    parts = [
        values
        for (meter_id, register), values in arrays.items()
        if meter_id in meter_ids and (registers is None or register in registers)
    ]
    if not parts:
        return [None] * count
    series = list(parts[0])
    for values in parts[1:]:
        if None in series or None in values:
            series = [
                b if a is None else a if b is None else a + b
                for a, b in zip(series, values, strict=True)
            ]
        else:
            series = list(map(add, series, values))
    return series


def _fingerprint(series):
    """``2:count:sum`` of the values of ``series`` (lists with ``None``); the
    leading layout number makes months stored in an older layout (daily
    share rows) shared again."""
    count = total = 0
    for values in series:
        if None in values:
            values = [v for v in values if v is not None]
        count += len(values)
        total += sum(values)
    return f"2:{count}:{total}"


class MeterSolarParticipant(models.Model):
    """A participant of a community: the billing point of a unit or of the
    common areas; its meters are the point's meters."""

    _name = "meter.solar.participant"
    _description = "Solar Community Participant"
    _rec_name = "billing_point_id"

    community_id = fields.Many2one(
        "meter.solar.community", required=True, ondelete="cascade", index=True
    )
    billing_point_id = fields.Many2one(
        "meter.billing.point", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="community_id.company_id", store=True)
    share_key = fields.Float(
        string="Key",
        digits=(16, 3),
        default=1.0,
        help="Weight of the participant for the fixed and dynamic keys.",
    )

    _point_once = models.UniqueIndex(
        "(billing_point_id)", "A billing point takes part in one community only."
    )

    @api.constrains("billing_point_id", "community_id")
    def _check_site(self):
        for participant in self:
            if participant.billing_point_id.site_id != participant.community_id.site_id:
                raise ValidationError(
                    self.env._(
                        "Billing point %(point)s is not on the site of community "
                        "%(community)s.",
                        point=participant.billing_point_id.display_name,
                        community=participant.community_id.display_name,
                    )
                )


class MeterSolarMonth(models.Model):
    """The community's figures of a local month, and its shares."""

    _name = "meter.solar.month"
    _description = "Solar Community Month"
    _order = "community_id, month"
    _rec_name = "month"

    community_id = fields.Many2one(
        "meter.solar.community", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="community_id.company_id", store=True)
    month = fields.Date(required=True, help="First day of the local month.")
    fingerprint = fields.Char(readonly=True)
    production = fields.Float(digits=KWH)
    consumption = fields.Float(digits=KWH)
    self_consumed = fields.Float(digits=KWH)
    export = fields.Float(digits=KWH)
    grid_import = fields.Float(digits=KWH)
    battery_charge = fields.Float(digits=KWH)
    battery_discharge = fields.Float(digits=KWH)
    self_sufficiency = fields.Float(
        compute="_compute_ratios",
        store=True,
        aggregator="avg",
        help="Share of the consumption covered by solar (%).",
    )
    self_consumption = fields.Float(
        compute="_compute_ratios",
        store=True,
        aggregator="avg",
        help="Share of the production consumed on site (%).",
    )
    filled_count = fields.Integer(
        string="Filled intervals",
        help="Missing interval values filled linearly (meterkit.solar).",
    )
    flag_notes = fields.Text(string="Flags")
    share_ids = fields.One2many("meter.solar.share", "month_id")

    _month_once = models.UniqueIndex("(community_id, month)")

    @api.depends("production", "consumption", "self_consumed")
    def _compute_ratios(self):
        for month in self:
            month.self_sufficiency = (
                100 * month.self_consumed / month.consumption
                if month.consumption
                else 0.0
            )
            month.self_consumption = (
                100 * month.self_consumed / month.production
                if month.production
                else 0.0
            )


class MeterSolarShare(models.Model):
    """Solar and grid kWh of a participant in a local month (and band), with
    the same per local day (``day_units``) for billing periods that start or
    end inside the month."""

    _name = "meter.solar.share"
    _description = "Solar Share"
    _order = "date, participant_id, band"
    _log_access = False

    month_id = fields.Many2one(
        "meter.solar.month",
        string="Community month",
        required=True,
        ondelete="cascade",
        index=True,
    )
    participant_id = fields.Many2one(
        "meter.solar.participant", required=True, ondelete="cascade", index=True
    )
    # stored (a year is 600 rows): grouped by in the pivot, read by the rules
    community_id = fields.Many2one(
        related="month_id.community_id", store=True, index=True
    )
    company_id = fields.Many2one(related="month_id.company_id", store=True)
    billing_point_id = fields.Many2one(related="participant_id.billing_point_id")
    date = fields.Date(
        string="Month", required=True, help="First day of the local month."
    )
    band = fields.Char()
    consumption = fields.Float(digits=KWH)
    solar = fields.Float(digits=KWH)
    grid = fields.Float(digits=KWH)
    day_units = fields.Json(
        string="Days",
        readonly=True,
        help="Consumption, solar and grid energy of each local day of the "
        "month, in units of 0.0001 kWh (the first item: the first day).",
    )

    def _period_kwh(self, start, end):
        """``(solar, grid)`` Decimal kWh of these shares on the local days
        ``start`` to ``end`` (both included): a whole month from its totals,
        a part of one from its days."""
        solar = grid = Decimal(0)
        for share in self:
            first = share.date
            last = first + relativedelta(months=1, days=-1)
            if start <= first and last <= end:
                solar += quantity(share.solar)
                grid += quantity(share.grid)
            else:
                days = share.day_units or {}
                solar += period_share(days.get("solar", []), first, start, end)
                grid += period_share(days.get("grid", []), first, start, end)
        return solar, grid


def quantity(value):
    """A stored kWh float as a Decimal on :data:`meterkit.solar.QUANTUM`."""
    return as_decimal(value).quantize(QUANTUM)
