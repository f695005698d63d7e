# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from meterkit import as_decimal
from meterkit.errors import MeterkitError
from meterkit.estimates import local_midnight_utc
from meterkit.readings import register_index
from meterkit.tariffs import (
    CONSUMPTION_KINDS,
    PERIOD_KINDS,
    Usage,
    basis_pieces,
    evaluate_period,
    split_period,
    split_tier_years,
    tier_year_base,
    tier_year_start,
)

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .billing_usage import UsageError, local_day_bounds
from .meter_billing_result import FREE_STATES


class MeterBillingPoint(models.Model):
    """What is billed for a unit: its meters, its dated tariffs and, through the
    unit's occupancy timeline, who pays on each day (the tenant, or the owner
    during a vacancy; meter_base guarantees one occupant per day)."""

    _name = "meter.billing.point"
    _description = "Billing Point"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "site_id, unit_id, name, id"
    _check_company_auto = True

    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, precompute=True
    )
    active = fields.Boolean(default=True)
    unit_id = fields.Many2one(
        "meter.unit",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    building_id = fields.Many2one(related="unit_id.building_id", store=True)
    site_id = fields.Many2one(related="unit_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="unit_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    meter_ids = fields.Many2many(
        "meter.meter",
        string="Meters",
        check_company=True,
        domain="[('unit_id', '=', unit_id)]",
    )
    tariff_line_ids = fields.One2many(
        "meter.billing.point.tariff", "billing_point_id", string="Tariffs"
    )
    occupancy_ids = fields.One2many(related="unit_id.occupancy_ids")
    partner_id = fields.Many2one(
        related="unit_id.current_partner_id", string="Current occupant"
    )
    frequency = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
        required=True,
        default="monthly",
        tracking=True,
    )
    correspondence = fields.Selection(
        [("email", "E-mail"), ("post", "Post")],
        required=True,
        default="email",
        tracking=True,
    )
    advance_amount = fields.Monetary(
        string="Advance payment",
        currency_field="currency_id",
        tracking=True,
        help="Default advance invoiced per period when the billing point is "
        "billed on advances.",
    )
    capacity_kva = fields.Float(
        string="Transformer capacity (kVA)",
        digits=(16, 2),
        help="Billed by demand-capacity components (two-part tariff).",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic account (unit)",
        check_company=True,
    )
    result_ids = fields.One2many("meter.billing.result", "billing_point_id")
    billed_until = fields.Date(compute="_compute_billed_until")

    @api.depends("unit_id")
    def _compute_name(self):
        for point in self:
            if not point.name and point.unit_id:
                point.name = point.unit_id.display_name

    def _compute_billed_until(self):
        """Last day of consumption billed (advances do not settle a period)."""
        last = dict(
            self.env["meter.billing.result"]._read_group(
                [
                    ("billing_point_id", "in", self.ids),
                    ("state", "not in", FREE_STATES),
                    ("kind", "=", "consumption"),
                ],
                ["billing_point_id"],
                ["date_to:max"],
            )
        )
        for point in self:
            point.billed_until = last.get(point)

    @api.constrains("meter_ids", "unit_id")
    def _check_meters_of_unit(self):
        for point in self:
            foreign = point.meter_ids.filtered(
                lambda m, p=point: m.unit_id != p.unit_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Billing point %(point)s: meter %(meter)s is not in unit "
                        "%(unit)s.",
                        point=point.display_name,
                        meter=foreign[0].display_name,
                        unit=point.unit_id.display_name,
                    )
                )

    def _analytic_distribution(self):
        """Analytic distribution of the lines: the site's and the unit's
        accounts (each at 100 %, in their own plans)."""
        self.ensure_one()
        accounts = self.site_id.meter_analytic_account_id | self.analytic_account_id
        if not accounts:
            return False
        return {",".join(str(i) for i in accounts.ids): 100.0}

    def _prefetch_valuation(self):
        """Read at once, for all these points, what valuing them reads point
        by point (tariff assignments, occupancies, allocation bases, meters):
        a batch of points costs a few queries instead of a few per point."""
        self.fetch(["unit_id", "site_id", "tariff_line_ids", "meter_ids"])
        self.tariff_line_ids.fetch(["tariff_id", "date_from", "date_to"])
        units = self.unit_id
        units.fetch(["occupancy_ids", "basis_ids"])
        units.occupancy_ids.fetch(["partner_id", "date_start", "date_end"])
        units.basis_ids.fetch(["kind", "date_from", "value"])

    def _tariff_segments(self, date_from, date_to):
        """``[(tariff, start, end)]``: the tariff assigned on each part of
        ``[date_from, date_to]`` (both inclusive), in date order."""
        self.ensure_one()
        segments = []
        for line in self.tariff_line_ids.sorted("date_from"):
            start = max(line.date_from, date_from)
            end = min(line.date_to or date_to, date_to)
            if start <= end:
                segments.append((line.tariff_id, start, end))
        return segments

    def _occupancy_segments(self, date_from, date_to, required=False):
        """``[(occupancy, start, end)]``: who pays on each part of the period.

        :raise UsageError: ``required`` and nobody occupies the unit then.
        """
        self.ensure_one()
        segments = []
        for occupancy in self.unit_id.occupancy_ids.sorted("date_start"):
            start = max(occupancy.date_start, date_from)
            end = min(occupancy.date_end or date_to, date_to)
            if start <= end:
                segments.append((occupancy, start, end))
        if required and not segments:
            raise UsageError(
                self.env._(
                    "Unit %(unit)s has no occupant between %(start)s and %(end)s: "
                    "record its occupancy (a vacancy for the owner) on the unit; "
                    "a later run bills the point.",
                    unit=self.unit_id.display_name,
                    start=format_date(self.env, date_from),
                    end=format_date(self.env, date_to),
                )
            )
        return segments

    # ------------------------------------------------------------
    # USAGE: readings -> meterkit Usage
    # ------------------------------------------------------------

    def _series_for(self, date_from, date_to):
        """:meth:`_fetch_series` for the meters of these points over the local
        days ``[date_from, date_to]``."""
        ranges = {}
        for point in self:
            bounds = local_day_bounds(date_from, date_to, point.site_id.tz)
            for meter in point.meter_ids:
                ranges[meter] = bounds
        return self._fetch_series(ranges)

    @api.model
    def _fetch_series(self, meter_ranges):
        """The live readings of each meter around and inside its range, read
        once through meter_base's consumption API and valued there for each
        part of the period (:meth:`_meter_usage`); boundaries by degree-days
        for the meters whose reading rule estimates so (RULES.md 5.5).

        :param meter_ranges: ``{meter: (start, end)}``, UTC naive instants.
        :return: ``{meter_id: meterkit.series.MeterSeries}``.
        """
        if not meter_ranges:
            return {}
        meters = self.env["meter.meter"].union(*meter_ranges)
        return self.env["meter.consumption"]._prefetch(
            meters,
            {meter.id: bounds for meter, bounds in meter_ranges.items()},
            method="rule",
        )

    def _meter_usage(self, series, start, end, cache=None):
        """Consumption by register of this point's meters on ``[start, end]``
        (local dates, inclusive): ``(by_register, notes, estimated)``. A meter
        replaced in the period counts up to its closing reading, its successor
        from its opening one (RULES.md 5.4); a period starting where the
        previous one stopped billing on estimates settles the difference
        (``cache["carried"]``, see ``meter.billing.run._carry_estimates``).

        :raise UsageError: a reading is missing or the series is invalid.
        """
        self.ensure_one()
        t0, t1 = local_day_bounds(start, end, self.site_id.tz)
        Consumption = self.env["meter.consumption"]
        usages = Consumption._usage(
            self.meter_ids,
            [(t0, t1)],
            prefetched=series,
            carried=(cache or {}).get("carried"),
        )
        by_register, notes, estimated = {}, [], False
        for meter in self.meter_ids:
            usage = usages.get((meter.id, t0, t1))
            if usage is None or None in usage.errors:
                raise UsageError(
                    self.env._(
                        "%(meter)s has no reading around %(start)s - %(end)s: "
                        "enter its readings at the start and end of the period "
                        "(or estimate them); a later run bills the point.",
                        meter=meter.display_name,
                        start=format_date(self.env, start),
                        end=format_date(self.env, end),
                    )
                )
            for register in sorted({*usage.by_register, *usage.errors}):
                if register in usage.errors:
                    raise UsageError(
                        Consumption._usage_error(
                            meter, register, usage.errors[register]
                        )
                    )
                found = usage.by_register[register]
                if not found.counted:
                    continue
                by_register[register] = (
                    by_register.get(register, Decimal(0)) + found.consumption
                )
                notes.append(Consumption._usage_note(meter, register, found))
                estimated |= found.estimated
        return by_register, notes, estimated

    def _usage(self, series, start, end, version, cache=None):
        """A :class:`meterkit.tariffs.Usage` of ``[start, end]`` with the bands
        of ``version``'s calendar read from the band registers, plus the notes
        of the readings used and the estimated flag."""
        calendar = version.tou_calendar_id
        components = version.component_ids
        tou_bands = set(
            components.filtered(lambda c: c.component_type == "tou_energy").mapped(
                "band_code"
            )
        )
        band_registers = {
            band.code: band.register
            for band in calendar.band_ids
            if band.register and band.code in tou_bands
        }
        # A meter without a register per band (e.g. one total register) gives
        # its bands from interval data: its total is never one band.
        needed = max(map(register_index, band_registers.values()), default=0)
        if any(meter.register_count < needed for meter in self.meter_ids):
            band_registers = {}
        by_register, notes, estimated = {}, [], False
        if band_registers or any(
            c.component_type in ("energy", "tiered") for c in components
        ):
            by_register, notes, estimated = self._meter_usage(series, start, end, cache)
        by_band = {
            code: by_register[register]
            for code, register in band_registers.items()
            if register in by_register
        }
        if tou_bands - set(by_band):
            by_band = {
                **self._interval_bands(start, end, calendar, cache),
                **by_band,
            }
            notes.append(
                self.env._(
                    "Time-of-use bands from 15-minute interval data (%(calendar)s).",
                    calendar=calendar.display_name,
                )
            )
        area = self.unit_id._get_basis("area", start)
        usage = Usage(
            period_start=start,
            period_end=end,
            consumption_by_register=by_register,
            consumption_by_band=by_band,
            area=as_decimal(area) if area else None,
            consumption_by_part=self._consumption_by_part(start, end, components),
        )
        return usage, notes, estimated

    def _interval_bands(self, start, end, calendar, cache=None):
        """Consumption per band of this point's meters from their interval
        data on ``[start, end]`` (local days): from the days prefetched for
        the batch (:meth:`_prefetch_intervals`), else one query."""
        days = self._prefetched(cache, "bands", calendar.id, start, end)
        if days is None:
            t0, t1 = local_day_bounds(start, end, self.site_id.tz)
            days = (
                self.env["meter.consumption"]
                ._interval_bands(self.meter_ids, [(t0, t1)], calendar._to_meterkit())
                .values()
            )
        totals = {}
        for bands in days:
            for band, value in bands.items():
                totals[band] = totals.get(band, Decimal(0)) + value
        if not any(totals.values()):
            raise UsageError(
                self.env._(
                    "No interval data between %(start)s and %(end)s for the "
                    "time-of-use bands of %(point)s: import the meters' "
                    "15-minute values ('Import Interval Data' in the Action menu "
                    "of a meter), or give the bands the registers of a "
                    "multi-rate meter.",
                    start=format_date(self.env, start),
                    end=format_date(self.env, end),
                    point=self.display_name,
                )
            )
        return totals

    def _peak_demand(self, start, end, cache=None):
        """Maximum demand (kW) of this point's meters together on ``[start,
        end]`` from their 15-minute interval data (None without data): the
        largest daily peak prefetched for the batch, else one query."""
        days = self._prefetched(cache, "peaks", None, start, end)
        if days is not None:
            return max(days, default=None) or None
        t0, t1 = local_day_bounds(start, end, self.site_id.tz)
        peaks = self.env["meter.consumption"]._coincident_peaks(
            self.meter_ids, [(t0, t1)]
        )
        return peaks[(t0, t1)] or None

    # ------------------------------------------------------------
    # INTERVAL DATA OF A BATCH: one call per run batch, not per point
    # ------------------------------------------------------------

    def _prefetch_intervals(self, starts, date_to, cache):
        """Read, for all these points at once, the interval data their tariffs
        bill on ``[starts[point], date_to]``, per local day: band energy (one
        :meth:`meter.consumption._interval_bands` call per calendar) and the
        coincident peak of each point's meters (one
        :meth:`meter.consumption._group_peaks` call). Any part of the period
        is then a sum (bands) or a maximum (peaks) of its days; the result is
        kept in ``cache`` for :meth:`_interval_bands` and :meth:`_peak_demand`.
        """
        days = {point: self._local_days(point, starts, date_to) for point in self}
        calendars, peak_points = self._interval_needs(starts, date_to)
        Consumption = self.env["meter.consumption"]
        prefetched = cache.setdefault("intervals", {})
        for calendar, points in calendars.items():
            periods = defaultdict(set)
            for point in points:
                for meter in point.meter_ids:
                    periods[meter.id].update(bounds for _day, bounds in days[point])
            bands = Consumption._interval_bands(
                points.meter_ids,
                {meter_id: sorted(spans) for meter_id, spans in periods.items()},
                calendar._to_meterkit(),
            )
            for point in points:
                for day, (t0, t1) in days[point]:
                    prefetched["bands", calendar.id, point.id, day] = [
                        bands[(meter.id, t0, t1)] for meter in point.meter_ids
                    ]
        if peak_points:
            peaks = Consumption._group_peaks(
                {
                    point.id: (point.meter_ids, [b for _d, b in days[point]])
                    for point in peak_points
                }
            )
            for point in peak_points:
                for day, (t0, t1) in days[point]:
                    prefetched["peaks", None, point.id, day] = [
                        peaks[(point.id, t0, t1)]
                    ]

    @staticmethod
    def _local_days(point, starts, date_to):
        """``[(day, (t0, t1))]``: each local day of ``point`` to bill and its
        naive UTC bounds."""
        day, result = starts[point], []
        while day <= date_to:
            result.append((day, local_day_bounds(day, day, point.site_id.tz)))
            day += timedelta(days=1)
        return result

    def _interval_needs(self, starts, date_to):
        """``({calendar: points}, points)``: the points whose tariffs bill
        time-of-use bands without a register (so from interval data) with each
        calendar, and those billing peak demand, on ``[starts[point],
        date_to]``."""
        calendars = defaultdict(lambda: self.browse())
        peak_points = self.browse()
        for point in self:
            for tariff, start, end in point._tariff_segments(starts[point], date_to):
                for version in tariff._versions_for(start, end):
                    components = version.component_ids
                    types = set(components.mapped("component_type"))
                    registers = {
                        band.code: band.register
                        for band in version.tou_calendar_id.band_ids
                    }
                    if "tou_energy" in types and any(
                        not registers.get(c.band_code)
                        for c in components
                        if c.component_type == "tou_energy"
                    ):
                        calendars[version.tou_calendar_id] |= point
                    if "demand_peak" in types:
                        peak_points |= point
        return calendars, peak_points

    def _prefetched(self, cache, kind, calendar_id, start, end):
        """The values prefetched for this point on each local day of ``[start,
        end]``, flattened; None when any day is missing (not prefetched)."""
        prefetched = (cache or {}).get("intervals")
        if not prefetched:
            return None
        values = []
        day = start
        while day <= end:
            found = prefetched.get((kind, calendar_id, self.id, day))
            if found is None:
                return None
            values += found
            day += timedelta(days=1)
        return values

    # ------------------------------------------------------------
    # BILLING: usage + tariff -> line values
    # ------------------------------------------------------------

    def _prepare_billing_lines(
        self, date_from, date_to, series, run_days, cache, tariff=None
    ):
        """Values of the ``meter.billing.line`` records of ``[date_from, date_to]``:
        one evaluation per occupant and tariff segment.

        :param run_days: days of the run's period: the basis of minimum charges
            and pro-rated blocks.
        :param cache: dict shared by a batch (meterkit versions).
        :param tariff: bill with this tariff instead of the assigned ones (what-if).
        :raise UsageError: the point cannot be billed (reason in the message).
        """
        self.ensure_one()
        occupancies = self._occupancy_segments(date_from, date_to, required=True)
        tariffs = (
            [(tariff, date_from, date_to)]
            if tariff
            else self._tariff_segments(date_from, date_to)
        )
        tariff_days = sum((end - start).days + 1 for _t, start, end in tariffs)
        if tariff_days != (date_to - date_from).days + 1:
            raise UsageError(
                self.env._(
                    "Billing point %(point)s has no tariff on some days between "
                    "%(start)s and %(end)s: assign it a tariff for those days "
                    "(Tariffs tab of the billing point).",
                    point=self.display_name,
                    start=format_date(self.env, date_from),
                    end=format_date(self.env, date_to),
                )
            )
        vals_list = []
        for occupancy, occ_start, occ_end in occupancies:
            for tariff, tariff_start, tariff_end in tariffs:
                start, end = max(occ_start, tariff_start), min(occ_end, tariff_end)
                if start <= end:
                    vals_list += self._prepare_tier_year_lines(
                        occupancy,
                        tariff,
                        start,
                        end,
                        series,
                        run_days,
                        cache,
                        done=vals_list,
                    )
        return vals_list

    def _prepare_tier_year_lines(
        self, occupancy, tariff, start, end, series, run_days, cache, done
    ):
        """:meth:`_prepare_segment_lines`; a tariff with annual tiers (RULES.md
        4.2) is cut at the start of each tier year, and each piece starts from
        what the occupant's tiered lines counted since the start of its tier year
        (billed before, or ``done`` in this computation)."""
        annual = tariff.version_ids.component_ids.filtered(
            lambda c: c.component_type == "tiered" and c.tier_period == "year"
        )
        if not annual:
            return self._prepare_segment_lines(
                occupancy, tariff, start, end, series, run_days, cache
            )
        counted = self._tier_counted(occupancy, tier_year_start(start), start) + [
            (vals["date_from"], vals["date_to"], as_decimal(vals["quantity"]))
            for vals in done
            if vals["component_type"] == "tiered"
            and vals["occupancy_id"] == occupancy.id
        ]
        vals_list = []
        for piece_start, piece_end in split_tier_years(start, end):
            lines = self._prepare_segment_lines(
                occupancy,
                tariff,
                piece_start,
                piece_end,
                series,
                run_days,
                cache,
                tier_base=tier_year_base(counted, piece_start),
            )
            counted += [
                (vals["date_from"], vals["date_to"], as_decimal(vals["quantity"]))
                for vals in lines
                if vals["component_type"] == "tiered"
            ]
            vals_list += lines
        return vals_list

    def _tier_counted(self, occupancy, date_from, before):
        """``[(date_from, date_to, quantity)]`` of the tiered lines billed to
        ``occupancy`` on this point from ``date_from`` to the day before
        ``before`` (reversed and deferred results do not count)."""
        self.ensure_one()
        lines = self.env["meter.billing.line"].search(
            [
                ("billing_point_id", "=", self.id),
                ("occupancy_id", "=", occupancy.id),
                ("component_type", "=", "tiered"),
                ("date_from", ">=", date_from),
                ("date_to", "<", before),
                ("result_id.state", "not in", FREE_STATES),
            ]
        )
        return [
            (line.date_from, line.date_to, as_decimal(line.quantity)) for line in lines
        ]

    def _prepare_segment_lines(
        self, occupancy, tariff, start, end, series, run_days, cache, tier_base=None
    ):
        versions = tariff._versions_for(start, end)
        if not versions:
            raise UsageError(
                self.env._(
                    "Tariff %(tariff)s has no version valid on %(date)s: add a "
                    "version starting on or before that day to the tariff.",
                    tariff=tariff.display_name,
                    date=format_date(self.env, start),
                )
            )
        capacity = self.capacity_kva
        by_date = {v.date_from: v for v in versions}
        vals_list = []
        try:
            consumption = [
                v._to_meterkit(capacity, CONSUMPTION_KINDS, cache) for v in versions
            ]
            per_period = [
                v._to_meterkit(capacity, PERIOD_KINDS, cache) for v in versions
            ]
            if any(v.components for v in consumption):
                vals_list += self._evaluate_consumption(
                    occupancy,
                    consumption,
                    by_date,
                    start,
                    end,
                    series,
                    run_days,
                    tier_base=tier_base,
                    cache=cache,
                )
            if any(v.components for v in per_period):
                vals_list += self._evaluate_per_period(
                    occupancy, per_period, by_date, tariff, start, end, cache
                )
        except MeterkitError as error:
            raise UsageError(
                self.env._(
                    "Tariff %(tariff)s: %(problem)s",
                    tariff=tariff.display_name,
                    problem=str(error),
                )
            ) from None
        return vals_list

    def _evaluate_per_period(
        self, occupancy, versions, by_date, tariff, start, end, cache=None
    ):
        """Line values of the charges billed per period (fixed, area, demand)
        of ``versions`` on ``[start, end]``, piece by piece of the tariff's
        period basis (calendar months or days)."""
        quantum = as_decimal(self.currency_id.rounding)
        needs_demand = any(
            c.kind == "demand_peak" for v in versions for c in v.components
        )
        vals_list = []
        for piece_start, piece_end, basis in basis_pieces(
            start, end, tariff.period_basis
        ):
            area = self.unit_id._get_basis("area", piece_start)
            usage = Usage(
                piece_start,
                piece_end,
                area=as_decimal(area) if area else None,
                peak_demand=(
                    self._peak_demand(piece_start, piece_end, cache)
                    if needs_demand
                    else None
                ),
            )
            lines = evaluate_period(
                versions, usage, basis, usage_by_segment=None, quantum=quantum
            )
            vals_list += [
                self._prepare_line_vals(occupancy, line, by_date) for line in lines
            ]
        return vals_list

    def _evaluate_consumption(
        self,
        occupancy,
        versions,
        by_date,
        start,
        end,
        series,
        run_days,
        tier_base=None,
        cache=None,
    ):
        segments = split_period(start, end, versions)
        usages, notes, estimated = [], {}, {}
        for segment in segments:
            version = by_date[segment.version.date_from]
            usage, seg_notes, seg_estimated = self._usage(
                series, segment.start, segment.end, version, cache
            )
            usages.append(usage)
            notes[segment.start] = "\n".join(seg_notes)
            estimated[segment.start] = seg_estimated
        whole = Usage(start, end, tier_base=tier_base or Decimal(0))
        lines = evaluate_period(
            versions,
            whole,
            run_days,
            usage_by_segment=usages,
            quantum=as_decimal(self.currency_id.rounding),
        )
        return [
            self._prepare_line_vals(
                occupancy,
                line,
                by_date,
                notes=notes.get(line.start),
                estimated=estimated.get(line.start, False),
            )
            for line in lines
            # a band with nothing to bill is no invoice line
            if line.kind != "tou_energy" or line.amount or line.quantity
        ]

    def _prepare_line_vals(self, occupancy, line, by_date, notes=None, estimated=False):
        component = self.env["meter.tariff.component"].browse(line.key)
        band = line.band or ""
        if line.tier:
            band = self.env._("block %(tier)s", tier=line.tier)
        label = line.label
        if line.contract_floor is not None:
            label = self.env._(
                "%(label)s: declared contract demand %(declared)s kW below 40%% of "
                "%(capacity)s kVA, billed as %(floor)s kW",
                label=label,
                declared=_plain(as_decimal(component.contract_demand)),
                capacity=_plain(as_decimal(self.capacity_kva)),
                floor=_plain(line.contract_floor),
            )
        return {
            "partner_id": occupancy.partner_id.id,
            "occupancy_id": occupancy.id,
            "sequence": line.sequence,
            "invoice_group": component.invoice_group or False,
            "name": label,
            "product_id": component.product_id.id,
            "component_id": component.id,
            "component_type": line.kind,
            "tariff_version_id": by_date[line.version_date].id,
            "date_from": line.start,
            "date_to": line.end,
            "days": line.days,
            "period_days": line.period_days,
            "band": band,
            "quantity": float(line.quantity),
            "price_unit": float(line.unit_price),
            "amount": float(line.amount),
            "amount_exact": float(line.exact_amount),
            "readings_note": notes or False,
            "is_estimated": estimated,
        }

    # ------------------------------------------------------------
    # DEMO
    # ------------------------------------------------------------

    @api.model
    def _demo_generate_intervals(self, point_ids, months):
        """Demo data: 15-minute interval values of the meters of the billing
        points for the last ``months`` full local months, shaped by a daily
        load profile; each month sums to the consumption of the meter's
        month-end reading (register T1), so intervals and readings agree."""
        first = fields.Date.context_today(self).replace(day=1)
        rows = []
        for point in self.browse(point_ids):
            tz_name = point.site_id.tz or "UTC"
            for meter in point.meter_ids:
                for back in range(months, 0, -1):
                    day = first - relativedelta(months=back)
                    start = local_midnight_utc(day, tz_name)
                    end = local_midnight_utc(day + relativedelta(months=1), tz_name)
                    reading = self.env["meter.reading"].search(
                        [
                            ("meter_id", "=", meter.id),
                            ("register", "=", "T1"),
                            ("read_at", "=", end),
                            ("state", "=", "valid"),
                        ],
                        limit=1,
                    )
                    total = as_decimal(reading.consumption or 300.0)
                    rows += _demo_month_rows(meter.id, start, end, tz_name, total)
        self.env["meter.interval"]._bulk_load(rows)


