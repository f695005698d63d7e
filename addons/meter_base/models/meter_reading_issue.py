# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from meterkit import ConsumptionResult, Issue, as_decimal, codes, validate_series
from meterkit.estimates import spike_checks
from meterkit.quality import balance_issue, limit_issues, replacement_issue

from odoo import api, fields, models
from odoo.tools import format_date, format_datetime

from .meter_meter import REGISTERS

# The validation catalogue: stable codes of meterkit (never renamed).
ISSUE_CODES = [
    (codes.MISSING_PREVIOUS, "Missing previous reading"),
    (codes.NEGATIVE_CONSUMPTION, "Negative consumption"),
    (codes.EQUAL_READINGS, "Equal readings"),
    (codes.GAP_TOO_LONG, "Gap too long"),
    (codes.DUPLICATE_INSTANT, "Duplicate instant"),
    (codes.REPLACEMENT_WITHOUT_CLOSING, "Replacement without closing reading"),
    (codes.ABOVE_LIMIT, "Above the upper limit"),
    (codes.BELOW_LIMIT, "Below the lower limit"),
    (codes.BALANCE_MISMATCH, "Main meter vs sub-meters"),
    (codes.CONSUMPTION_SPIKE, "Unusual consumption"),
    (codes.BEFORE_COMMISSIONING, "Before commissioning"),
    (codes.ARCHIVED_METER, "After archiving"),
    (codes.NEGATIVE_VALUE, "Negative value"),
    (codes.NOT_INTEGER, "Not an integer"),
    (codes.TOO_MANY_DECIMALS, "Too many decimals"),
    (codes.ABOVE_ROLLOVER, "Above the rollover value"),
    (codes.ROLLOVER_IMPLAUSIBLE, "Implausible rollover"),
    (codes.NOT_NUMERIC, "Not a number"),
]
HISTORY_DAYS = 400  # readings checked: the last 13 months or so


