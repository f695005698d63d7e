# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterPortalNickname(models.Model):
    """A resident's private name for a meter ("Kitchen hot water"): only its
    user reads it (record rule); staff groups have no access to the model."""

    _name = "meter.portal.nickname"
    _description = "Private Meter Nickname"

    user_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        ondelete="cascade",
        index=True,
    )
    meter_id = fields.Many2one("meter.meter", required=True, ondelete="cascade")
    name = fields.Char(required=True, size=60)

    _one_per_user_meter = models.UniqueIndex(
        "(user_id, meter_id)", "One nickname per meter and user."
    )
