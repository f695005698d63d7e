# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# The settings a rule carries down to the levels below it when applied.
SETTINGS = (
    "accept_readings",
    "window_first_day",
    "window_last_day",
    "integers_only",
    "accept_expired_verification",
    "verification_product_id",
    "anomaly_factor",
    "max_gap_days",
    "consumption_min",
    "consumption_max",
    "balance_tolerance",
    "estimate_months",
    "estimate_max_periods",
    "norm_monthly",
    "estimate_auto",
    "estimate_method",
    "notify_user_ids",
    "notify_mode",
)
DEFAULT_ANOMALY_FACTOR = 3.0


class MeterRule(models.Model):
    """Reading rules of one resource on a portfolio group, a site or a building.

    A building's rule (and a site's rule, for the meters placed directly on the
    site) is in force as soon as it is saved. A rule on a group or a site reaches
    the levels below only when applied: *once* copies its settings to the sites
    and buildings below now; *persistently* also copies them to the buildings and
    sites added later and locks the rules below until it is revoked. Edits that
    are not applied yet keep the rule in draft; the copies keep the settings last
    applied. Each copy remembers the rule it came from, so every building and
    meter can say where its settings come from.
    """

    _name = "meter.rule"
    _description = "Reading Rule"
    _inherit = ["mail.thread"]
    _order = "resource_id, level, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    resource_id = fields.Many2one(
        "meter.resource", required=True, ondelete="restrict", tracking=True
    )
    site_id = fields.Many2one(
        "meter.site",
        string="Group / Site",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
    )
    building_id = fields.Many2one(
        "meter.building", index="btree_not_null", ondelete="cascade", check_company=True
    )
    level = fields.Selection(
        [("group", "Portfolio Group"), ("site", "Site"), ("building", "Building")],
        compute="_compute_level",
        store=True,
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_level", store=True, index=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("applied", "Applied"), ("revoked", "Revoked")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        help="Draft: edits not applied to the levels below yet. Applied: the "
        "levels below carry these settings. Revoked: a persistent rule that "
        "no longer reaches new buildings nor locks the levels below.",
    )
    persistent = fields.Boolean(
        readonly=True,
        copy=False,
        tracking=True,
        help="Applied persistently: buildings and sites added later get the "
        "rule, and the rules below are locked until it is revoked.",
    )
    parent_rule_id = fields.Many2one(
        "meter.rule",
        string="Applied From",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    child_rule_ids = fields.One2many("meter.rule", "parent_rule_id", string="Copies")
    applied_at = fields.Datetime(readonly=True, copy=False)
    applied_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    locked_by_id = fields.Many2one(
        "meter.rule",
        compute="_compute_locked_by_id",
        help="Persistent rule of a higher level that locks this one.",
    )
    origin = fields.Char(compute="_compute_origin")
    # Settings
    accept_readings = fields.Boolean(
        string="Readings Accepted",
        default=True,
        tracking=True,
        help="Off: no reading of this resource is accepted.",
    )
    window_first_day = fields.Integer(
        string="Window From (day)",
        tracking=True,
        help="First day of the month readings are accepted (0: any day).",
    )
    window_last_day = fields.Integer(
        string="Window To (day)",
        tracking=True,
        help="Last day of the month readings are accepted. A window such as "
        "25-5 runs over the month end.",
    )
    integers_only = fields.Boolean(tracking=True)
    accept_expired_verification = fields.Boolean(
        string="Accept When Verification Expired", default=True, tracking=True
    )
    verification_product_id = fields.Many2one(
        "product.product",
        string="Verification Service",
        check_company=True,
        tracking=True,
        help="Service residents and staff order when a meter's verification is due.",
    )
    anomaly_factor = fields.Float(
        string="Unusual Consumption Factor",
        default=DEFAULT_ANOMALY_FACTOR,
        digits=(16, 2),
        help="A consumption above this factor times the average monthly "
        "consumption of the last three months needs an explicit confirmation "
        "(0: no check). Without a rule, the data-quality check reports such "
        "consumptions with the factor 3.",
    )
    max_gap_days = fields.Integer(
        string="Longest Gap (days)",
        default=62,
        help="Data quality: a longer time between two readings is reported.",
    )
    consumption_min = fields.Float(
        string="Lowest Consumption",
        digits=(16, 4),
        help="Data quality: a lower consumption per reading is reported (0: none).",
    )
    consumption_max = fields.Float(
        string="Highest Consumption",
        digits=(16, 4),
        help="Data quality: a higher consumption per reading is reported (0: none).",
    )
    balance_tolerance = fields.Float(
        string="Main Meter Tolerance (%)",
        default=5.0,
        help="Data quality: a main meter and the sum of its sub-meters may differ "
        "by this share of the main meter's consumption.",
    )
    estimate_months = fields.Integer(
        string="Average Over (months)",
        default=6,
        help="Estimates: months of history averaged (RU п. 59: 6 months).",
    )
    estimate_max_periods = fields.Integer(
        string="Average For (periods)",
        default=3,
        help="Estimates: periods estimated from the average before the norm "
        "applies (RU п. 59: 3).",
    )
    norm_monthly = fields.Float(
        string="Norm per Month",
        digits=(16, 4),
        help="Estimates: monthly consumption norm used after the average "
        "(RU п. 60), in the resource's unit.",
    )
    estimate_auto = fields.Boolean(
        string="Estimate Missing Months Nightly",
        help="Every night, months that ended without a reading get an "
        "estimated reading (replaced when the real one arrives).",
    )
    estimate_method = fields.Selection(
        [
            ("average", "Average, then norm"),
            ("last_year", "Same period last year"),
            ("degree_days", "Degree-day interpolation"),
        ],
        default="average",
        required=True,
        help="How missing months are estimated. Degree-day interpolation also "
        "values the period boundaries of billing by degree-days instead of "
        "linearly (heat, RULES.md 5.5).",
    )
    notify_user_ids = fields.Many2many(
        "res.users",
        string="Notify on Resident Readings",
        help="Staff told when residents submit readings of this resource.",
    )
    notify_mode = fields.Selection(
        [("activity", "Activity"), ("email", "E-mail")],
        string="Notify By",
        default="activity",
        required=True,
    )

    _site_xor_building = models.Constraint(
        "CHECK ((site_id IS NULL) <> (building_id IS NULL))",
        "A rule belongs to either a group or site, or a building.",
    )
    _one_per_site = models.UniqueIndex(
        "(resource_id, site_id) WHERE active AND site_id IS NOT NULL",
        "A group or site has one rule per resource.",
    )
    _one_per_building = models.UniqueIndex(
        "(resource_id, building_id) WHERE active AND building_id IS NOT NULL",
        "A building has one rule per resource.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("site_id", "building_id")
    def _compute_name(self):
        for rule in self:
            rule.name = f"R-{rule.id}" if rule.id else False

    @api.depends("site_id.is_group", "site_id.company_id", "building_id.company_id")
    def _compute_level(self):
        for rule in self:
            if rule.building_id:
                rule.level = "building"
                rule.company_id = rule.building_id.company_id
            else:
                rule.level = "group" if rule.site_id.is_group else "site"
                rule.company_id = rule.site_id.company_id

    def _compute_locked_by_id(self):
        locks = self._locking_rules()
        for rule in self:
            rule.locked_by_id = locks.get(rule.id, False)

    @api.depends("parent_rule_id", "level", "persistent")
    def _compute_origin(self):
        for rule in self:
            rule.origin = rule._origin_text()

    def _target_label(self):
        self.ensure_one()
        levels = dict(self._fields["level"]._description_selection(self.env))
        target = self.building_id or self.site_id
        return f"{levels[self.level]} {target.display_name}"

    def _origin_text(self):
        """Where this rule's settings come from, in the user's words."""
        self.ensure_one()
        source = self.parent_rule_id
        if source:
            return self.env._(
                "from %(target)s, %(mode)s rule %(rule)s",
                target=source._target_label(),
                mode=self.env._("persistent")
                if source.persistent and source.state != "revoked"
                else self.env._("one-time"),
                rule=source.name,
            )
        return self.env._(
            "set on %(target)s, rule %(rule)s",
            target=self._target_label(),
            rule=self.name,
        )

    def _describe(self):
        """The effective value of each setting and where it comes from, one
        line each (the caller's record has no rule when ``self`` is empty)."""
        yes, no = self.env._("yes"), self.env._("no")
        if not self:
            return [
                self.env._(
                    "No rule: readings accepted on any day with the resource's "
                    "decimals; expired verification accepted; no confirmation "
                    "of unusual consumption."
                )
            ]
        self.ensure_one()
        window = (
            f"{self.window_first_day}-{self.window_last_day}"
            if self.window_first_day
            else self.env._("any day")
        )
        values = [
            (self.env._("Readings accepted"), yes if self.accept_readings else no),
            (self.env._("Submission window"), window),
            (self.env._("Integers only"), yes if self.integers_only else no),
            (
                self.env._("Accept when verification expired"),
                yes if self.accept_expired_verification else no,
            ),
            (
                self.env._("Verification service"),
                self.verification_product_id.display_name or self.env._("none"),
            ),
            (
                self.env._("Unusual consumption factor"),
                f"{self.anomaly_factor:g}" if self.anomaly_factor else no,
            ),
        ]
        origin = self._origin_text()
        return [f"{label}: {value} ({origin})" for label, value in values]

    def _summary_by_resource(self):
        """Text of these rules (of one building or site), resource by resource."""
        if not self:
            return "\n".join(self._describe())
        blocks = []
        for rule in self.sorted(lambda r: (r.resource_id.sequence, r.resource_id.id)):
            lines = "\n".join(f"  {line}" for line in rule._describe())
            blocks.append(f"{rule.resource_id.name}:\n{lines}")
        return "\n".join(blocks)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("window_first_day", "window_last_day")
    def _check_window(self):
        for rule in self:
            first, last = rule.window_first_day, rule.window_last_day
            if not (0 <= first <= 31 and 0 <= last <= 31) or bool(first) != bool(last):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: fields 'Window From' and 'Window To' must "
                        "both be days of the month (1-31), or both 0 for no window.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains(
        "anomaly_factor",
        "max_gap_days",
        "balance_tolerance",
        "estimate_months",
        "estimate_max_periods",
        "norm_monthly",
        "consumption_min",
        "consumption_max",
    )
    def _check_numbers(self):
        for rule in self:
            if (
                min(
                    rule.anomaly_factor,
                    rule.max_gap_days,
                    rule.balance_tolerance,
                    rule.estimate_max_periods,
                    rule.norm_monthly,
                    rule.consumption_min,
                    rule.consumption_max,
                )
                < 0
                or rule.estimate_months < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Rule %s: factors, days, limits and norms cannot be "
                        "negative, and the average needs at least one month.",
                        rule.display_name,
                    )
                )
            if rule.consumption_max and rule.consumption_min > rule.consumption_max:
                raise ValidationError(
                    self.env._(
                        "Rule %s: field 'Lowest Consumption' is above field "
                        "'Highest Consumption'.",
                        rule.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_one_per_target(vals_list)
        rules = super().create(vals_list)
        if not self.env.context.get("meter_rule_apply"):
            rules._check_not_locked()
        return rules

    def write(self, vals):
        if {"resource_id", "site_id", "building_id"} & set(vals):
            raise UserError(
                self.env._(
                    "The resource and the level of a rule cannot change: archive "
                    "it and create another."
                )
            )
        applying = self.env.context.get("meter_rule_apply")
        if not applying:
            self._check_not_locked()
        if not applying and set(SETTINGS) & set(vals):
            # Unapplied edits of a group or site rule are kept as a draft.
            self.filtered(
                lambda r: r.level != "building" and r.state == "applied"
            ).with_context(meter_rule_apply=True).write({"state": "draft"})
            # A copy changed by hand is this level's own rule from now on.
            if "parent_rule_id" not in vals:
                vals = dict(vals, parent_rule_id=False)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        self._check_not_locked()

    @api.model
    def _check_one_per_target(self, vals_list):
        """Refuse a second rule for one resource on one target with a clear
        message (the unique indexes only name themselves)."""
        for vals in vals_list:
            field = "building_id" if vals.get("building_id") else "site_id"
            if not vals.get(field) or not vals.get("resource_id"):
                continue
            if self.sudo().search_count(
                [(field, "=", vals[field]), ("resource_id", "=", vals["resource_id"])],
                limit=1,
            ):
                target = self.env[self._fields[field].comodel_name].browse(vals[field])
                raise ValidationError(
                    self.env._(
                        "%(target)s already has a rule for %(resource)s: edit "
                        "that one.",
                        target=target.sudo().display_name,
                        resource=self.env["meter.resource"]
                        .browse(vals["resource_id"])
                        .name,
                    )
                )

    def _check_not_locked(self):
        locks = self._locking_rules()
        for rule in self:
            if rule.id in locks:
                lock = locks[rule.id]
                raise UserError(
                    self.env._(
                        "Rule %(rule)s of %(target)s is locked by the persistent "
                        "rule %(lock)s of %(owner)s: revoke that rule first.",
                        rule=rule.name,
                        target=rule._target_label(),
                        lock=lock.name,
                        owner=lock._target_label(),
                    )
                )

    def _locking_rules(self):
        """{rule id: persistent rule of a higher level locking it}."""
        ancestors = {}
        for rule in self:
            site = rule.building_id.site_id or rule.site_id.parent_id
            if rule.building_id or site:
                ids = [int(i) for i in (site.parent_path or "").split("/") if i]
                ancestors[rule] = ids
        if not ancestors:
            return {}
        candidates = (
            self.env["meter.rule"]
            .sudo()
            .search(
                [
                    ("persistent", "=", True),
                    ("state", "!=", "revoked"),
                    ("applied_at", "!=", False),
                    ("resource_id", "in", self.resource_id.ids),
                    (
                        "site_id",
                        "in",
                        sorted({i for ids in ancestors.values() for i in ids}),
                    ),
                ]
            )
        )
        locks = {}
        for rule, ids in ancestors.items():
            for candidate in candidates:
                if (
                    candidate.resource_id == rule.resource_id
                    and candidate.site_id.id in ids
                ):
                    # The highest level wins: parent_path lists the root first.
                    if rule.id not in locks or ids.index(
                        candidate.site_id.id
                    ) < ids.index(locks[rule.id].site_id.id):
                        locks[rule.id] = candidate
        return locks

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_apply_once(self):
        return self._apply(persistent=False)

    def action_apply_persistent(self):
        return self._apply(persistent=True)

    def action_revoke(self):
        for rule in self:
            if not rule.persistent or rule.state == "revoked":
                raise UserError(
                    self.env._("Only a persistent rule in force can be revoked.")
                )
        self.with_context(meter_rule_apply=True).write({"state": "revoked"})
        for rule in self:
            rule.message_post(
                body=self.env._(
                    "Rule revoked: the settings already applied stay; buildings "
                    "added from now on do not get them and the rules below are "
                    "unlocked."
                )
            )
        return True

    def _apply(self, persistent):
        for rule in self:
            if rule.level == "building":
                raise UserError(
                    self.env._(
                        "Rule %s belongs to a building: it is in force as saved.",
                        rule.name,
                    )
                )
        self._check_not_locked()
        for rule in self:
            rule._copy_to(rule._targets())
        self.with_context(meter_rule_apply=True).write(
            {
                "state": "applied",
                "persistent": persistent,
                "applied_at": fields.Datetime.now(),
                "applied_by_id": self.env.uid,
            }
        )
        for rule in self:
            rule.message_post(
                body=self.env._(
                    "Rule applied %(mode)s to %(count)s site(s) and building(s) below.",
                    mode=self.env._("persistently")
                    if persistent
                    else self.env._("once"),
                    count=len(rule.child_rule_ids),
                )
            )
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _targets(self):
        """Sites (below a group) and buildings this rule is applied to."""
        self.ensure_one()
        sites = self.env["meter.site"].search(
            [("id", "child_of", self.site_id.id), ("is_group", "=", False)]
        )
        buildings = self.env["meter.building"].search([("site_id", "in", sites.ids)])
        return (sites - self.site_id), buildings

    def _prepare_copy_vals(self):
        self.ensure_one()
        vals = self._convert_to_write(self.read(list(SETTINGS))[0])
        vals.pop("id", None)
        vals["parent_rule_id"] = self.id
        return vals

    def _copy_to(self, targets):
        """Write this rule's settings on the rules of ``targets`` (sites,
        buildings), creating the missing ones in one batch."""
        self.ensure_one()
        sites, buildings = targets
        vals = self._prepare_copy_vals()
        existing = self.search(
            [
                ("resource_id", "=", self.resource_id.id),
                "|",
                ("site_id", "in", sites.ids),
                ("building_id", "in", buildings.ids),
            ]
        )
        applying = self.with_context(meter_rule_apply=True)
        existing.with_context(meter_rule_apply=True).write(dict(vals, state="applied"))
        covered_sites = existing.site_id
        covered_buildings = existing.building_id
        vals = dict(vals, resource_id=self.resource_id.id, state="applied")
        new_vals = [dict(vals, site_id=site.id) for site in sites - covered_sites] + [
            dict(vals, building_id=building.id)
            for building in buildings - covered_buildings
        ]
        if new_vals:
            applying.create(new_vals)

    @api.model
    def _in_force(self, keys):
        """Rules in force for ``keys`` of ``(building_id, site_id, resource_id)``
        (building_id False for a meter placed on its site), in one search:
        ``{key: rule}``. Read as superuser: a rule governs whoever enters the
        reading, whether or not they may read the rule."""
        keys = {key for key in keys if key[1] and key[2]}
        if not keys:
            return {}
        rules = self.sudo().search(
            [
                ("resource_id", "in", sorted({key[2] for key in keys})),
                "|",
                ("building_id", "in", sorted({key[0] for key in keys if key[0]})),
                "&",
                ("building_id", "=", False),
                ("site_id", "in", sorted({key[1] for key in keys if not key[0]})),
            ]
        )
        by_target = {
            (
                rule.building_id.id,
                rule.site_id.id if not rule.building_id else None,
                rule.resource_id.id,
            ): rule
            for rule in rules
        }
        result = {}
        for building_id, site_id, resource_id in keys:
            target = (
                (building_id, None, resource_id)
                if building_id
                else (False, site_id, resource_id)
            )
            if target in by_target:
                result[(building_id, site_id, resource_id)] = by_target[target]
        return result

    @api.model
    def _apply_persistent_to(self, sites=None, buildings=None):
        """Copy the persistent rules of the levels above to new sites or
        buildings (called when they are created)."""
        sites = (sites or self.env["meter.site"]).filtered(lambda s: not s.is_group)
        buildings = buildings or self.env["meter.building"]
        owners = sites.parent_id | buildings.site_id
        ancestor_ids = {
            int(i) for site in owners for i in (site.parent_path or "").split("/") if i
        }
        if not ancestor_ids:
            return
        rules = (
            self.sudo()
            .search(
                [
                    ("persistent", "=", True),
                    ("state", "!=", "revoked"),
                    ("applied_at", "!=", False),
                    ("site_id", "in", sorted(ancestor_ids)),
                ]
            )
            .sorted(lambda r: len(r.site_id.parent_path or ""))
        )
        for rule in rules:
            target_sites = sites.filtered(
                lambda s, r=rule: (
                    f"/{r.site_id.id}/" in f"/{s.parent_path}" and s != r.site_id
                )
            )
            target_buildings = buildings.filtered(
                lambda b, r=rule: f"/{r.site_id.id}/" in f"/{b.site_id.parent_path}"
            )
            if target_sites or target_buildings:
                rule._copy_to((target_sites, target_buildings))
