# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterTouHoliday(models.Model):
    """A public holiday: priced with the holiday day profile."""

    _name = "meter.tou.holiday"
    _description = "Time-of-use Holiday"
    _order = "calendar_id, date, id"

    calendar_id = fields.Many2one(
        "meter.tou.calendar", required=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True)
    name = fields.Char(translate=True)