def _demo_month_rows(meter_id, start, end, tz_name, total):
    """``(meter_id, "T1", start, value)`` rows of the 15-minute intervals of
    ``[start, end)`` (naive UTC) summing to ``total`` kWh: little at night,
    a morning and an evening peak, less at weekends."""
    zone = ZoneInfo(tz_name)
    starts, weights = [], []
    at = start
    while at < end:
        local = at.replace(tzinfo=UTC).astimezone(zone)
        hour = local.hour
        weight = (
            0.4
            if hour < 6
            else 1.3
            if hour < 9
            else 0.9
            if hour < 17
            else 1.8
            if hour < 22
            else 0.6
        )
        if local.weekday() >= 5:
            weight *= 0.8
        weight *= 1 + (len(starts) * 7919 % 13) / 40  # some noise, repeatable
        starts.append(at)
        weights.append(as_decimal(weight))
        at += timedelta(minutes=15)
    scale = total / sum(weights)
    values = [(w * scale).quantize(Decimal("0.0001")) for w in weights]
    values[-1] += total - sum(values)  # the rounding rest
    return [(meter_id, "T1", at, kwh) for at, kwh in zip(starts, values, strict=True)]


def _plain(value):
    """A Decimal without trailing zeros nor exponent: 1000, 0.5."""
    return format(value.normalize(), "f")
