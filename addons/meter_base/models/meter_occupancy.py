# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class MeterOccupancy(models.Model):
    """One period of the occupancy timeline of a unit.

    Each unit has a single timeline: periods never overlap and leave no gap
    between them; ``date_end`` is inclusive and empty while the period is open.
    A move-in starts by default the day after the previous move-out, and a new
    period closes the open one the day before it starts. A vacancy is accounted
    to the unit's owner. The timeline drives billing, pro-rating, statements and
    portal scope.
    """

    _name = "meter.occupancy"
    _description = "Unit Occupancy"
    _order = "unit_id, date_start desc, id desc"
    _check_company_auto = True

    unit_id = fields.Many2one(
        "meter.unit", required=True, index=True, ondelete="cascade", check_company=True
    )
    building_id = fields.Many2one(related="unit_id.building_id", store=True)
    site_id = fields.Many2one(related="unit_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="unit_id.company_id", store=True)
    role = fields.Selection(
        [("tenant", "Tenant"), ("owner", "Owner-occupier"), ("vacancy", "Vacancy")],
        required=True,
        default="tenant",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Occupant",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        help="Tenant or owner; for a vacancy, the owner of the unit.",
    )
    date_start = fields.Date(
        string="Move-in",
        compute="_compute_date_start",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    date_end = fields.Date(string="Move-out", help="Inclusive; empty while ongoing.")
    persons = fields.Integer(help="Registered persons during this period.")
    note = fields.Char()

    _dates_ordered = models.Constraint(
        "CHECK (date_end IS NULL OR date_end >= date_start)",
        "The move-out date cannot be before the move-in date.",
    )
    _unit_start_idx = models.Index("(unit_id, date_start)")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("role", "unit_id.owner_id")
    def _compute_partner_id(self):
        for occupancy in self:
            owner_role = occupancy.role == "owner" and not occupancy.partner_id
            if occupancy.role == "vacancy" or owner_role:
                occupancy.partner_id = occupancy.unit_id.owner_id

    @api.depends("unit_id")
    def _compute_date_start(self):
        for occupancy in self:
            if occupancy.date_start or not occupancy.unit_id:
                continue
            previous = occupancy.unit_id.occupancy_ids.filtered(
                lambda o, cur=occupancy: o != cur and o.date_end
            ).sorted("date_end", reverse=True)[:1]
            if previous:
                occupancy.date_start = previous.date_end + timedelta(days=1)

    @api.depends("partner_id", "date_start", "date_end", "role")
    def _compute_display_name(self):
        roles = dict(self._fields["role"]._description_selection(self.env))
        for occupancy in self:
            role = roles.get(occupancy.role)
            end = occupancy.date_end and fields.Date.to_string(occupancy.date_end)
            occupancy.display_name = (
                f"{occupancy.partner_id.display_name or role} ({role}, "
                f"{fields.Date.to_string(occupancy.date_start)} – {end or '…'})"
            )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("role", "partner_id", "unit_id")
    def _check_vacancy_owner(self):
        for occupancy in self.filtered(lambda o: o.role == "vacancy"):
            if occupancy.partner_id != occupancy.unit_id.owner_id:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s: a vacancy belongs to the unit's owner; set "
                        "the field 'Owner' of the unit (occupant given: %(partner)s).",
                        unit=occupancy.unit_id.display_name,
                        partner=occupancy.partner_id.display_name or "-",
                    )
                )

    @api.constrains("unit_id", "date_start", "date_end")
    def _check_timeline(self):
        """No overlap and no gap inside a unit's timeline (checked in SQL)."""
        self.flush_model(["unit_id", "date_start", "date_end"])
        unit_ids = tuple(self.unit_id.ids)
        self._check_no_overlap(unit_ids)
        self._check_no_gap(unit_ids)

    def _check_no_overlap(self, unit_ids):
        """Raise when two occupancies of one of ``unit_ids`` overlap."""
        overlaps = self.env.execute_query(
            SQL(
                """
                SELECT a.id, b.id
                  FROM meter_occupancy a
                  JOIN meter_occupancy b
                    ON a.unit_id = b.unit_id AND a.id < b.id
                   AND a.date_start <= COALESCE(b.date_end, 'infinity'::date)
                   AND b.date_start <= COALESCE(a.date_end, 'infinity'::date)
                 WHERE a.unit_id IN %s
                 LIMIT 1
                """,
                unit_ids,
            )
        )
        if overlaps:
            first, second = self.browse(overlaps[0])
            raise ValidationError(
                self.env._(
                    "Unit %(unit)s: occupancy %(a)s overlaps %(b)s: end the earlier "
                    "one the day before the later one starts.",
                    unit=first.unit_id.display_name,
                    a=first.display_name,
                    b=second.display_name,
                )
            )

    def _check_no_gap(self, unit_ids):
        """Raise when days are missing between two occupancies of a unit."""
        gaps = self.env.execute_query(
            SQL(
                """
                SELECT id, prev_id FROM (
                    SELECT id, date_start,
                           LAG(id) OVER w AS prev_id,
                           LAG(date_end) OVER w AS prev_end
                      FROM meter_occupancy
                     WHERE unit_id IN %s
                    WINDOW w AS (PARTITION BY unit_id ORDER BY date_start)
                ) t
                 WHERE prev_id IS NOT NULL AND prev_end IS NOT NULL
                   AND date_start > prev_end + 1
                 LIMIT 1
                """,
                unit_ids,
            )
        )
        if gaps:
            current, previous = self.browse(gaps[0])
            raise ValidationError(
                self.env._(
                    "Unit %(unit)s: gap between %(prev)s and %(cur)s; the timeline "
                    "must be continuous (record a vacancy for the owner).",
                    unit=current.unit_id.display_name,
                    prev=previous.display_name,
                    cur=current.display_name,
                )
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_middle_period(self):
        """Removing a period between two others would leave a gap."""
        for occupancy in self:
            others = occupancy.unit_id.occupancy_ids - self
            before = others.filtered(lambda o, c=occupancy: o.date_start < c.date_start)
            after = others.filtered(lambda o, c=occupancy: o.date_start > c.date_start)
            if before and after:
                raise UserError(
                    self.env._(
                        "Unit %(unit)s: deleting %(occ)s would leave a gap in the "
                        "timeline; change the neighbouring periods instead.",
                        unit=occupancy.unit_id.display_name,
                        occ=occupancy.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_vacancy_has_owner(vals_list)
        for vals in sorted(vals_list, key=lambda v: str(v.get("date_start") or "")):
            if vals.get("unit_id") and vals.get("date_start"):
                self._close_open_before(vals["unit_id"], vals["date_start"])
        return super().create(vals_list)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _check_vacancy_has_owner(self, vals_list):
        for vals in vals_list:
            if vals.get("role") != "vacancy" or vals.get("partner_id"):
                continue
            unit = self.env["meter.unit"].browse(vals.get("unit_id"))
            if unit and not unit.owner_id:
                raise ValidationError(
                    self.env._(
                        "Unit %s has no owner: set the field 'Owner' of the unit "
                        "before recording a vacancy.",
                        unit.display_name,
                    )
                )

    @api.model
    def _close_open_before(self, unit_id, date_start):
        """A new period starting on ``date_start`` ends the open period of the unit
        that started before it, on the day before."""
        date_start = fields.Date.to_date(date_start)
        open_before = self.search(
            [
                ("unit_id", "=", unit_id),
                ("date_end", "=", False),
                ("date_start", "<", date_start),
            ]
        )
        if open_before:
            open_before.date_end = date_start - timedelta(days=1)
