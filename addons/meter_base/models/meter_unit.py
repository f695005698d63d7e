# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .meter_unit_basis import BASIS_KINDS


class MeterUnit(models.Model):
    """A rentable or common unit of a building (apartment, shop, parking, ...)."""

    _name = "meter.unit"
    _description = "Metered Unit"
    _inherit = ["mail.thread"]
    _order = "building_id, floor, name, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(help="Reference used in exchange files.")
    active = fields.Boolean(default=True)
    building_id = fields.Many2one(
        "meter.building",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    site_id = fields.Many2one(
        "meter.site",
        compute="_compute_site_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    unit_type = fields.Selection(
        [
            ("apartment", "Apartment"),
            ("commercial", "Commercial"),
            ("common", "Common Area"),
            ("parking", "Parking"),
            ("other", "Other"),
        ],
        required=True,
        default="apartment",
    )
    floor = fields.Char()
    owner_id = fields.Many2one(
        "res.partner",
        tracking=True,
        help="Owner of the unit: a vacancy is accounted to the owner.",
    )
    basis_ids = fields.One2many(
        "meter.unit.basis", "unit_id", string="Allocation Bases"
    )
    area = fields.Float(compute="_compute_current_bases", digits=(16, 2))
    heated_area = fields.Float(compute="_compute_current_bases", digits=(16, 2))
    volume = fields.Float(compute="_compute_current_bases", digits=(16, 2))
    thousandths = fields.Float(compute="_compute_current_bases", digits=(16, 2))
    persons = fields.Float(compute="_compute_current_bases", digits=(16, 2))
    occupancy_ids = fields.One2many("meter.occupancy", "unit_id")
    current_occupancy_id = fields.Many2one(
        "meter.occupancy", compute="_compute_current_occupancy"
    )
    current_partner_id = fields.Many2one(
        "res.partner", string="Occupant", compute="_compute_current_occupancy"
    )
    meter_ids = fields.One2many("meter.meter", "unit_id", string="Meters")
    meter_count = fields.Integer(compute="_compute_meter_count")

    _name_building_uniq = models.Constraint(
        "UNIQUE (building_id, name)", "A unit name must be unique in its building."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("building_id.site_id")
    def _compute_site_id(self):
        for unit in self:
            if unit.building_id:
                unit.site_id = unit.building_id.site_id

    @api.depends("basis_ids.value", "basis_ids.date_from", "basis_ids.kind")
    @api.depends_context("date")
    def _compute_current_bases(self):
        on_date = (
            fields.Date.to_date(self.env.context.get("date")) or fields.Date.today()
        )
        for unit in self:
            for kind, _label in BASIS_KINDS:
                unit[kind] = unit._get_basis(kind, on_date)

    @api.depends("occupancy_ids.date_start", "occupancy_ids.date_end")
    @api.depends_context("date")
    def _compute_current_occupancy(self):
        on_date = (
            fields.Date.to_date(self.env.context.get("date")) or fields.Date.today()
        )
        for unit in self:
            occupancy = unit.occupancy_ids.filtered(
                lambda o, d=on_date: (
                    o.date_start <= d and (not o.date_end or o.date_end >= d)
                )
            )[:1]
            unit.current_occupancy_id = occupancy
            unit.current_partner_id = occupancy.partner_id

    @api.depends("meter_ids")
    def _compute_meter_count(self):
        for unit in self:
            unit.meter_count = len(unit.meter_ids)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("site_id", "building_id")
    def _check_site_building(self):
        for unit in self:
            if unit.building_id.site_id != unit.site_id:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s: field 'Site' (%(site)s) must be the site of "
                        "its building %(building)s (%(building_site)s).",
                        unit=unit.display_name,
                        site=unit.site_id.display_name,
                        building=unit.building_id.display_name,
                        building_site=unit.building_id.site_id.display_name,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_basis(self, kind, on_date):
        """Return the value of allocation basis ``kind`` in force on ``on_date``
        (0.0 when none is defined yet)."""
        self.ensure_one()
        bases = self.basis_ids.filtered(
            lambda b: b.kind == kind and b.date_from <= on_date
        ).sorted("date_from", reverse=True)
        return bases[:1].value or 0.0

    def action_open_meters(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Meters"),
            "res_model": "meter.meter",
            "view_mode": "list,kanban,form",
            "domain": [("unit_id", "=", self.id)],
            "context": {"default_unit_id": self.id},
        }
