# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from dateutil.relativedelta import relativedelta
from meterkit import MeterRules, as_decimal, codes, latest_instant
from meterkit.estimates import local_midnight_utc
from meterkit.readings import REGISTER_NAMES
from meterkit.verification import (
    RULE_COMMISSIONING,
    RULE_LAST_VERIFICATION,
    RULE_NEXT_DATE,
    verification_check,
)

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date, split_every

REGISTERS = [(name, name) for name in REGISTER_NAMES]
# Readings that count: the others are rejected or superseded (kept as history).
LIVE_STATES = ("valid", "estimated")
OUTSIDE_WINDOW_GROUP = "meter_base.meter_base_group_outside_window"


class MeterMeter(models.Model):
    """A physical or virtual meter placed in a unit, a building or a site.

    ``kind`` says what it measures (a unit's individual consumption, a common
    area, the main supply, a production such as solar, or a virtual sum);
    ``parent_id`` is the upstream meter used for balance checks. Multi-rate meters
    have up to 8 registers (T1..T8). A replaced meter keeps its readings and is
    archived; its ``successor_id`` continues the consumption.
    """

    _name = "meter.meter"
    _description = "Meter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "site_id, building_id, unit_id, name, id"
    _check_company_auto = True
    _rec_names_search = ["name", "serial_number"]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(string="Identifier", required=True, tracking=True)
    serial_number = fields.Char(tracking=True, index=True)
    brand = fields.Char()
    model = fields.Char()
    active = fields.Boolean(default=True)
    resource_id = fields.Many2one(
        "meter.resource", required=True, ondelete="restrict", tracking=True
    )
    uom_id = fields.Many2one(related="resource_id.uom_id")
    kind = fields.Selection(
        [
            ("individual", "Individual"),
            ("common", "Common"),
            ("main", "Main"),
            ("production", "Production"),
            ("virtual", "Virtual"),
        ],
        required=True,
        default="individual",
        tracking=True,
    )
    status = fields.Selection(
        [
            ("active", "Active"),
            ("verification", "Verification"),
            ("archived", "Archived"),
        ],
        required=True,
        default="active",
        tracking=True,
        help="Verification: the meter's calibration is due; its readings need a "
        "check. Archived: removed or replaced, kept with its history.",
    )
    unit_id = fields.Many2one(
        "meter.unit", index=True, ondelete="restrict", check_company=True, tracking=True
    )
    building_id = fields.Many2one(
        "meter.building",
        compute="_compute_building_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    site_id = fields.Many2one(
        "meter.site",
        compute="_compute_site_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_group', '=', False)]",
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    parent_id = fields.Many2one(
        "meter.meter",
        string="Upstream Meter",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="Meter upstream of this one: its consumption is compared with the sum "
        "of its sub-meters.",
    )
    child_ids = fields.One2many("meter.meter", "parent_id", string="Sub-meters")
    commissioning_date = fields.Date(tracking=True)
    decommissioning_date = fields.Date(tracking=True)
    verification_interval_years = fields.Integer(
        string="Verification Interval (years)", tracking=True
    )
    last_verification_date = fields.Date(tracking=True)
    next_verification_date = fields.Date(
        compute="_compute_next_verification_date",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    multiplier = fields.Float(
        default=1.0,
        digits=(16, 6),
        help="Factor applied to the register difference (CT/VT ratio, pulse value).",
    )
    rollover_value = fields.Float(
        digits=(16, 4),
        help="Value at which the counter wraps to zero (10^digits), e.g. 100000 for "
        "a five-digit register. Empty: the counter never wraps.",
    )
    max_rate = fields.Float(
        string="Maximum rate per hour",
        digits=(16, 4),
        help="Most this meter can count in an hour, after the multiplier (maximum "
        "flow or power): a recorded rollover implying more consumption in the "
        "time since the previous reading is refused. Empty: the resource's.",
    )
    register_count = fields.Integer(
        string="Registers",
        default=1,
        required=True,
        help="Number of registers (tariff rates T1..T8).",
    )
    predecessor_id = fields.Many2one(
        "meter.meter",
        string="Replaces",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    successor_id = fields.Many2one(
        "meter.meter",
        string="Replaced By",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    reading_ids = fields.One2many("meter.reading", "meter_id", string="Readings")
    reading_count = fields.Integer(compute="_compute_last_reading")
    last_read_at = fields.Datetime(
        string="Last Reading",
        readonly=True,
        copy=False,
        help="Instant of the last valid or estimated reading; kept up to date by "
        "every path that writes readings.",
    )
    last_value = fields.Float(compute="_compute_last_reading", digits=(16, 4))
    verification_due = fields.Selection(
        [("ok", "OK"), ("soon", "Due within 30 days"), ("overdue", "Overdue")],
        compute="_compute_verification_due",
        search="_search_verification_due",
    )
    verification_auto = fields.Boolean(
        string="Verification Set by the Nightly Check",
        readonly=True,
        copy=False,
        help="The nightly check put the meter in verification; it puts it back "
        "in service once its verification is valid again.",
    )
    verification_message = fields.Char(
        compute="_compute_verification_message",
        help="What a reader entering a reading must know about the meter's "
        "verification: since when it expired and what to do.",
    )
    effective_rule_id = fields.Many2one(
        "meter.rule",
        string="Rule in Force",
        compute="_compute_effective_rule_id",
        help="Reading rule of the meter's resource on its building (or on its "
        "site for a meter placed on the site).",
    )
    rule_summary = fields.Text(string="Reading Rules", compute="_compute_rule_summary")
    note = fields.Html()

    _name_company_uniq = models.Constraint(
        "UNIQUE (name, company_id)", "The meter identifier must be unique per company."
    )
    _registers_range = models.Constraint(
        "CHECK (register_count BETWEEN 1 AND 8)", "A meter has 1 to 8 registers."
    )
    _multiplier_positive = models.Constraint(
        "CHECK (multiplier > 0)", "The multiplier must be positive."
    )
    _rollover_positive = models.Constraint(
        "CHECK (rollover_value IS NULL OR rollover_value >= 0)",
        "The rollover value cannot be negative.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("unit_id.building_id")
    def _compute_building_id(self):
        for meter in self:
            if meter.unit_id:
                meter.building_id = meter.unit_id.building_id

    @api.depends("building_id.site_id")
    def _compute_site_id(self):
        for meter in self:
            if meter.building_id:
                meter.site_id = meter.building_id.site_id

    @api.depends(
        "last_verification_date", "commissioning_date", "verification_interval_years"
    )
    def _compute_next_verification_date(self):
        for meter in self:
            base = meter.last_verification_date or meter.commissioning_date
            if base and meter.verification_interval_years:
                meter.next_verification_date = base + relativedelta(
                    years=meter.verification_interval_years
                )

    def _compute_last_reading(self):
        groups = self.env["meter.reading"]._read_group(
            [("meter_id", "in", self.ids), ("state", "in", LIVE_STATES)],
            ["meter_id"],
            ["__count"],
        )
        counts = dict(groups)
        last_values = self._last_values()
        for meter in self:
            meter.reading_count = counts.get(meter, 0)
            meter.last_value = last_values.get((meter.id, "T1"), 0.0)

    @api.depends("building_id", "site_id", "resource_id")
    def _compute_effective_rule_id(self):
        rules = self.env["meter.rule"]._in_force(
            {(m.building_id.id, m.site_id.id, m.resource_id.id) for m in self}
        )
        for meter in self:
            rule = rules.get(
                (meter.building_id.id, meter.site_id.id, meter.resource_id.id)
            )
            meter.effective_rule_id = rule

    @api.depends("effective_rule_id")
    def _compute_rule_summary(self):
        for meter in self:
            rule = meter.effective_rule_id.sudo()
            meter.rule_summary = "\n".join(rule._describe())

    @api.depends("next_verification_date", "status")
    def _compute_verification_due(self):
        today = fields.Date.context_today(self)
        for meter in self:
            due = meter.next_verification_date
            if (
                not due
                or meter.status == "archived"
                or due > today + relativedelta(days=30)
            ):
                meter.verification_due = "ok"
            elif due < today:
                meter.verification_due = "overdue"
            else:
                meter.verification_due = "soon"

    @api.depends("verification_due", "next_verification_date", "effective_rule_id")
    def _compute_verification_message(self):
        for meter in self:
            if meter.verification_due != "overdue":
                meter.verification_message = False
                continue
            rule = meter.effective_rule_id.sudo()
            if not rule or rule.accept_expired_verification:
                meter.verification_message = self.env._(
                    "Verification expired on %(date)s: readings are still "
                    "accepted by the rule in force, but have the meter verified "
                    "or replaced soon.",
                    date=format_date(self.env, meter.next_verification_date),
                )
            else:
                meter.verification_message = self.env._(
                    "Verification expired on %(date)s: readings of this meter "
                    "are refused. Ask a technician to have it verified (then "
                    "'Verified' with the new verification date), or to record "
                    "its exchange with 'Replace Meter'.",
                    date=format_date(self.env, meter.next_verification_date),
                )

    def _search_verification_due(self, operator, value):
        if operator not in ("=", "in"):
            return NotImplemented
        values = [value] if operator == "=" else list(value)
        today = fields.Date.context_today(self)
        soon = today + relativedelta(days=30)
        domains = {
            "overdue": [("next_verification_date", "<", today)],
            "soon": [
                ("next_verification_date", ">=", today),
                ("next_verification_date", "<=", soon),
            ],
            "ok": [
                "|",
                ("next_verification_date", "=", False),
                ("next_verification_date", ">", soon),
            ],
        }
        result = [("id", "=", 0)]
        for val in values:
            result = ["|", *result, "&", ("status", "!=", "archived"), *domains[val]]
        return result

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("unit_id", "building_id", "site_id")
    def _check_location(self):
        for meter in self:
            if meter.unit_id and meter.unit_id.building_id != meter.building_id:
                raise ValidationError(
                    self.env._(
                        "Meter %(meter)s: field 'Building' must be the building of "
                        "unit %(unit)s.",
                        meter=meter.name,
                        unit=meter.unit_id.display_name,
                    )
                )
            if meter.building_id and meter.building_id.site_id != meter.site_id:
                raise ValidationError(
                    self.env._(
                        "Meter %(meter)s: unit or building %(building)s is outside "
                        "site %(site)s.",
                        meter=meter.name,
                        building=meter.building_id.display_name,
                        site=meter.site_id.display_name,
                    )
                )

    @api.constrains("parent_id")
    def _check_parent(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._(
                    "Upstream meters cannot form a loop: choose an upstream meter "
                    "that is not fed through this one."
                )
            )
        for meter in self.filtered("parent_id"):
            if meter.parent_id.resource_id != meter.resource_id:
                raise ValidationError(
                    self.env._(
                        "Meter %(meter)s: the upstream meter %(parent)s measures "
                        "another resource.",
                        meter=meter.name,
                        parent=meter.parent_id.name,
                    )
                )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_readings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_base.meter_reading_action"
        )
        action["domain"] = [("meter_id", "in", (self | self.predecessor_id).ids)]
        action["context"] = {
            "default_meter_id": self.id,
            "search_default_filter_active": 1,
        }
        return action

    def action_open_intervals(self):
        """The interval values of this meter (and of the meter it replaced)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_base.meter_interval_action"
        )
        action["domain"] = [("meter_id", "in", (self | self.predecessor_id).ids)]
        return action

    def action_new_reading(self):
        """A new reading of this meter in a dialog with an explicit save."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Reading"),
            "res_model": "meter.reading",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_meter_id": self.id},
        }

    def action_replace(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replace Meter"),
            "res_model": "meter.replace",
            "view_mode": "form",
            "target": "new",
            "context": {"default_meter_id": self.id},
        }

    def action_set_verification(self):
        self.write({"status": "verification", "verification_auto": False})
        return True

    def action_set_active(self):
        self.write({"status": "active", "verification_auto": False})
        return True

    def action_set_archived(self):
        today = fields.Date.context_today(self)
        for meter in self.filtered(lambda m: not m.decommissioning_date):
            meter.decommissioning_date = today
        self.write({"status": "archived"})
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _demo_generate_readings(self, site_ids, months):
        """Demo data: month-end readings of every meter of the sites for the last
        ``months`` months, with seasonal consumption, through the bulk path."""
        # Readings at the local month end of each site (local midnight starting
        # the next month), so that each month's consumption lands in it.
        end = fields.Date.context_today(self).replace(day=1) - relativedelta(days=1)
        per_month = {
            "electricity": 260.0,
            "heat": 900.0,
            "hot_water": 3.5,
            "cold_water": 6.0,
        }
        meters = self.search([("site_id", "in", site_ids), ("kind", "!=", "virtual")])
        rows = []
        for meter in meters:
            base = (
                per_month.get(meter.resource_id.code, 100.0)
                * (8 if meter.kind == "main" else 1)
                * (1 + (meter.id % 7) / 10)
            )
            for reg in range(1, meter.register_count + 1):
                value = 1000.0 * (meter.id % 5 + 1) * reg
                for month in range(months, -1, -1):
                    day = end - relativedelta(months=month, day=31)
                    season = 1.6 if day.month in (11, 12, 1, 2, 3) else 0.6
                    if meter.resource_id.code != "heat":
                        season = 1 + (season - 1) / 4
                    value += base * season / reg
                    rows.append(
                        (
                            meter.id,
                            f"T{reg}",
                            local_midnight_utc(
                                day + relativedelta(days=1), meter.site_id.tz
                            ),
                            round(value, meter.resource_id.decimals),
                        )
                    )
        self.env["meter.reading.ingest"]._ingest(rows, source="import")

    def _anomaly_factor(self):
        """The unusual-consumption factor in force (0: no check) and where it
        comes from: the reading rule in force, else the resource's default."""
        self.ensure_one()
        rule = self.effective_rule_id.sudo()
        if rule:
            return rule.anomaly_factor, self.env._("rule %s", rule.name)
        return self.resource_id.anomaly_factor, self.env._(
            "the default of %s", self.resource_id.name
        )

    @api.model
    def _demo_run_nightly_checks(self):
        """Demo data: the nightly verification check has run once (without the
        cron's commits, inside the install)."""
        today = fields.Date.context_today(self)
        self.search(
            [("status", "in", ("active", "verification")), ("kind", "!=", "virtual")]
        )._check_verification(today)

    def _reading_rules(
        self, allow_archived=False, skip_window=False, skip_verification=False
    ):
        """What this meter accepts, as plain meterkit data (see
        ``meterkit.admission_error``): its own limits (commissioning, no reading
        dated later than now plus a small tolerance, rollover value or the
        capacity of its resource) and the rule in force
        (readings accepted, integers only, submission window unless the user
        holds the privilege to enter readings outside it, expired verification).
        The form and every bulk path read it, so they enforce the same rules."""
        self.ensure_one()
        rule = self.effective_rule_id.sudo()
        refuse_expired = (
            rule and not rule.accept_expired_verification and not skip_verification
        )
        blocked = self._blocked_code(rule, allow_archived, refuse_expired)
        window = None
        if (
            rule.window_first_day
            and not skip_window
            and not self.env.user.has_group(OUTSIDE_WINDOW_GROUP)
        ):
            window = (rule.window_first_day, rule.window_last_day)
        return MeterRules(
            registers=self.register_count,
            commissioning=self.commissioning_date or None,
            rollover_value=as_decimal(self.rollover_value)
            if self.rollover_value
            else None,
            decimals=0 if rule.integers_only else self.resource_id.decimals,
            blocked=blocked or None,
            window=window,
            tz=self.site_id.tz or None,
            verification_until=(refuse_expired and self.next_verification_date) or None,
            not_after=latest_instant(fields.Datetime.now()),
            max_value=as_decimal(self.resource_id.max_value)
            if self.resource_id.max_value
            else None,
        )

    def _blocked_code(self, rule, allow_archived, refuse_expired):
        """The admission code refusing every reading of this meter (virtual,
        closed site, archived, rule without readings, expired verification),
        or False."""
        return (
            (self.kind == "virtual" and codes.VIRTUAL_METER)
            or (self.site_id.state == "closed" and codes.CLOSED_SITE)
            or (
                self.status == "archived"
                and not allow_archived
                and codes.ARCHIVED_METER
            )
            or (rule and not rule.accept_readings and codes.READINGS_DISABLED)
            or (
                refuse_expired
                and self.status == "verification"
                and codes.VERIFICATION_EXPIRED
            )
        )

    # ------------------------------------------------------------
    # BUSINESS: verification
    # ------------------------------------------------------------

    @api.model
    def _cron_check_verification(self, batch_size=500):
        """Nightly: put meters whose verification expired in verification (and
        back in service those the check had put there once verified again), in
        batches committed one by one."""
        today = fields.Date.context_today(self)
        meters = self.search(
            [("status", "in", ("active", "verification")), ("kind", "!=", "virtual")]
        )
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(meters))
        for batch in split_every(batch_size, meters.ids, self.browse):
            batch._check_verification(today)
            if not cron._commit_progress(len(batch)):
                break

    def _check_verification(self, today):
        """Apply the nightly verification decision of meterkit to these meters;
        log every status change with the rule that fired. Return the changed
        meters."""
        due, valid, messages = self.browse(), self.browse(), {}
        for meter in self:
            decision = verification_check(
                today,
                next_date=meter.next_verification_date or None,
                last_date=meter.last_verification_date or None,
                commissioning=meter.commissioning_date or None,
                interval_years=meter.verification_interval_years or None,
            )
            if decision.due and meter.status == "active":
                due |= meter
            elif (
                decision.due is False
                and meter.status == "verification"
                and meter.verification_auto
            ):
                valid |= meter
            else:
                continue
            messages[meter] = meter._verification_message(decision)
        due.write({"status": "verification", "verification_auto": True})
        valid.write({"status": "active", "verification_auto": False})
        # One batched note per meter (no notification): the rule that fired.
        (due | valid)._message_log_batch(
            {meter.id: message for meter, message in messages.items()}
        )
        return due | valid

    def _verification_message(self, decision):
        rules = {
            RULE_NEXT_DATE: self.env._("next verification date %s"),
            RULE_LAST_VERIFICATION: self.env._("last verification + interval = %s"),
            RULE_COMMISSIONING: self.env._("commissioning + interval = %s"),
        }
        rule = rules[decision.rule] % fields.Date.to_string(decision.deadline)
        if decision.due:
            return self.env._(
                "Verification check: put in verification, the verification "
                "expired (rule: %s).",
                rule,
            )
        return self.env._(
            "Verification check: back in service, the verification is valid "
            "(rule: %s).",
            rule,
        )

    def _max_rate(self):
        """The most this meter counts per hour (its own, else its resource's),
        as a Decimal; None: no limit (RULES.md 5.3, rollover plausibility)."""
        self.ensure_one()
        rate = self.max_rate or self.resource_id.max_rate
        return as_decimal(rate) if rate else None

    @api.model
    def _refresh_last_read(self, meter_ids):
        """Store the last reading instant of these meters, in one UPDATE.

        Every path that writes readings calls it before its transaction ends:
        the UPDATE locks the meter rows, so two transactions writing readings
        of the same meter are serialized (the later one fails with a
        serialization error and is retried by Odoo), and the consumption of
        one can never be computed from a chain the other is changing.
        """
        if not meter_ids:
            return
        self.env.execute_query(
            SQL(
                """
                UPDATE meter_meter m
                   SET last_read_at = (
                       SELECT max(r.read_at) FROM meter_reading r
                        WHERE r.meter_id = m.id AND r.state IN %s)
                 WHERE m.id = ANY(%s)
                """,
                LIVE_STATES,
                sorted(meter_ids),
            )
        )
        self.invalidate_model(["last_read_at"])

    def _last_values(self):
        """Last live value of each register of these meters, in one query:
        ``{(meter_id, register): value}`` (floats, as stored). Works on new
        records of a form too (it reads their origin)."""
        return {key: last[1] for key, last in self._last_readings().items()}

    def _last_readings(self):
        """Last live reading of each register of these meters, in one query
        (meter.consumption): ``{(meter_id, register): (read_at, value)}``."""
        last = self.env["meter.consumption"]._last_readings(self._origin)
        return {key: (at, float(value)) for key, (at, value) in last.items()}