class MeterReadingIssue(models.Model):
    """A data-quality finding on a reading or a meter, with a stable code.

    Issues are recomputed per site by "Check Data Quality" (or the nightly job):
    the previous findings of the site are replaced, so the list always shows
    the current state of the data.
    """

    _name = "meter.reading.issue"
    _description = "Reading Data-Quality Issue"
    _order = "site_id, severity, code, meter_id, read_at desc, id"
    _rec_name = "code"

    site_id = fields.Many2one(
        "meter.site", required=True, index=True, ondelete="cascade"
    )
    meter_id = fields.Many2one(
        "meter.meter", required=True, index=True, ondelete="cascade"
    )
    reading_id = fields.Many2one(
        "meter.reading", index="btree_not_null", ondelete="cascade"
    )
    register = fields.Selection(REGISTERS)
    read_at = fields.Datetime()
    code = fields.Selection(ISSUE_CODES, required=True, index=True)
    description = fields.Char(compute="_compute_description")
    severity = fields.Selection(
        [("error", "Error"), ("warning", "Warning")], required=True
    )
    message = fields.Char(required=True)
    detected_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    resource_id = fields.Many2one(related="meter_id.resource_id", store=True)
    building_id = fields.Many2one(related="meter_id.building_id", store=True)
    company_id = fields.Many2one(related="site_id.company_id", store=True)

    @api.depends("code")
    def _compute_description(self):
        for issue in self:
            issue.description = codes.DESCRIPTIONS.get(issue.code, "")

    # ------------------------------------------------------------
    # CHECKS
    # ------------------------------------------------------------

    @api.model
    def _cron_check_data_quality(self):
        """Nightly: recompute the issues of every active site, one site per
        committed step, each in its own company (``with_company``)."""
        sites = self.env["meter.site"].search(
            [("is_group", "=", False), ("state", "!=", "closed")]
        )
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(sites))
        for site in sites:
            self.with_company(site.company_id)._check_sites(site)
            if not cron._commit_progress(1):
                break

    @api.model
    def _check_sites(self, sites):
        """Replace the issues of ``sites`` (the sites below a portfolio group)
        by a fresh check; return them."""
        self.check_access("create")
        self.check_access("unlink")
        sites.check_access("read")
        sites = sites.search([("id", "child_of", sites.ids), ("is_group", "=", False)])
        today = fields.Date.context_today(self)
        vals_list = []
        for site in sites:
            vals_list += self._prepare_site_issues(site, today)
        self.search([("site_id", "in", sites.ids)]).unlink()
        return self.create(vals_list)

    def _prepare_site_issues(self, site, today):
        meters = (
            self.env["meter.meter"]
            .with_context(active_test=False)
            .search([("site_id", "=", site.id), ("kind", "!=", "virtual")])
        )
        if not meters:
            return []
        since = datetime.combine(today - timedelta(days=HISTORY_DAYS), time.min)
        Consumption = self.env["meter.consumption"]
        chains = Consumption._chains(meters, since=since)
        earlier = Consumption._chains_before(meters, since)
        found = []  # (meter, register, meterkit Issue, read_at)
        for (meter_id, register), rows in chains.items():
            meter = meters.browse(meter_id)
            found += [
                (meter, register, issue, at)
                for issue, at in self._chain_issues(
                    meter, rows, (meter_id, register) in earlier
                )
            ]
        found += self._replacement_issues(meters, chains)
        found += self._balance_issues(meters, today)
        return [
            {
                "site_id": site.id,
                "meter_id": meter.id,
                "reading_id": issue.key if isinstance(issue.key, int) else False,
                "register": register,
                "read_at": read_at,
                "code": issue.code,
                "severity": issue.severity,
                "message": f"{meter.name}: {issue.message}",
            }
            for meter, register, issue, read_at in found
        ]

    def _chain_issues(self, meter, rows, has_earlier):
        """meterkit's checks on one register chain ``rows`` (SeriesReading):
        [(Issue, read_at)]."""
        rule = meter.effective_rule_id.sudo()
        at = {row.key: row.read_at for row in rows}
        commissioning = meter.commissioning_date
        issues = validate_series(
            [row.point() for row in rows],
            commissioning=datetime.combine(commissioning, time.min)
            if commissioning
            else None,
            rollover_value=as_decimal(meter.rollover_value)
            if meter.rollover_value
            else None,
            max_gap_days=rule.max_gap_days if rule else 62,
            require_previous=not has_earlier and not meter.predecessor_id,
        )
        compared = [
            ConsumptionResult(row.key, row.read_at, row.value, row.consumption)
            for index, row in enumerate(rows)
            if (index or has_earlier) and not row.opening
        ]
        issues += limit_issues(
            compared,
            minimum=as_decimal(rule.consumption_min) if rule.consumption_min else None,
            maximum=as_decimal(rule.consumption_max) if rule.consumption_max else None,
        )
        issues += self._spike_issues(rows, meter._anomaly_factor()[0])
        return [(issue, at.get(issue.key)) for issue in issues]

    def _spike_issues(self, rows, factor):
        """Unusual consumptions nobody confirmed (e.g. stored by an import),
        above ``factor`` (the meter's rule, else its resource's default)."""
        if not factor:
            return []
        chain = [(row.read_at, row.consumption, row.opening) for row in rows]
        return [
            self._spike_issue(rows[position].key, chain[position], check, factor)
            for position, check in spike_checks(chain, factor=as_decimal(factor))
            if not rows[position].confirmed  # confirmed by who stored it
        ]

    def _spike_issue(self, reading_id, reading, check, factor):
        """``reading``: ``(read_at, consumption, opening)`` of the chain."""
        return Issue(
            codes.CONSUMPTION_SPIKE,
            reading_id,
            self.env._(
                "reading at %(at)s: consumption %(cons)s is %(ratio)s times the "
                "expected %(expected)s (factor %(factor)s), not confirmed: check "
                "the value, correct it or confirm it.",
                at=format_datetime(self.env, reading[0]),
                cons=reading[1],
                ratio=f"{check.ratio:.1f}",
                expected=f"{check.expected:.2f}",
                factor=f"{factor:g}",
            ),
            "warning",
        )

    def _replacement_issues(self, meters, chains):
        replaced = meters.filtered("successor_id")
        if not replaced:
            return []
        closings = self.env["meter.consumption"]._closing_meters(replaced)
        return [
            (meter, False, issue, False)
            for meter in replaced
            if (
                issue := replacement_issue(
                    meter.id in closings, label=f"replaced by {meter.successor_id.name}"
                )
            )
        ]

    def _balance_issues(self, meters, today):
        """Main meters against the sum of their sub-meters over the last full
        month (by reading instant)."""
        mains = meters.filtered(lambda m: m.kind == "main" and m.child_ids)
        if not mains:
            return []
        end = datetime.combine(today.replace(day=1), time.min)
        start = end - relativedelta(months=1)
        all_meters = mains | mains.child_ids
        totals = self.env["meter.consumption"]._totals(all_meters, start, end)
        found = []
        for main in mains.filtered(lambda m: m.id in totals):
            rule = main.effective_rule_id.sudo()
            issue = balance_issue(
                totals[main.id],
                [totals.get(child.id, Decimal(0)) for child in main.child_ids],
                as_decimal(rule.balance_tolerance if rule else 5.0),
                label=self.env._(
                    "%(start)s to %(end)s",
                    start=format_date(self.env, start.date()),
                    end=format_date(self.env, (end - timedelta(days=1)).date()),
                ),
            )
            if issue:
                found.append((main, False, issue, False))
        return found
