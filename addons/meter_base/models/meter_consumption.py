# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from meterkit import MissingReading, SeriesReading, as_decimal, boundary_text
from meterkit.estimates import degree_days
from meterkit.intervals import bands_of_starts, peak_demand, place_packed
from meterkit.series import MeterSeries, shown_time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .meter_meter import LIVE_STATES

#: how a boundary between two readings is valued: in time, by degree-days, or
#: as the reading rule in force on each meter says (its estimate method)
METHODS = ("linear", "degree_days", "rule")
EPOCH = datetime(1970, 1, 1)
QUANTUM = Decimal("0.0001")


class MeterConsumption(models.AbstractModel):
    """The one read path of readings: every reader of consumption (billing,
    data quality, estimates, anomaly checks, gateways, reports) asks here.

    One batched query reads the live readings (valid and estimated) of many
    meters; meterkit values them (:mod:`meterkit.series`): boundary values
    with their provenance (real, estimated, interpolated linearly or by
    degree-days, a replaced meter's opening or closing reading) and the
    consumption of each register across recorded rollovers and replacements.

    - :meth:`read_consumption` (RPC): JSON-able usages of meters over periods;
    - :meth:`_usage`: :class:`meterkit.PeriodUsage` per meter and period;
    - :meth:`_prefetch`: read once, value many times (the days and segments
      of a billing run): :class:`meterkit.series.MeterSeries` per meter, to
      pass to :meth:`_usage`;
    - :meth:`_usage_note`, :meth:`_usage_error`: the translated texts of a
      valued register and of a register that cannot be valued (calculation
      sheets, blocked billing);
    - :meth:`_series`: the live readings around periods, per register chain;
    - :meth:`_chains`: the live readings inside a window, per register chain;
    - :meth:`_last_values`, :meth:`_chains_before`, :meth:`_closing_meters`,
      :meth:`_totals`: the small questions data quality and screens ask;
    - :meth:`_interval_totals`, :meth:`_interval_bands`,
      :meth:`_interval_peaks`, :meth:`_coincident_peaks`,
      :meth:`_interval_series`, :meth:`_interval_arrays`: interval data
      (``meter.interval``) of many meters and periods, each in one or two
      queries.

    Readings are :class:`meterkit.SeriesReading` (key = the reading's id,
    values as Decimal). Access: the caller must be allowed to read the meters
    (checked here); record rules of readings follow those of meters.
    """

    _name = "meter.consumption"
    _description = "Consumption Read Path"

    # ------------------------------------------------------------
    # PUBLIC API
    # ------------------------------------------------------------

    @api.model
    def read_consumption(self, meter_ids, periods, method="linear"):
        """Consumption of meters over periods, per register, for RPC callers.

        :param meter_ids: ids of ``meter.meter`` records the user may read.
        :param periods: ``[[start, end], ...]``, UTC instants (ISO strings or
            datetimes), each half-open ``[start, end)``.
        :param method: ``linear`` (default) or ``degree_days`` (heat): how a
            boundary between two readings is interpolated.
        :return: one dict per meter, period and register: ``meter_id``,
            ``register``, ``start``, ``end``, ``consumption``, ``estimated``,
            ``start_value``, ``start_provenance``, ``end_value``,
            ``end_provenance``, ``reading_ids``; or, when the register cannot
            be valued, ``error`` (a stable meterkit code) and ``message``.
            Quantities are decimal strings.
        """
        meters = self.env["meter.meter"].browse(meter_ids).exists()
        periods = [
            (fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(end))
            for start, end in periods
        ]
        usages = self._usage(meters, periods, method=method)
        result = []
        for (meter_id, start, end), usage in usages.items():
            base = {"meter_id": meter_id, "start": str(start), "end": str(end)}
            for register, found in usage.by_register.items():
                result.append(dict(base, register=register, **_usage_dict(found)))
            for register, error in usage.errors.items():
                result.append(
                    dict(
                        base,
                        register=register or False,
                        error=error.code,
                        message=str(error),
                    )
                )
        return result

    @api.model
    def _usage(self, meters, periods, method="linear", prefetched=None, carried=None):
        """Value ``meters`` over ``periods`` with one query.

        :param meters: ``meter.meter`` records.
        :param periods: ``[(start, end)]`` (naive UTC) for every meter, or
            ``{meter_id: [(start, end)]}`` per meter (e.g. local days of each
            site).
        :param method: ``linear``, ``degree_days`` or ``rule`` (each meter as
            its reading rule in force estimates).
        :param prefetched: ``{meter_id: MeterSeries}`` from :meth:`_prefetch`
            covering the periods (no query then; ``method`` is the one given
            there).
        :param carried: ``{(meter_id, start): {register: Decimal}}``: the
            counter values a previous period was billed up to on estimates at
            ``start``; the difference is settled with the period (RU п. 61).
        :return: ``{(meter_id, start, end): meterkit.PeriodUsage}``; errors are
            collected per register in the usage, never raised.
        """
        if not isinstance(periods, dict):
            periods = dict.fromkeys(meters.ids, list(periods))
        if prefetched is None:
            ranges = {
                meter_id: (min(p[0] for p in spans), max(p[1] for p in spans))
                for meter_id, spans in periods.items()
                if spans
            }
            prefetched = self._prefetch(meters.browse(list(ranges)), ranges, method)
        carried = carried or {}
        usages = {}
        for meter_id, spans in periods.items():
            if meter_id not in prefetched:
                continue
            for start, end in spans:
                usages[(meter_id, start, end)] = prefetched[meter_id].usage(
                    start, end, carried=carried.get((meter_id, start))
                )
        return usages

    @api.model
    def _prefetch(self, meters, ranges, method="linear"):
        """The live readings of ``meters`` around their ranges (one query,
        :meth:`_series`) with each meter's valuation options (multiplier,
        rollover value, maximum rate, boundary weight).

        :param ranges: ``{meter_id: (start, end)}``, naive UTC.
        :return: ``{meter_id: meterkit.series.MeterSeries}`` of every meter
            of ``ranges`` (without chains when it has no reading there).
        """
        if method not in METHODS:
            raise UserError(self.env._("Unknown interpolation method %s.", method))
        meters = meters.browse(list(ranges))
        series = self._series(meters, ranges)
        chains = defaultdict(dict)
        for (meter_id, register), rows in series.items():
            chains[meter_id][register] = rows
        by_degree_days = self._degree_day_meters(meters, method)
        return {
            meter.id: MeterSeries(
                meter.id,
                chains.get(meter.id, {}),
                dict(
                    _meter_options(meter),
                    weight=degree_days if meter.id in by_degree_days else None,
                ),
            )
            for meter in meters
        }

    @api.model
    def _degree_day_meters(self, meters, method):
        """Ids of ``meters`` whose boundaries are valued by degree-days: all
        of them with ``degree_days``, none with ``linear``, and with ``rule``
        those whose reading rule in force estimates by degree-days (RULES.md
        5.5)."""
        if method != "rule":
            return set(meters.ids) if method == "degree_days" else set()
        meters.check_access("read")
        # The rule may sit on a portfolio group the reader cannot read.
        meters_sudo = meters.sudo()
        return {
            meter.id
            for meter in meters_sudo
            if meter.effective_rule_id.estimate_method == "degree_days"
        }

    # ------------------------------------------------------------
    # TEXTS
    # ------------------------------------------------------------

    @api.model
    def _usage_note(self, meter, register, usage):
        """The text of a valued register for a calculation sheet: its two
        boundaries (value at the resource's decimals, instant at the site's
        local time, where it comes from) and a settled estimate."""
        decimals = meter.resource_id.decimals
        tz = meter.site_id.tz or "UTC"
        note = self.env._(
            "%(meter)s: %(start)s -> %(end)s",
            meter=f"{meter.name} {register}",
            start=self._boundary_note(boundary_text(usage.start, decimals, tz)),
            end=self._boundary_note(boundary_text(usage.end, decimals, tz)),
        )
        if usage.recalculation:
            note += " " + self.env._(
                "+ recalculation %(delta)s: the previous period was billed up "
                "to %(billed)s on estimates",
                delta=usage.recalculation,
                billed=usage.carried,
            )
        return note

    def _boundary_note(self, text):
        if not text.interpolated:
            if text.estimated:
                return self.env._(
                    "%(value)s on %(at)s (estimated)", value=text.value, at=text.at
                )
            return self.env._("%(value)s on %(at)s", value=text.value, at=text.at)
        note = self.env._(
            "%(value)s interpolated on %(at)s between %(v1)s (%(t1)s) and %(v2)s "
            "(%(t2)s)",
            value=text.value,
            at=text.at,
            v1=text.before_value,
            t1=text.before_at,
            v2=text.after_value,
            t2=text.after_at,
        )
        if text.degree_days:
            note += " " + self.env._("by degree-days")
        if text.estimated:
            note += " " + self.env._("(estimated)")
        return note

    @api.model
    def _usage_error(self, meter, register, error):
        """The text of a register of ``meter`` that cannot be valued
        (``error`` from :class:`meterkit.PeriodUsage`): which reading is
        missing, at the site's local time, or the problem of the series."""
        label = f"{meter.name} {register}"
        if isinstance(error, MissingReading):
            tz = meter.site_id.tz or "UTC"
            at = shown_time(error.at, tz)
            if error.after:
                return self.env._(
                    "%(meter)s: no reading on or after %(at)s (%(tz)s): missing "
                    "reading.",
                    meter=label,
                    at=at,
                    tz=tz,
                )
            return self.env._(
                "%(meter)s: no reading on or before %(at)s (%(tz)s).",
                meter=label,
                at=at,
                tz=tz,
            )
        return self.env._("%(meter)s: %(problem)s", meter=label, problem=str(error))

    # ------------------------------------------------------------
    # READINGS
    # ------------------------------------------------------------

    @api.model
    def _series(self, meters, ranges):
        """Live readings of each meter around its range, in one query: per
        register, from the last reading at or before ``start`` to the first at
        or after ``end`` (the readings a boundary is valued from).

        :param ranges: ``{meter_id: (start, end)}``, naive UTC; a ``None``
            end means up to the last reading.
        :return: ``{(meter_id, register): [SeriesReading]}`` in time order.
        """
        return self._fetch(meters, ranges, around=True)

    @api.model
    def _chains(self, meters, since=None, until=None):
        """Live readings of ``meters`` with ``since <= read_at <= until``
        (either bound may be None), in one query.

        :return: ``{(meter_id, register): [SeriesReading]}`` in time order.
        """
        return self._fetch(meters, dict.fromkeys(meters.ids, (since, until)))

    def _fetch(self, meters, ranges, around=False):
        if not meters:
            return {}
        meters.check_access("read")
        self.env["meter.reading"].flush_model()
        ids = list(ranges)
        lower, upper = self._window_bounds(around)
        rows = self.env.execute_query(
            SQL(
                """
                WITH b AS (
                    SELECT * FROM unnest(%(ids)s::int[], %(t0)s::timestamp[],
                                         %(t1)s::timestamp[]) AS b(meter_id, t0, t1)
                )
                SELECT r.meter_id, r.register, r.id, r.read_at, r.value,
                       r.state = 'estimated', r.is_rollover IS TRUE,
                       r.is_opening IS TRUE, r.is_closing IS TRUE, r.consumption,
                       r.anomaly_confirmed_by_id IS NOT NULL
                  FROM b
                  JOIN meter_reading r ON r.meter_id = b.meter_id
                 WHERE r.state IN %(live)s
                   AND (b.t0 IS NULL OR r.read_at >= %(lower)s)
                   AND (b.t1 IS NULL OR r.read_at <= %(upper)s)
                 ORDER BY r.meter_id, r.register, r.read_at
                """,
                ids=ids,
                t0=[ranges[i][0] for i in ids],
                t1=[ranges[i][1] for i in ids],
                live=LIVE_STATES,
                lower=lower,
                upper=upper,
            )
        )
        chains = defaultdict(list)
        for meter_id, register, *row in rows:
            chains[(meter_id, register)].append(_series_reading(row))
        return dict(chains)

    def _window_bounds(self, around):
        """SQL bounds of a window ``b(t0, t1)`` on readings ``r``: the instants
        themselves, or (``around``) the last reading of the register at or
        before ``t0`` and the first at or after ``t1``."""
        if not around:
            return SQL("b.t0"), SQL("b.t1")
        lower = SQL(
            """COALESCE((SELECT max(p.read_at) FROM meter_reading p
                 WHERE p.meter_id = b.meter_id AND p.register = r.register
                   AND p.state IN %s AND p.read_at <= b.t0), b.t0)""",
            LIVE_STATES,
        )
        upper = SQL(
            """COALESCE((SELECT min(n.read_at) FROM meter_reading n
                 WHERE n.meter_id = b.meter_id AND n.register = r.register
                   AND n.state IN %s AND n.read_at >= b.t1), b.t1)""",
            LIVE_STATES,
        )
        return lower, upper

    @api.model
    def _last_values(self, meters, before=None, real_only=False):
        """Last live value of each register of ``meters`` (strictly before
        ``before`` if given; only valid readings with ``real_only``), in one
        query: ``{(meter_id, register): Decimal}``."""
        last = self._last_readings(meters, before=before, real_only=real_only)
        return {key: value for key, (_read_at, value) in last.items()}

    @api.model
    def _last_readings(self, meters, before=None, real_only=False):
        """As ``_last_values``, with the instant of each value:
        ``{(meter_id, register): (read_at, Decimal)}``."""
        rows = self._query(
            meters,
            SQL("DISTINCT ON (meter_id, register) meter_id, register, read_at, value"),
            SQL("read_at < %s", before) if before else None,
            SQL("ORDER BY meter_id, register, read_at DESC"),
            states=("valid",) if real_only else LIVE_STATES,
        )
        return {
            (m, reg): (read_at, as_decimal(value)) for m, reg, read_at, value in rows
        }

    @api.model
    def _chains_before(self, meters, before):
        """The register chains of ``meters`` with a live reading before
        ``before``: ``{(meter_id, register)}``."""
        rows = self._query(
            meters, SQL("DISTINCT meter_id, register"), SQL("read_at < %s", before)
        )
        return set(rows)

    @api.model
    def _closing_meters(self, meters):
        """The ids of ``meters`` that have a live closing reading."""
        rows = self._query(meters, SQL("DISTINCT meter_id"), SQL("is_closing"))
        return {meter_id for (meter_id,) in rows}

    @api.model
    def _totals(self, meters, start, end):
        """Stored consumption of each meter's live readings with ``start <=
        read_at < end`` (all registers; opening readings count nothing):
        ``{meter_id: Decimal}``, meters without readings left out."""
        rows = self._query(
            meters,
            SQL("meter_id, sum(consumption)"),
            SQL(
                "read_at >= %s AND read_at < %s AND is_opening IS NOT TRUE",
                start,
                end,
            ),
            SQL("GROUP BY meter_id"),
        )
        return {meter_id: as_decimal(total) for meter_id, total in rows}

    def _query(self, meters, select, condition=None, tail=None, states=LIVE_STATES):
        """``SELECT select FROM meter_reading`` for the readings of ``meters``
        in ``states`` matching ``condition``, then ``tail`` (order, group)."""
        if not meters:
            return []
        meters.check_access("read")
        self.env["meter.reading"].flush_model()
        return self.env.execute_query(
            SQL(
                "SELECT %s FROM meter_reading WHERE meter_id IN %s AND state IN %s "
                "AND %s %s",
                select,
                tuple(meters.ids),
                tuple(states),
                condition or SQL("TRUE"),
                tail or SQL(),
            )
        )

    # ------------------------------------------------------------
    # INTERVAL DATA
    # ------------------------------------------------------------
    # ``periods`` is ``[(start, end)]`` (naive UTC, half-open) for every
    # meter, or ``{meter_id: [(start, end)]}`` per meter; ``registers`` limits
    # the registers summed (None: all). Results are keyed by
    # ``(meter_id, start, end)``; values are Decimal kWh.

    @api.model
    def _interval_totals(self, meters, periods, registers=None):
        """Interval energy of each meter and period:
        ``{(meter_id, start, end): Decimal}`` (0 without data)."""
        rows = self._interval_query(
            meters,
            periods,
            registers,
            SQL("p.meter_id, p.t0, p.t1, sum(i.value)"),
            SQL("GROUP BY p.meter_id, p.t0, p.t1"),
        )
        result = dict.fromkeys(self._period_keys(meters, periods), Decimal(0))
        result.update({(m, t0, t1): as_decimal(v) for m, t0, t1, v in rows})
        return result

    @api.model
    def _interval_bands(self, meters, periods, calendar, registers=None):
        """Interval energy of each meter and period per time-of-use band.

        The bands are plain data: ``calendar`` is a
        :class:`meterkit.TouCalendar` (local time in ``calendar.tz``). The
        distinct interval starts are read once and given their band by
        :func:`meterkit.intervals.bands_of_starts`; PostgreSQL sums the values
        per meter, period and band through that start -> band table.

        :return: ``{(meter_id, start, end): {band: Decimal}}`` with every band
            of the calendar (0 without data).
        """
        starts = [
            start
            for (start,) in self._interval_query(
                meters, periods, registers, SQL("DISTINCT i.start")
            )
        ]
        result = {
            key: dict.fromkeys(calendar.bands, Decimal(0))
            for key in self._period_keys(meters, periods)
        }
        if not starts:
            return result
        rows = self._interval_query(
            meters,
            periods,
            registers,
            SQL("p.meter_id, p.t0, p.t1, b.band, sum(i.value)"),
            SQL("GROUP BY p.meter_id, p.t0, p.t1, b.band"),
            join=SQL(
                "JOIN unnest(%s::timestamp[], %s::varchar[]) AS b(start, band) "
                "ON b.start = i.start",
                starts,
                bands_of_starts(calendar, starts),
            ),
        )
        for meter_id, t0, t1, band, total in rows:
            result[(meter_id, t0, t1)][band] = as_decimal(total)
        return result

    @api.model
    def _interval_peaks(self, meters, periods, interval_minutes=15, registers=None):
        """Maximum demand (kW) of each meter and period, the registers summed
        per interval: ``{(meter_id, start, end): Decimal}``; periods without
        data are left out."""
        rows = self._interval_query(
            meters,
            periods,
            registers,
            SQL("p.meter_id, p.t0, p.t1, i.start, sum(i.value) AS energy"),
            SQL("GROUP BY p.meter_id, p.t0, p.t1, i.start"),
            wrap="SELECT meter_id, t0, t1, max(energy) FROM (%s) s GROUP BY 1, 2, 3",
        )
        return {
            (m, t0, t1): peak_demand([energy], interval_minutes)
            for m, t0, t1, energy in rows
        }

    @api.model
    def _coincident_peaks(self, meters, periods, interval_minutes=15, registers=None):
        """Maximum demand (kW) of ``meters`` together (feeders of one
        connection summed per interval) in each period of ``periods`` (a list
        for all meters): ``{(start, end): Decimal}``, 0 without data."""
        peaks = self._group_peaks(
            {0: (meters, periods)}, interval_minutes, registers=registers
        )
        return {(t0, t1): peak for (_group, t0, t1), peak in peaks.items()}

    @api.model
    def _group_peaks(self, groups, interval_minutes=15, registers=None):
        """:meth:`_coincident_peaks` of many groups of meters (e.g. the feeders
        of each billing point of a run) in one query.

        :param groups: ``{key: (meters, [(start, end)])}``, ``key`` an int.
        :return: ``{(key, start, end): Decimal}``, 0 without data.
        """
        result, keys = {}, []
        for group, (meters, periods) in groups.items():
            for t0, t1 in periods:
                result[(group, t0, t1)] = Decimal(0)
                keys += [(meter_id, t0, t1, group) for meter_id in meters.ids]
        meters = self.env["meter.meter"].browse(sorted({k[0] for k in keys}))
        rows = self._interval_query(
            meters,
            None,
            registers,
            keys=keys,
            select=SQL("p.grp, p.t0, p.t1, i.start, sum(i.value) AS energy"),
            tail=SQL("GROUP BY p.grp, p.t0, p.t1, i.start"),
            wrap="SELECT grp, t0, t1, max(energy) FROM (%s) s GROUP BY 1, 2, 3",
        )
        result.update(
            {(g, t0, t1): peak_demand([e], interval_minutes) for g, t0, t1, e in rows}
        )
        return result

    @api.model
    def _interval_series(self, meters, start, end, registers=None, units=None):
        """The interval values of ``meters`` on ``[start, end)``, registers
        summed per interval, for sharing and charts:
        ``{meter_id: {start: Decimal}}`` (meters without data are absent).

        :param units: a quantum such as ``Decimal("0.0001")``: values are then
            integers of that quantum (rounded half-up in SQL), which spares a
            Decimal per row to callers that compute on integers
            (:mod:`meterkit.solar`).
        """
        value = SQL("sum(i.value)")
        if units is not None:
            value = SQL("round(sum(i.value) / %s)::bigint", units)
        rows = self._interval_query(
            meters,
            [(start, end)],
            registers,
            SQL("i.meter_id, i.start, %s", value),
            SQL("GROUP BY i.meter_id, i.start"),
        )
        series = defaultdict(dict)
        convert = as_decimal if units is None else int
        for meter_id, at, total in rows:
            series[meter_id][at] = convert(total)
        return dict(series)

    @api.model
    def _interval_arrays(self, meters, start, end, step=900, quantum=QUANTUM):
        """The interval values of ``meters`` on ``[start, end)`` as one list
        per meter and register on the grid of ``step`` seconds from ``start``,
        for computations over every interval (solar sharing): ``{(meter_id,
        register): [int or None]}``, one item per grid slot (``None`` where
        the register has no value), values in integers of ``quantum`` (whose
        inverse is an integer, e.g. 0.0001; rounded half-up by PostgreSQL).
        Values off the grid are left out; meters without values are absent.

        Read from the packed months of ``meter.interval.pack`` (built first
        where missing or stale: one query to find them, two to build them),
        one query for all of them, decoded and placed in C
        (:func:`meterkit.intervals.place_packed`). Any other ``quantum``
        than 0.0001, or a read-only cursor (which cannot build packs), takes
        :meth:`_interval_arrays_sql`.
        """
        meters = meters.with_env(self.env)
        meters.check_access("read")
        Interval = self.env["meter.interval"]
        Interval.check_access("read")
        Interval.flush_model()
        if not meters or end <= start:
            return {}
        if quantum != QUANTUM or self.env.cr.readonly:
            return self._interval_arrays_sql(meters, start, end, step, quantum)
        Pack = self.env["meter.interval.pack"]
        Pack._refresh(meters.ids, start, end)
        rows = Pack._fetch(meters.ids, start, end)
        return place_packed(
            int((start - EPOCH).total_seconds()),
            int((end - EPOCH).total_seconds()),
            step,
            # psycopg2 hands bytea as memoryview, which never equals bytes
            (
                (
                    (meter_id, register),
                    int((month - EPOCH).total_seconds()),
                    bytes(seconds),
                    bytes(units),
                )
                for meter_id, register, month, seconds, units in rows
            ),
        )

    @api.model
    def _interval_arrays_sql(self, meters, start, end, step=900, quantum=QUANTUM):
        """:meth:`_interval_arrays` straight from ``meter_interval`` (every row
        converted by PostgreSQL), for any ``quantum``: one query of two arrays
        per register (seconds and values, in any order; PostgreSQL's integer
        arrays are parsed in C): a list comes back as it is when its seconds
        are the grid's, else it is placed slot by slot."""
        meters = meters.with_env(self.env)
        meters.check_access("read")
        Interval = self.env["meter.interval"]
        Interval.check_access("read")
        Interval.flush_model()
        if not meters or end <= start:
            return {}
        scale = 1 / quantum
        if scale != int(scale):
            raise ValueError(f"1 / {quantum} is not an integer")
        rows = self.env.execute_query(
            SQL(
                """
                SELECT meter_id, register,
                       array_agg(date_part('epoch', start)::bigint),
                       array_agg((value * %s)::bigint)
                  FROM meter_interval
                 WHERE meter_id IN %s AND start >= %s AND start < %s
              GROUP BY meter_id, register
                """,
                int(scale),
                tuple(meters.ids),
                start,
                end,
            )
        )
        first = int((start - EPOCH).total_seconds())
        count = -(-int((end - start).total_seconds()) // step)
        grid = list(range(first, first + count * step, step))
        result = {}
        for meter_id, register, seconds, values in rows:
            if seconds != grid:
                placed = [None] * count
                for second, value in zip(seconds, values, strict=True):
                    slot, off = divmod(second - first, step)
                    if not off:
                        placed[slot] = value
                values = placed
            result[(meter_id, register)] = values
        return result

    def _period_keys(self, meters, periods):
        if isinstance(periods, dict):
            return [(m, t0, t1) for m, spans in periods.items() for t0, t1 in spans]
        return [(m, t0, t1) for m in meters.ids for t0, t1 in periods]

    def _interval_query(
        self,
        meters,
        periods,
        registers,
        select,
        tail=None,
        join=None,
        wrap=None,
        keys=None,
    ):
        """``SELECT select`` over the interval values ``i`` of ``meters`` inside
        each period ``p(meter_id, t0, t1, grp)``, then ``tail``; ``wrap`` (an
        SQL text with one ``%s``) wraps the query; ``keys`` (``[(meter_id, t0,
        t1, grp)]``) replaces ``periods`` when meters are grouped (``grp`` is 0
        otherwise). Checks the user of this environment may read the meters."""
        meters = meters.with_env(self.env)
        meters.check_access("read")
        self.env["meter.interval"].check_access("read")
        self.env["meter.interval"].flush_model()
        readable = set(meters.ids)
        if keys is None:
            keys = [(*k, 0) for k in self._period_keys(meters, periods)]
        keys = [k for k in keys if k[0] in readable]
        if not keys:
            return []
        query = SQL(
            """
            SELECT %(select)s
              FROM unnest(%(ids)s::int[], %(t0)s::timestamp[], %(t1)s::timestamp[],
                          %(grp)s::int[])
                   AS p(meter_id, t0, t1, grp)
              JOIN meter_interval i ON i.meter_id = p.meter_id
               AND i.start >= p.t0 AND i.start < p.t1
              %(join)s
             WHERE %(registers)s
             %(tail)s
            """,
            select=select,
            ids=[k[0] for k in keys],
            t0=[k[1] for k in keys],
            t1=[k[2] for k in keys],
            grp=[k[3] for k in keys],
            join=join or SQL(),
            registers=(
                SQL("i.register IN %s", tuple(registers)) if registers else SQL("TRUE")
            ),
            tail=tail or SQL(),
        )
        if wrap:
            query = SQL(wrap, query)
        return self.env.execute_query(query)


def _series_reading(row):
    """A row of :meth:`MeterConsumption._fetch` (after meter and register) as
    a SeriesReading; ``flags`` are estimated, rolled over, opening, closing."""
    rid, read_at, value, *flags, cons, confirmed = row
    return SeriesReading(
        rid,
        read_at,
        as_decimal(value),
        *flags,
        consumption=as_decimal(cons),
        confirmed=confirmed,
    )


def _meter_options(meter):
    rollover = meter.rollover_value
    return {
        "multiplier": as_decimal(meter.multiplier or 1),
        "rollover_value": as_decimal(rollover) if rollover else None,
        "max_rate": meter._max_rate(),
    }


def _text(quantity):
    """A Decimal as plain text without trailing zeros: ``31.00`` -> ``31``."""
    return format(quantity.normalize(), "f")


def _usage_dict(usage):
    return {
        "consumption": _text(usage.consumption),
        "estimated": usage.estimated,
        "start_value": _text(usage.start.value),
        "start_provenance": usage.start.provenance,
        "end_value": _text(usage.end.value),
        "end_provenance": usage.end.provenance,
        "reading_ids": list(usage.readings),
    }
