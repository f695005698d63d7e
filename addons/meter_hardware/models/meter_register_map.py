# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit.drivers import RegisterMap, RegisterPoint

from odoo import fields, models


class MeterRegisterMap(models.Model):
    """The Modbus registers of a meter model, kept as editable data.

    The shipped maps (Eastron, ABB, Carlo Gavazzi, Acrel) mirror
    ``meterkit.drivers.registers.BUILTIN_MAPS``; a technician can copy and
    adapt one for a device variant. :meth:`_to_meterkit` gives the plain map the
    drivers read with.
    """

    _name = "meter.register.map"
    _description = "Register Map"
    _order = "brand, name"

    name = fields.Char(required=True, translate=False)
    code = fields.Char(required=True, help="Stable code, e.g. sdm630.")
    brand = fields.Char()
    active = fields.Boolean(default=True)
    site_id = fields.Many2one(
        "meter.site",
        index="btree_not_null",
        help="Site this map was adapted for: its technicians may change it. "
        "Empty: shared by every site, changed by managers only.",
    )
    max_gap = fields.Integer(
        default=0,
        help="Unused registers one block read may span (0 for devices that "
        "refuse undefined addresses).",
    )
    probe_address = fields.Integer(help="Register read by a scan.")
    probe_table = fields.Selection(
        [("input", "Input (FC04)"), ("holding", "Holding (FC03)")], default="input"
    )
    notes = fields.Text()
    point_ids = fields.One2many("meter.register.map.point", "map_id", string="Values")

    _code_uniq = models.Constraint("UNIQUE (code)", "The map code must be unique.")

    def _to_meterkit(self):
        self.ensure_one()
        points = tuple(point._to_meterkit() for point in self.point_ids)
        probe = RegisterPoint(
            "probe",
            self.probe_address,
            "u16",
            self.probe_table or "input",
        )
        return RegisterMap(
            self.code, self.name, points, max_gap=self.max_gap, probe=probe
        )
