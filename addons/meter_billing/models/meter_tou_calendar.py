# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import time

from meterkit.tou import TouCalendar, TouSeason, TouSlot

from odoo import fields, models

from odoo.addons.base.models.res_partner import _tz_get


class MeterTouCalendar(models.Model):
    """A time-of-use calendar: up to 8 bands, seasons (time zones of the year),
    day types (weekday, weekend, holiday) and the switch points of each season and
    day type, e.g. 4 seasons x 2 day profiles up to 8 x 8 (Acrel, DL/T 645)."""

    _name = "meter.tou.calendar"
    _description = "Time-of-use Calendar"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    site_id = fields.Many2one(
        "meter.site",
        check_company=True,
        index="btree_not_null",
        help="Site this calendar belongs to: its billing officers may change "
        "it. Empty: shared by several sites, changed by managers only.",
    )
    tz = fields.Selection(
        _tz_get,
        string="Timezone",
        required=True,
        default="UTC",
        help="Switch points are local times of this timezone.",
    )
    band_ids = fields.One2many("meter.tou.band", "calendar_id", copy=True)
    season_ids = fields.One2many("meter.tou.season", "calendar_id", copy=True)
    switch_ids = fields.One2many("meter.tou.switch", "calendar_id", copy=True)
    holiday_ids = fields.One2many("meter.tou.holiday", "calendar_id", copy=True)

    def _to_meterkit(self):
        """This calendar as a :class:`meterkit.tou.TouCalendar` (one call, no
        query per season or switch point)."""
        self.ensure_one()
        tables = {}
        for switch in self.switch_ids.sorted("hour_from"):
            slots = tables.setdefault(switch.season_id, {}).setdefault(
                switch.day_type, []
            )
            slots.append(TouSlot(_float_to_time(switch.hour_from), switch.band_id.code))
        seasons = tuple(
            TouSeason(
                code=season.name,
                start=(season.month_from, season.day_from),
                day_tables={k: tuple(v) for k, v in tables.get(season, {}).items()},
            )
            for season in self.season_ids
        )
        return TouCalendar(
            seasons=seasons,
            holidays=frozenset(self.holiday_ids.mapped("date")),
            bands=tuple(self.band_ids.sorted("sequence").mapped("code")),
            tz=self.tz,
        )


def _float_to_time(hours):
    minutes = round(hours * 60)
    return time(minutes // 60, minutes % 60)
