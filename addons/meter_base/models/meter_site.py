# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.base.models.res_partner import _tz_get


class MeterSite(models.Model):
    """A metered site (a property, a campus, a park) or a portfolio group of sites.

    Sites form a tree through ``parent_id``: a group (``is_group``) holds sites or
    other groups, a site holds buildings. Staff see the sites they are assigned to
    (``user_ids``) and everything below them.
    """

    _name = "meter.site"
    _description = "Metering Site"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _parent_store = True
    _order = "complete_name, id"
    _check_company_auto = True
    _rec_names_search = ["name", "code"]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short reference used in exchange files and on documents.",
    )
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    active = fields.Boolean(default=True)
    is_group = fields.Boolean(
        string="Is a Portfolio Group",
        help="A group holds other sites (a portfolio); it has no buildings itself.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    parent_id = fields.Many2one(
        "meter.site",
        string="Portfolio Group",
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_group', '=', True)]",
        tracking=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("meter.site", "parent_id", string="Sites")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("installation", "Installation"),
            ("active", "Active"),
            ("closed", "Closed"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Owner / Client", tracking=True, check_company=True
    )
    street = fields.Char()
    zip = fields.Char()
    city = fields.Char()
    country_id = fields.Many2one("res.country")
    tz = fields.Selection(
        _tz_get,
        string="Timezone",
        default=lambda self: self.env.user.tz or "UTC",
        help="Local time of the site: submission windows and periods use it.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "meter_site_res_users_rel",
        "site_id",
        "user_id",
        string="Assigned Staff",
        help="Staff members who may work on this site and everything below it.",
    )
    building_ids = fields.One2many("meter.building", "site_id", string="Buildings")
    unit_ids = fields.One2many("meter.unit", "site_id", string="Units")
    meter_ids = fields.One2many("meter.meter", "site_id", string="Meters")
    building_count = fields.Integer(compute="_compute_counts")
    unit_count = fields.Integer(compute="_compute_counts")
    meter_count = fields.Integer(compute="_compute_counts")
    note = fields.Html()
    color = fields.Integer()
    rule_ids = fields.One2many("meter.rule", "site_id", string="Reading Rules")
    rule_summary = fields.Text(string="Rules in Force", compute="_compute_rule_summary")
    issue_ids = fields.One2many("meter.reading.issue", "site_id", string="Issues")
    issue_count = fields.Integer(compute="_compute_issue_count")

    _code_company_uniq = models.Constraint(
        "UNIQUE (code, company_id)", "The site code must be unique per company."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for site in self:
            if site.parent_id:
                site.complete_name = f"{site.parent_id.complete_name} / {site.name}"
            else:
                site.complete_name = site.name

    def _compute_counts(self):
        """Buildings, units and meters of each site; a portfolio group counts
        those of all the sites below it."""
        sites = self.filtered("id")
        members = self.search([("id", "child_of", sites.ids)]) if sites else sites
        for field, model in (
            ("building_count", "meter.building"),
            ("unit_count", "meter.unit"),
            ("meter_count", "meter.meter"),
        ):
            counts = dict(
                self.env[model]._read_group(
                    [("site_id", "in", members.ids)], ["site_id"], ["__count"]
                )
            )
            for site in self:
                site[field] = (
                    sum(
                        counts.get(member, 0)
                        for member in members
                        if member.parent_path.startswith(site.parent_path)
                    )
                    if site.id and site.parent_path
                    else 0
                )

    @api.depends("rule_ids")
    def _compute_rule_summary(self):
        for site in self:
            site.rule_summary = site.rule_ids.sudo()._summary_by_resource()

    def _compute_issue_count(self):
        counts = dict(
            self.env["meter.reading.issue"]._read_group(
                [("site_id", "in", self.ids)], ["site_id"], ["__count"]
            )
        )
        for site in self:
            site.issue_count = counts.get(site, 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        sites = super().create(vals_list)
        self.env.registry.clear_cache()  # record rules depend on the site tree
        self.env["meter.rule"]._apply_persistent_to(sites=sites)
        return sites

    def write(self, vals):
        result = super().write(vals)
        if {"user_ids", "parent_id", "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _action_open(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,kanban,form",
            "domain": [("site_id", "=", self.id)],
            "context": {"default_site_id": self.id},
        }

    def action_open_buildings(self):
        return self._action_open("meter.building", self.env._("Buildings"))

    def action_open_units(self):
        return self._action_open("meter.unit", self.env._("Units"))

    def action_open_meters(self):
        return self._action_open("meter.meter", self.env._("Meters"))

    def action_open_rules(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reading Rules"),
            "res_model": "meter.rule",
            "view_mode": "list,form",
            "domain": [
                "|",
                ("site_id", "child_of", self.id),
                ("building_id.site_id", "child_of", self.id),
            ],
            "context": {"default_site_id": self.id},
        }

    def action_open_issues(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_base.meter_reading_issue_action"
        )
        action["domain"] = [("site_id", "=", self.id)]
        action["context"] = {"search_default_group_code": 1}
        return action

    def action_check_data_quality(self):
        self.env["meter.reading.issue"]._check_sites(self)
        return self.action_open_issues() if len(self) == 1 else True
