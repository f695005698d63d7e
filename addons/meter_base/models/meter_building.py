# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MeterBuilding(models.Model):
    """A building of a site; it holds units and building-level meters."""

    _name = "meter.building"
    _description = "Metered Building"
    _inherit = ["mail.thread"]
    _order = "site_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char()
    active = fields.Boolean(default=True)
    site_id = fields.Many2one(
        "meter.site",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_group', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    street = fields.Char(
        compute="_compute_address", store=True, readonly=False, precompute=True
    )
    zip = fields.Char(
        compute="_compute_address", store=True, readonly=False, precompute=True
    )
    city = fields.Char(
        compute="_compute_address", store=True, readonly=False, precompute=True
    )
    country_id = fields.Many2one(
        "res.country",
        compute="_compute_address",
        store=True,
        readonly=False,
        precompute=True,
    )
    construction_year = fields.Integer()
    unit_ids = fields.One2many("meter.unit", "building_id", string="Units")
    meter_ids = fields.One2many("meter.meter", "building_id", string="Meters")
    unit_count = fields.Integer(compute="_compute_counts")
    meter_count = fields.Integer(compute="_compute_counts")
    rule_ids = fields.One2many("meter.rule", "building_id", string="Reading Rules")
    rule_summary = fields.Text(string="Rules in Force", compute="_compute_rule_summary")

    _name_site_uniq = models.Constraint(
        "UNIQUE (site_id, name)", "A building name must be unique in its site."
    )

    @api.depends("unit_ids", "meter_ids")
    def _compute_counts(self):
        for building in self:
            building.unit_count = len(building.unit_ids)
            building.meter_count = len(building.meter_ids)

    @api.depends("rule_ids")
    def _compute_rule_summary(self):
        for building in self:
            building.rule_summary = building.rule_ids.sudo()._summary_by_resource()

    @api.model_create_multi
    def create(self, vals_list):
        buildings = super().create(vals_list)
        self.env["meter.rule"]._apply_persistent_to(buildings=buildings)
        return buildings

    @api.depends("site_id")
    def _compute_address(self):
        """A new building starts with its site's address."""
        for building in self:
            if building.site_id and not building.street:
                building.street = building.site_id.street
                building.zip = building.site_id.zip
                building.city = building.site_id.city
                building.country_id = building.site_id.country_id

    def action_open_units(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Units"),
            "res_model": "meter.unit",
            "view_mode": "list,kanban,form",
            "domain": [("building_id", "=", self.id)],
            "context": {"default_building_id": self.id},
        }

    def action_open_meters(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Meters"),
            "res_model": "meter.meter",
            "view_mode": "list,kanban,form",
            "domain": [("building_id", "=", self.id)],
            "context": {"default_building_id": self.id},
        }
