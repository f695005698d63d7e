# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterTouSeason(models.Model):
    """A season (time zone of the year) starting on a month and day; it lasts
    until the next season starts (wrapping over the new year)."""

    _name = "meter.tou.season"
    _description = "Time-of-use Season"
    _order = "calendar_id, month_from, day_from, id"

    calendar_id = fields.Many2one(
        "meter.tou.calendar", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True, translate=True)
    month_from = fields.Integer(string="From month", required=True, default=1)
    day_from = fields.Integer(string="From day", required=True, default=1)

    _month_day_valid = models.Constraint(
        "CHECK (month_from BETWEEN 1 AND 12 AND day_from BETWEEN 1 AND 31)",
        "A season starts on a month 1-12 and a day 1-31.",
    )
