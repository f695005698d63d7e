# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MeterBuilding(models.Model):
    _name = "meter.building"
    _inherit = ["meter.building", "meter.portal.scope.mixin"]

    hot_water_temperature = fields.Float(
        string="Hot-Water Temperature (°C)",
        default=60.0,
        digits=(16, 1),
        help="Mean hot-water temperature, measured or estimated: the monthly "
        "consumption information converts hot-water m³ to kWh with "
        "Q = 2.5 kWh/(m³·K) x V x (t - 10 °C) (HeizKV §9(2)).",
    )

    hca_kwh_per_unit = fields.Float(
        string="kWh per Heat Cost Allocator Unit",
        digits=(16, 4),
        help="Heat in kWh of one rated consumption unit of the building's heat "
        "cost allocators (units read x the allocator's rating factor), e.g. the "
        "heat energy of the last statement divided by its rated units. The "
        "monthly consumption information gives allocator units in kWh with "
        "it; 0: allocator units are shown without kWh.",
    )

    _hca_kwh_per_unit_positive = models.Constraint(
        "CHECK (hca_kwh_per_unit >= 0)",
        "The kWh per heat cost allocator unit cannot be negative.",
    )

    @api.constrains("hot_water_temperature")
    def _check_hot_water_temperature(self):
        if self.filtered(lambda b: b.hot_water_temperature <= 10):
            raise ValidationError(
                self.env._("The hot-water temperature must be above 10 °C.")
            )

    @api.model
    def _portal_scope_domain(self, periods):
        return [("id", "in", list({period.building_id for period in periods}))]
