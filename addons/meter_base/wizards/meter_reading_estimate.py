# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from dateutil.relativedelta import relativedelta
from meterkit import ReadingError, ReadingPoint, as_decimal
from meterkit.estimates import (
    Interval,
    estimate_average,
    estimate_degree_days,
    estimate_last_year,
    local_midnight_utc,
    missing_month_starts,
    month_before,
)

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

_logger = logging.getLogger(__name__)

METHODS = [
    ("average", "Average, then norm (RU п. 59/60)"),
    ("last_year", "Same period last year"),
    ("degree_days", "Degree-day interpolation (HeizkostenV §9a)"),
]


class MeterReadingEstimate(models.TransientModel):
    """Estimate the missing monthly readings of meters.

    *Average* and *same period last year* extend a chain after its last reading
    up to the end date, one reading at each local month start; *degree-day
    interpolation* fills the month starts missing between two real readings.
    Estimates are live readings (state ``estimated``, source ``estimate``) that
    a real reading of the same month supersedes later.
    """

    _name = "meter.reading.estimate"
    _inherit = ["meter.wizard.reopen"]
    _description = "Estimate Missing Readings"

    meter_ids = fields.Many2many(
        "meter.meter",
        string="Meters",
        required=True,
        default=lambda self: (
            self.env.context.get("active_model") == "meter.meter"
            and self.env.context.get("active_ids")
        ),
    )
    method = fields.Selection(METHODS, required=True, default="average")
    date_to = fields.Date(
        string="Estimate Up To", required=True, default=fields.Date.context_today
    )
    months = fields.Integer(
        string="Average Over (months)",
        default=6,
        help="Used when the meter's rule sets none.",
    )
    max_periods = fields.Integer(
        string="Average For (periods)",
        default=3,
        help="Used when the meter's rule sets none.",
    )
    report = fields.Text(readonly=True)
    estimate_ids = fields.Many2many("meter.reading", readonly=True)

    def action_estimate(self):
        self.ensure_one()
        idle = []
        readings, skipped = self._estimate_missing(
            self.meter_ids,
            self.method,
            self.date_to,
            months=self.months,
            max_periods=self.max_periods,
            idle=idle,
        )
        if not readings and (skipped or idle):
            raise UserError(
                "\n".join(
                    [self.env._("No estimated reading was stored:"), *skipped, *idle]
                )
            )
        self.estimate_ids = readings
        self.report = "\n".join(
            [self.env._("%s estimated reading(s) stored.", len(readings)), *skipped]
        )
        return self._reopen()

    def action_open_estimates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_base.meter_reading_action"
        )
        action["domain"] = [("id", "in", self.estimate_ids.ids)]
        action["context"] = {}
        return action

    @api.model
    def _estimate_missing(
        self, meters, method, date_to, months=6, max_periods=3, idle=None
    ):
        """Create the estimates of ``meters`` up to ``date_to`` with ``method``;
        return ``(readings, skipped)`` where ``skipped`` names each chain that
        could not be estimated and why. ``idle`` (a list) receives why each
        chain that needed nothing got nothing."""
        meters = meters.filtered(
            lambda m: m.kind != "virtual" and m.status != "archived"
        )
        chains = self.env["meter.consumption"]._chains(meters)
        vals_list, skipped = [], []
        for meter in meters:
            rule = meter.effective_rule_id.sudo()
            options = {
                "months": rule.estimate_months or months,
                "max_periods": rule.estimate_max_periods if rule else max_periods,
                "norm_monthly": as_decimal(rule.norm_monthly)
                if rule.norm_monthly
                else None,
            }
            for index in range(1, meter.register_count + 1):
                register = f"T{index}"
                rows = chains.get((meter.id, register), [])
                try:
                    estimates = self._estimates_of_chain(
                        meter, rows, method, date_to, options
                    )
                except ReadingError as error:
                    skipped.append(
                        f"{meter.name} {register}: {error}"
                        + self._norm_hint(meter, options, date_to)
                    )
                    continue
                if not estimates and idle is not None:
                    idle.append(
                        f"{meter.name} {register}: "
                        + self._nothing_reason(meter, rows, method, date_to)
                    )
                vals_list += [
                    self._prepare_estimate_vals(meter, register, estimate, method)
                    for estimate in estimates
                ]
        readings = (
            self.env["meter.reading"]
            .with_context(meter_skip_anomaly=True)
            .create(vals_list)
        )
        return readings, skipped

    @api.model
    def _cron_estimate_missing(self, batch_size=200):
        """Nightly: estimate the months that ended without a reading on the
        meters whose rule asks for it, in batches committed one by one, each
        meter in its own company (``with_company``)."""
        rules = self.env["meter.rule"].search(
            [("estimate_auto", "=", True), ("level", "in", ("building", "site"))]
        )
        if not rules:
            return
        meters = (
            self.env["meter.meter"]
            .search(
                [
                    ("resource_id", "in", rules.resource_id.ids),
                    ("kind", "!=", "virtual"),
                    ("status", "!=", "archived"),
                    "|",
                    ("building_id", "in", rules.building_id.ids),
                    (
                        "site_id",
                        "in",
                        rules.filtered(lambda r: not r.building_id).site_id.ids,
                    ),
                ]
            )
            .filtered(lambda m: m.effective_rule_id.estimate_auto)
        )
        yesterday = fields.Date.context_today(self) - relativedelta(days=1)
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(meters))
        for batch in split_every(batch_size, meters.ids, meters.browse):
            for (company, method), group in batch.grouped(
                lambda m: (m.company_id, m.effective_rule_id.estimate_method)
            ).items():
                readings, skipped = self.with_company(company)._estimate_missing(
                    group, method, yesterday
                )
                _logger.info(
                    "Estimates (%s): %s stored, %s chain(s) skipped: %s",
                    method,
                    len(readings),
                    len(skipped),
                    "; ".join(skipped[:5]),
                )
            if not cron._commit_progress(len(batch)):
                break

    def _estimates_of_chain(self, meter, rows, method, date_to, options):
        """Estimates of one register chain ``rows`` (SeriesReading).

        A month is missing when no live reading falls in it (a reading at a
        local month start closes the month before): its estimate is stored at
        the start of the next month. The average uses real readings only, and
        the periods already estimated at the end of the chain count towards the
        limit before the norm.
        """
        if not rows:
            return []
        tz = meter.site_id.tz
        rule = meter.effective_rule_id.sudo()
        decimals = 0 if rule.integers_only else meter.resource_id.decimals
        rollover = as_decimal(meter.rollover_value) if meter.rollover_value else None
        end = local_midnight_utc(date_to + relativedelta(days=1), tz)
        if method == "degree_days":
            return self._degree_day_estimates(rows, end, tz, decimals, rollover)
        last = ReadingPoint(rows[-1].read_at, rows[-1].value)
        instants = missing_month_starts(last.read_at, end, tz)
        if not instants:
            return []
        history = [
            Interval(prev.read_at, row.read_at, row.consumption)
            for prev, row in zip(rows, rows[1:], strict=False)
            if not row.opening and not row.estimated and not prev.estimated
        ]
        if method == "last_year":
            return estimate_last_year(
                last, instants, history, decimals=decimals, rollover_value=rollover
            )
        trailing = len(rows) - next(
            (i + 1 for i in range(len(rows) - 1, -1, -1) if not rows[i].estimated), 0
        )
        norm = options["norm_monthly"]
        # RU п. 60: the norm per registered person times the persons
        norms = [
            norm * as_decimal(persons) if norm and persons else None
            for persons in self._persons(meter, instants)
        ]
        return estimate_average(
            last,
            instants,
            history,
            months=options["months"],
            max_periods=max(options["max_periods"] - trailing, 0),
            norm_monthly=norms,
            decimals=decimals,
            rollover_value=rollover,
            per_month=True,
            tz=tz,
        )

    def _persons(self, meter, instants):
        """Registered persons of the meter's unit in the month each estimate at
        ``instants`` stands for: the occupancy's, else the unit's dated basis
        (0 when neither is known, or the meter is not a unit's)."""
        unit = meter.unit_id
        result = []
        for instant in instants:
            day = month_before(instant, meter.site_id.tz)
            day = fields.Datetime.context_timestamp(
                self.with_context(tz=meter.site_id.tz or "UTC"), day
            ).date()
            occupancy = unit.occupancy_ids.filtered(
                lambda o, d=day: o.date_start <= d <= (o.date_end or d)
            )[:1]
            result.append(
                occupancy.persons or (unit and unit._get_basis("persons", day)) or 0
            )
        return result

    def _norm_hint(self, meter, options, date_to):
        """Why the norm could not take over, when the rule has a norm."""
        month_end = local_midnight_utc(
            date_to + relativedelta(months=1, day=1), meter.site_id.tz
        )
        if options["norm_monthly"] and not any(self._persons(meter, [month_end])):
            return " " + self.env._(
                "(the norm is per registered person: %(unit)s has no persons on "
                "its occupancy or its allocation bases)",
                unit=meter.unit_id.display_name or meter.display_name,
            )
        return ""

    def _nothing_reason(self, meter, rows, method, date_to):
        """Why a chain got no estimate."""
        if not rows:
            return self.env._("no reading to start from.")
        last = fields.Datetime.to_string(rows[-1].read_at)
        if method != "degree_days":
            return self.env._(
                "no month without a reading up to %(date)s (last reading %(last)s).",
                date=date_to,
                last=last,
            )
        reals = [row for row in rows if not row.estimated]
        end = local_midnight_utc(date_to + relativedelta(days=1), meter.site_id.tz)
        if not reals or missing_month_starts(reals[-1].read_at, end, meter.site_id.tz):
            return self.env._(
                "degree-day interpolation fills months between two real readings; "
                "the months after the last real reading (%(last)s) need the next "
                "real reading first, or the average method.",
                last=fields.Datetime.to_string(reals[-1].read_at) if reals else last,
            )
        return self.env._(
            "no month is missing between the real readings up to %(date)s.",
            date=date_to,
        )

    def _degree_day_estimates(self, rows, end, tz, decimals, rollover):
        """Degree-day estimates of the month starts missing between two
        consecutive real readings of a chain."""
        estimates = []
        for before, after in zip(rows, rows[1:], strict=False):
            if before.estimated or after.estimated or after.opening:
                continue  # anchors are consecutive real readings
            instants = [
                t
                for t in missing_month_starts(before.read_at, end, tz)
                if t < after.read_at
            ]
            if instants:
                estimates += estimate_degree_days(
                    ReadingPoint(before.read_at, before.value),
                    ReadingPoint(after.read_at, after.value),
                    instants,
                    decimals=decimals,
                    rollover_value=rollover,
                )
        return estimates

    def _prepare_estimate_vals(self, meter, register, estimate, method):
        labels = dict(METHODS)
        return {
            "meter_id": meter.id,
            "register": register,
            "read_at": estimate.read_at,
            "value": float(estimate.value),
            "source": "estimate",
            "state": "estimated",
            "is_rollover": estimate.rolled_over,
            "note": self.env._("Estimate (%s)", estimate.basis),
            "evidence": self.env._(
                "Estimated by %(method)s, basis %(basis)s, consumption %(cons)s.",
                method=labels[method],
                basis=estimate.basis,
                cons=estimate.consumption,
            ),
        }
