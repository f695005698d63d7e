# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

PERIODS_CACHE_KEY = "meter_portal_periods"


def clear_portal_periods(env):
    """Forget the portal periods kept for this request (see
    ``meter.portal.access._portal_periods``)."""
    env.cr.cache.pop(PERIODS_CACHE_KEY, None)


class MeterPortalPeriodsSource(models.AbstractModel):
    """Records the portal periods are made of (occupancies, the sites' time
    zones): any change drops the periods kept for the request."""

    _name = "meter.portal.periods.source"
    _description = "Resident Portal Periods Source"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        clear_portal_periods(self.env)
        return records

    def write(self, vals):
        result = super().write(vals)
        clear_portal_periods(self.env)
        return result

    def unlink(self):
        result = super().unlink()
        clear_portal_periods(self.env)
        return result
