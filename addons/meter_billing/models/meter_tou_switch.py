# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

DAY_TYPES = [("weekday", "Weekday"), ("weekend", "Weekend"), ("holiday", "Holiday")]


class MeterTouSwitch(models.Model):
    """A switch point: from ``hour_from`` (local time) on days of ``day_type`` in
    ``season_id``, the band is ``band_id`` until the next switch point."""

    _name = "meter.tou.switch"
    _description = "Time-of-use Switch Point"
    _order = "calendar_id, season_id, day_type, hour_from, id"

    calendar_id = fields.Many2one(
        "meter.tou.calendar", required=True, ondelete="cascade", index=True
    )
    season_id = fields.Many2one(
        "meter.tou.season",
        required=True,
        ondelete="cascade",
        domain="[('calendar_id', '=', calendar_id)]",
    )
    day_type = fields.Selection(DAY_TYPES, required=True, default="weekday")
    hour_from = fields.Float(string="From", required=True, help="Local time (hours).")
    band_id = fields.Many2one(
        "meter.tou.band",
        required=True,
        ondelete="restrict",
        domain="[('calendar_id', '=', calendar_id)]",
    )

    _hour_valid = models.Constraint(
        "CHECK (hour_from >= 0 AND hour_from < 24)",
        "A switch point is a time of day between 00:00 and 23:59.",
    )
