# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from meterkit import (
    ReadingError,
    admission_error,
    as_decimal,
    codes,
    consumption,
    parse_value,
)
from meterkit.admission import MAX_VALUE, local_day
from meterkit.estimates import (
    add_months,
    chain_intervals,
    consumption_anomaly,
    month_before,
)
from meterkit.portal import window_state
from meterkit.readings import max_consumption

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date, format_datetime

from .meter_meter import LIVE_STATES, REGISTERS

FROZEN_FIELDS = {
    "meter_id",
    "register",
    "read_at",
    "value",
    "is_rollover",
    "is_opening",
}


class MeterReading(models.Model):
    """A reading of one register of a meter at one instant (UTC).

    A reading is stored once: (meter, register, instant) is unique among live
    readings (valid or estimated). ``consumption`` is the difference to the previous
    live reading of the same register, times the meter's multiplier, across a
    recorded rollover; an opening reading (new meter after a replacement) starts
    at zero. A correction supersedes the reading and keeps it; values are never
    overwritten in place.
    """

    _name = "meter.reading"
    _description = "Meter Reading"
    _order = "read_at desc, id desc"
    _rec_name = "meter_id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    meter_id = fields.Many2one(
        "meter.meter", required=True, ondelete="restrict", check_company=True
    )
    register = fields.Selection(REGISTERS, required=True, default="T1")
    read_at = fields.Datetime(required=True, default=fields.Datetime.now)
    value = fields.Float(required=True, digits=(16, 4), aggregator="max")
    consumption = fields.Float(digits=(16, 4), readonly=True, aggregator="sum")
    source = fields.Selection(
        [
            ("resident", "Resident"),
            ("staff", "Staff"),
            ("gateway", "Gateway"),
            ("import", "Import"),
            ("api", "API"),
            ("estimate", "Estimate"),
        ],
        required=True,
        default="staff",
    )
    state = fields.Selection(
        [
            ("valid", "Valid"),
            ("estimated", "Estimated"),
            ("rejected", "Rejected"),
            ("superseded", "Superseded"),
        ],
        required=True,
        default="valid",
    )
    is_rollover = fields.Boolean(
        string="Counter Rolled Over",
        help="The counter wrapped past its rollover value since the previous reading.",
    )
    is_opening = fields.Boolean(
        string="Opening Reading",
        help="First reading of a meter (e.g. after a replacement): no consumption.",
    )
    is_closing = fields.Boolean(
        string="Closing Reading", help="Last reading of a meter before its removal."
    )
    anomaly_code = fields.Char(
        help="Validation code of an anomaly detected on this reading."
    )
    anomaly_confirmed_by_id = fields.Many2one("res.users", readonly=True)
    anomaly_confirmed_at = fields.Datetime(readonly=True)
    confirm_anomaly = fields.Boolean(
        string="Confirm Unusual Consumption",
        help="Tick to store a consumption far above the average of the last "
        "three months; who confirmed and when is kept.",
    )
    author_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True
    )
    evidence = fields.Text(help="Raw frame, file and line or note behind the value.")
    note = fields.Char()
    supersedes_id = fields.Many2one(
        "meter.reading", string="Corrects", readonly=True, index="btree_not_null"
    )
    superseded_by_id = fields.Many2one(
        "meter.reading", string="Corrected By", readonly=True, index="btree_not_null"
    )
    resource_id = fields.Many2one(related="meter_id.resource_id", store=True)
    verification_due = fields.Selection(
        related="meter_id.verification_due", string="Meter Verification"
    )
    verification_message = fields.Char(related="meter_id.verification_message")
    uom_id = fields.Many2one(related="meter_id.resource_id.uom_id")
    unit_id = fields.Many2one(related="meter_id.unit_id", store=True)
    building_id = fields.Many2one(related="meter_id.building_id", store=True)
    site_id = fields.Many2one(related="meter_id.site_id", store=True, index=True)
    # Not a plain related field: a new reading without a meter yet must offer
    # the meters of the current company, not only those without a company.
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        index=True,
    )

    _once_per_instant = models.UniqueIndex(
        "(meter_id, register, read_at) WHERE state IN ('valid', 'estimated')",
        "A meter register has only one live reading per instant.",
    )
    _value_positive = models.Constraint(
        "CHECK (value >= 0)", "A reading value cannot be negative."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("meter_id.company_id")
    def _compute_company_id(self):
        for reading in self:
            reading.company_id = reading.meter_id.company_id or self.env.company

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("meter_id", "register", "read_at", "value", "state")
    def _check_reading_admissible(self):
        for reading in self.filtered(lambda r: r.state in LIVE_STATES):
            meter = reading.meter_id
            allow_archived = reading.is_closing or self.env.context.get(
                "meter_allow_archived"
            )
            estimated = reading.state == "estimated"
            code = admission_error(
                meter._reading_rules(
                    allow_archived=allow_archived,
                    # Replacements, corrections and estimates are not submissions.
                    skip_window=bool(allow_archived or reading.is_opening or estimated),
                    skip_verification=estimated,
                ),
                reading.register,
                reading.read_at,
                as_decimal(reading.value),
            )
            if code:
                raise ValidationError(
                    self.env._(
                        "Reading of meter %(meter)s at %(at)s: %(error)s [%(code)s]",
                        meter=meter.name,
                        at=format_datetime(self.env, reading.read_at),
                        error=reading._admission_message(code),
                        code=code,
                    )
                )

    def _admission_message(self, code):
        """The user's words for an admission code of meterkit."""
        self.ensure_one()
        messages = {**self._meter_messages(), **self._rule_messages()}
        if code in messages:
            return messages[code]()
        if code == codes.NOT_INTEGER:
            return self.env._(
                "field 'Value' %s has decimals: only whole numbers are accepted.",
                self.value,
            )
        return self.env._(
            "field 'Value' %(value)s has more than %(dec)s decimal(s).",
            value=self.value,
            dec=self.meter_id.resource_id.decimals,
        )

    def _meter_messages(self):
        """``{code: message factory}`` of the refusals due to the meter, its
        site or the value itself."""
        meter = self.meter_id
        return {
            codes.NEGATIVE_VALUE: lambda: self.env._("field 'Value' is negative."),
            codes.VIRTUAL_METER: lambda: self.env._(
                "a virtual meter takes no readings."
            ),
            codes.CLOSED_SITE: lambda: self.env._(
                "site %s is closed.", meter.site_id.display_name
            ),
            codes.ARCHIVED_METER: lambda: self.env._("the meter is archived."),
            codes.BAD_REGISTER: lambda: self.env._(
                "field 'Register' %(reg)s exceeds the meter's %(count)s register(s).",
                reg=self.register,
                count=meter.register_count,
            ),
            codes.BEFORE_COMMISSIONING: lambda: self.env._(
                "field 'Read At' is before the commissioning date %s: enter "
                "the reading of that day or later, or correct the meter's "
                "field 'Commissioning Date'.",
                format_date(self.env, meter.commissioning_date),
            ),
            codes.ABOVE_ROLLOVER: lambda: self.env._(
                "field 'Value' %(value)s is not below the rollover value %(max)s.",
                value=self.value,
                max=meter.rollover_value,
            ),
            codes.ABOVE_CAPACITY: lambda: self.env._(
                "field 'Value' %(value)s is not below %(max)s, the largest reading "
                "of %(resource)s (set a rollover value on the meter if its "
                "register holds more).",
                value=self.value,
                max=meter.resource_id.max_value or MAX_VALUE,
                resource=meter.resource_id.name,
            ),
            codes.IN_THE_FUTURE: lambda: self.env._(
                "field 'Read At' %s is later than now: enter the date and time "
                "the meter was read.",
                format_datetime(self.env, self.read_at),
            ),
        }

    def _rule_messages(self):
        """``{code: message factory}`` of the refusals due to the reading rule
        in force (read as superuser: the user may not read the rule itself,
        only its name is shown)."""
        meter = self.meter_id
        rule_sudo = meter.effective_rule_id.sudo()
        return {
            codes.OUTSIDE_WINDOW: lambda: self._window_message(rule_sudo),
            codes.VERIFICATION_EXPIRED: lambda: self.env._(
                "the meter's verification expired on %(date)s and rule "
                "%(rule)s refuses its readings. Ask a technician to have it "
                "verified (then 'Verified' on the meter with the new "
                "verification date), or record its exchange with 'Replace "
                "Meter' on the meter and enter the reading on the new meter.",
                date=format_date(self.env, meter.next_verification_date) or "-",
                rule=rule_sudo.name,
            ),
            codes.READINGS_DISABLED: lambda: self.env._(
                "rule %(rule)s accepts no readings of %(resource)s.",
                rule=rule_sudo.name,
                resource=meter.resource_id.name,
            ),
        }

    def _window_message(self, rule):
        """A reading outside the submission window of ``rule``: the window,
        when it opens again after the reading's local day and what to do."""
        self.ensure_one()
        first, last = rule.window_first_day, rule.window_last_day
        day = local_day(self.read_at, self.meter_id.site_id.tz or None)
        state = window_state(day, first, last)
        return self.env._(
            "field 'Read At' (%(day)s) is outside the submission window of "
            "rule %(rule)s, day %(first)s to day %(last)s of each month. The "
            "window opens again on %(opens)s (until %(closes)s): enter the "
            "reading then, or ask a colleague allowed to enter readings outside "
            "the window.",
            day=format_date(self.env, day),
            rule=rule.name,
            first=first,
            last=last,
            opens=format_date(self.env, state.opens_on) if state else "-",
            closes=format_date(self.env, state.closes_on) if state else "-",
        )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_value_vals(vals)
        replaced = self._supersede_estimates(
            [
                (
                    vals.get("meter_id"),
                    vals.get("register", "T1"),
                    fields.Datetime.to_datetime(vals.get("read_at"))
                    or fields.Datetime.now(),
                    vals.get("value") or 0.0,
                )
                for vals in vals_list
                if vals.get("state", "valid") == "valid"
                and vals.get("source") != "estimate"
            ]
        )
        readings = super().create(vals_list)
        readings._recompute_consumption(readings._chain_bounds())
        readings._check_anomalies()
        readings._link_superseded_estimates(replaced)
        readings.filtered(lambda r: r.source == "resident")._notify_staff()
        return readings

    @api.model
    def _check_value_vals(self, vals):
        """Refuse a non-numeric or negative value with a message naming the
        meter and the field, before the database constraint would."""
        if "value" not in vals:
            return
        try:
            value = parse_value(vals["value"], field="Value")
        except ReadingError as error:
            meter = self.env["meter.meter"].browse(vals.get("meter_id"))
            raise ValidationError(
                self.env._(
                    "Reading of meter %(meter)s: %(error)s [%(code)s]",
                    meter=meter.exists().name or "?",
                    error=str(error),
                    code=error.code,
                )
            ) from error
        vals["value"] = float(value)

    def write(self, vals):
        if FROZEN_FIELDS & set(vals):
            raise UserError(
                self.env._(
                    "A reading is never overwritten: use 'Correct' to supersede it "
                    "with a new value (fields: %s).",
                    ", ".join(sorted(FROZEN_FIELDS & set(vals))),
                )
            )
        bounds = self._chain_bounds() if "state" in vals else {}
        result = super().write(vals)
        if bounds:
            self._recompute_consumption(bounds)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if self.filtered(lambda r: r.state == "superseded" or r.supersedes_id):
            raise UserError(
                self.env._(
                    "Corrected readings and their corrections are kept: to "
                    "change a value again, use 'Correct' on the current reading."
                )
            )

    def unlink(self):
        bounds = self._chain_bounds()
        result = super().unlink()
        self._recompute_consumption(bounds)
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_confirm_entry(self):
        """The explicit save of a new reading (the form saves the record
        before calling it; readers may create readings but never edit them, so
        the form has no save button of its own): confirm what was stored."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Reading saved"),
                "message": self.env._(
                    "Meter %(meter)s: %(value)s %(uom)s at %(at)s, consumption "
                    "%(cons)s since the previous reading.",
                    meter=self.meter_id.name,
                    value=self.value,
                    uom=self.uom_id.name or "",
                    at=fields.Datetime.to_string(
                        fields.Datetime.context_timestamp(self, self.read_at)
                    ),
                    cons=self.consumption,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_correct(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correct Reading"),
            "res_model": "meter.reading.correct",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reading_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS: corrections
    # ------------------------------------------------------------

    def _correct(self, value, reason, read_at=None, is_rollover=None):
        """Supersede this live reading by a new one with ``value``; return it.

        The old reading is kept (state ``superseded``) and linked both ways.
        """
        self.ensure_one()
        if self.state not in LIVE_STATES:
            raise UserError(
                self.env._(
                    "Only a valid or estimated reading can be corrected: correct "
                    "the reading that replaced it."
                )
            )
        vals = self._prepare_correction_vals(value, reason, read_at, is_rollover)
        self.with_context(meter_allow_archived=True).write({"state": "superseded"})
        new = self.with_context(meter_allow_archived=True).create(vals)
        self.superseded_by_id = new
        return new

    def _prepare_correction_vals(self, value, reason, read_at, is_rollover):
        return {
            "meter_id": self.meter_id.id,
            "register": self.register,
            "read_at": read_at or self.read_at,
            "value": value,
            "source": "staff",
            "state": "valid",
            "is_rollover": self.is_rollover if is_rollover is None else is_rollover,
            "is_opening": self.is_opening,
            "is_closing": self.is_closing,
            "supersedes_id": self.id,
            "confirm_anomaly": bool(self.env.context.get("meter_confirm_anomaly")),
            "note": reason,
            "evidence": self.env._(
                "Correction of %(old)s (value %(value)s): %(reason)s",
                old=self.id,
                value=self.value,
                reason=reason,
            ),
        }

    # ------------------------------------------------------------
    # BUSINESS: consumption
    # ------------------------------------------------------------

    def _chain_bounds(self):
        """{(meter_id, register): earliest instant touched} for these readings."""
        bounds = {}
        for reading in self:
            key = (reading.meter_id.id, reading.register)
            if key not in bounds or reading.read_at < bounds[key]:
                bounds[key] = reading.read_at
        return bounds

    def _fetch_chains(self, bounds):
        """Live readings of each chain from the last one before its bound, in one
        query: {(meter_id, register): [(id, value, rollover, opening, cons)]}."""
        values = SQL(", ").join(
            SQL("(%s, %s, %s::timestamp)", meter_id, register, start)
            for (meter_id, register), start in bounds.items()
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH b(meter_id, register, start) AS (VALUES %(values)s),
                anchor AS (
                    SELECT b.meter_id, b.register,
                           COALESCE((SELECT max(r.read_at) FROM meter_reading r
                                      WHERE r.meter_id = b.meter_id
                                        AND r.register = b.register
                                        AND r.state IN %(live)s
                                        AND r.read_at < b.start), b.start) AS start
                      FROM b)
                SELECT r.meter_id, r.register, r.id, r.value, r.is_rollover,
                       r.is_opening, r.consumption, r.read_at
                  FROM meter_reading r
                  JOIN anchor a ON a.meter_id = r.meter_id AND a.register = r.register
                 WHERE r.state IN %(live)s AND r.read_at >= a.start
                 ORDER BY r.meter_id, r.register, r.read_at
                """,
                values=values,
                live=LIVE_STATES,
            )
        )
        chains = defaultdict(list)
        for meter_id, register, *rest in rows:
            chains[(meter_id, register)].append(rest)
        return chains

    def _recompute_consumption(self, bounds):
        """Recompute the consumption of every live reading at or after each bound
        with meterkit, then store the changed values in one UPDATE.

        :raise ValidationError: naming the meter, instant and values when a value
            goes down without a recorded rollover or replacement.
        """
        if not bounds:
            return
        self.flush_model()
        chains = self._fetch_chains(bounds)
        meters = self.env["meter.meter"].browse({key[0] for key in chains})
        meters = {meter.id: meter for meter in meters}
        changes = []
        for key, rows in chains.items():
            changes += self._chain_changes(meters[key[0]], rows, bounds[key])
        if changes:
            self._store_consumption(changes)
        self.env["meter.meter"]._refresh_last_read({key[0] for key in bounds})

    def _chain_changes(self, meter, rows, bound):
        multiplier = as_decimal(meter.multiplier or 1)
        rollover = as_decimal(meter.rollover_value) if meter.rollover_value else None
        max_rate = meter._max_rate()
        previous = previous_at = None
        changes = []
        for reading_id, value, rolled, opening, stored, read_at in rows:
            if read_at < bound:
                previous, previous_at = value, read_at
                continue
            try:
                cons = consumption(
                    None if previous is None else as_decimal(previous),
                    as_decimal(value),
                    multiplier=multiplier,
                    rollover_value=rollover,
                    rolled_over=bool(rolled),
                    opening=bool(opening),
                    most=(
                        max_consumption(max_rate, previous_at, read_at)
                        if rolled and previous_at
                        else None
                    ),
                )
            except ReadingError as error:
                raise ValidationError(
                    self.env._(
                        "Reading of meter %(meter)s at %(at)s (value %(value)s, "
                        "previous %(prev)s): %(error)s [%(code)s]",
                        meter=meter.name,
                        at=format_datetime(self.env, read_at),
                        value=value,
                        prev=previous,
                        error=str(error),
                        code=error.code,
                    )
                ) from error
            if stored is None or as_decimal(stored) != cons:
                changes.append((reading_id, cons))
            previous, previous_at = value, read_at
        return changes

    def _store_consumption(self, changes):
        values = SQL(", ").join(
            SQL("(%s, %s::numeric)", rid, cons) for rid, cons in changes
        )
        self.env.execute_query(
            SQL(
                """
                UPDATE meter_reading r SET consumption = c.cons
                  FROM (VALUES %s) AS c(id, cons) WHERE r.id = c.id
                """,
                values,
            )
        )
        self.invalidate_model(["consumption"])

    # ------------------------------------------------------------
    # BUSINESS: unusual consumption
    # ------------------------------------------------------------

    def _check_anomalies(self):
        """Refuse a consumption above the factor in force (the reading rule's,
        else the resource's default) times the average monthly consumption of
        the three months before the previous reading, scaled to the days since
        it, unless the user ticked 'Confirm Unusual Consumption'; store who
        confirmed and when."""
        readings = self.filtered(
            lambda r: (
                r.state == "valid"
                and not r.is_opening
                and r.source != "estimate"
                and r.meter_id._anomaly_factor()[0]
            )
        )
        if not readings or self.env.context.get("meter_skip_anomaly"):
            return
        history = readings._anomaly_history()
        confirmed = self.browse()
        for reading in readings:
            rows = history.get((reading.meter_id.id, reading.register), [])
            check, previous_at = reading._anomaly_check(rows)
            if not check or not check.anomalous:
                continue
            if not reading.confirm_anomaly:
                raise reading._anomaly_error(check, previous_at)
            confirmed |= reading
        if confirmed:
            # The user confirmed readings they have just created; the
            # confirmation fields are system fields.
            confirmed.sudo().write(
                {
                    "anomaly_code": codes.CONSUMPTION_SPIKE,
                    "anomaly_confirmed_by_id": self.env.uid,
                    "anomaly_confirmed_at": fields.Datetime.now(),
                }
            )

    def _anomaly_error(self, check, previous_at):
        """The refusal of an unusual consumption nobody confirmed."""
        return ValidationError(self._anomaly_message(check, previous_at))

    def _anomaly_message(self, check, previous_at):
        """Explain an unusual consumption: the period the average was taken
        over, how the new consumption was scaled to compare, the factor in
        force and where it comes from, and what to do."""
        self.ensure_one()
        factor, origin = self.meter_id._anomaly_factor()
        days = (self.read_at - previous_at).total_seconds() / 86400
        uom = self.uom_id.name or ""
        return self.env._(
            "Reading of meter %(meter)s at %(at)s: consumption %(cons)s %(uom)s "
            "in %(days)s days since the previous reading (%(prev)s). The "
            "average of the three months before it (%(start)s to %(prev)s) is "
            "%(avg)s %(uom)s a month, i.e. %(expected)s %(uom)s for %(days)s "
            "days (monthly average x days / 30.44). The new consumption is "
            "%(ratio)s times that, above the factor %(factor)s of %(origin)s. "
            "Check the value; if it is right, tick 'Confirm Unusual "
            "Consumption' and save again. [%(code)s]",
            meter=self.meter_id.name,
            at=format_datetime(self.env, self.read_at),
            cons=f"{self.consumption:g}",
            uom=uom,
            days=f"{days:.1f}",
            prev=format_datetime(self.env, previous_at),
            start=format_datetime(self.env, add_months(previous_at, -3)),
            avg=f"{check.average_monthly:.2f}",
            expected=f"{check.expected:.2f}",
            ratio=f"{check.ratio:.1f}",
            factor=f"{factor:g}",
            origin=origin,
            code=codes.CONSUMPTION_SPIKE,
        )

    def _anomaly_history(self):
        """Live readings of these readings' chains over the four months before
        the earliest of them, in one query: {(meter_id, register):
        [SeriesReading]} in time order."""
        return self.env["meter.consumption"]._chains(
            self.meter_id,
            since=add_months(min(self.mapped("read_at")), -4),
            until=max(self.mapped("read_at")),
        )

    def _anomaly_check(self, rows):
        """meterkit's anomaly check of this reading against its chain ``rows``;
        ``(None, None)`` without a previous reading."""
        self.ensure_one()
        before = [row for row in rows if row.read_at < self.read_at]
        if not before:
            return None, None
        intervals = chain_intervals(
            [(row.read_at, row.consumption, row.opening) for row in before]
        )
        factor = self.meter_id._anomaly_factor()[0]
        check = consumption_anomaly(
            as_decimal(self.consumption),
            before[-1].read_at,
            self.read_at,
            intervals,
            factor=as_decimal(factor),
        )
        return check, before[-1].read_at

    # ------------------------------------------------------------
    # BUSINESS: estimates replaced by real readings
    # ------------------------------------------------------------

    @api.model
    def _supersede_estimates(self, keys):
        """Before real readings ``(meter_id, register, read_at, value)`` are
        stored, supersede the estimates they replace: the estimate of the month
        the reading falls in (stored at the start of the next month, or at the
        same instant), and the estimates the real value contradicts (an earlier
        one above it, a later one below it). Return {key: estimates}."""
        keys = [key for key in keys if key[0]]
        if not keys:
            return {}
        estimates = self.search(
            [
                ("meter_id", "in", list({key[0] for key in keys})),
                ("state", "=", "estimated"),
            ]
        )
        if not estimates:
            return {}
        # An estimate at a local month start stands for the month before it.
        chains = defaultdict(list)
        for estimate in estimates:
            start = month_before(estimate.read_at, estimate.site_id.tz)
            chains[(estimate.meter_id.id, estimate.register)].append((start, estimate))
        replaced = {}
        for key in keys:
            meter_id, register, read_at, value = key
            hit = self.browse(
                estimate.id
                for start, estimate in chains.get((meter_id, register), [])
                if start < read_at <= estimate.read_at
                or (estimate.read_at < read_at and estimate.value > value)
                or (estimate.read_at > read_at and estimate.value < value)
            )
            if hit:
                replaced[key] = hit
        superseded = self.browse().union(*replaced.values())
        if superseded:
            # Whoever may store a real reading (readers may not write readings)
            # replaces the estimates they can read: the change of state is the
            # system's consequence of the new reading, not an edit.
            self.check_access("create")
            superseded.sudo().with_context(meter_allow_archived=True).write(
                {"state": "superseded"}
            )
        return replaced

    def _link_superseded_estimates(self, replaced):
        """Point the estimates of ``replaced`` ({key: estimates}) at the real
        reading of their key among these readings (one write per reading)."""
        if not replaced:
            return
        reals = {}
        for real in self:
            reals.setdefault((real.meter_id.id, real.register, real.read_at), real.id)
        target = {}
        for (meter_id, register, read_at, _value), estimates in replaced.items():
            real_id = reals.get((meter_id, register, read_at), False)
            target.update(dict.fromkeys(estimates.ids, real_id))
        by_real = defaultdict(list)
        for estimate_id, real_id in target.items():
            by_real[real_id].append(estimate_id)
        # The estimates were superseded (as superuser) for these readings.
        for real_id, estimate_ids in by_real.items():
            self.browse(estimate_ids).sudo().write({"superseded_by_id": real_id})

    # ------------------------------------------------------------
    # BUSINESS: notifications
    # ------------------------------------------------------------

    def _notify_staff(self):
        """Tell the staff chosen on each meter's rule that residents submitted
        readings: one activity or e-mail per meter."""
        for meter, readings in self.grouped("meter_id").items():
            rule = meter.effective_rule_id.sudo()
            users = rule.notify_user_ids
            if not users:
                continue
            summary = self.env._("Readings submitted by a resident")
            note = self.env._(
                "%(count)s reading(s) of meter %(meter)s submitted: %(values)s",
                count=len(readings),
                meter=meter.name,
                values=", ".join(
                    f"{r.register} {r.value:g} ({fields.Datetime.to_string(r.read_at)})"
                    for r in readings
                ),
            )
            meter_sudo = meter.sudo()
            if rule.notify_mode == "email":
                meter_sudo.message_notify(
                    partner_ids=users.partner_id.ids, subject=summary, body=note
                )
                continue
            for user in users:
                meter_sudo.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=note,
                    user_id=user.id,
                )

    # ------------------------------------------------------------
    # BUSINESS: after a bulk load
    # ------------------------------------------------------------

    @api.model
    def _restore_estimates(self, replaced):
        """After a bulk load, link the superseded estimates to the real readings
        that replaced them; those whose real reading was refused become
        estimates again."""
        reals = self.search(
            [
                ("meter_id", "in", list({key[0] for key in replaced})),
                ("state", "=", "valid"),
                ("read_at", "in", list({key[2] for key in replaced})),
            ]
        )
        reals._link_superseded_estimates(replaced)
        orphans = (
            self.browse()
            .union(*replaced.values())
            .filtered(lambda e: not e.superseded_by_id)
        )
        if orphans:
            # They were superseded as superuser by _supersede_estimates.
            orphans.sudo().with_context(meter_allow_archived=True).write(
                {"state": "estimated"}
            )
