# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.fields import Domain


class MeterPortalScopeMixin(models.AbstractModel):
    """What a resident may see of a metering model (DESIGN invariant 4).

    ``portal_visible`` is searched by the portal record rules: each model
    turns the confirmed portal accesses of the current user (their
    occupancy periods) into a domain in ``_portal_scope_domain``. The domain
    is built at query time, so a revoked access or a move-out counts from the
    next request on (no cached rule).
    """

    _name = "meter.portal.scope.mixin"
    _description = "Resident Portal Scope"

    portal_visible = fields.Boolean(
        compute="_compute_portal_visible",
        search="_search_portal_visible",
        help="Inside the occupancy periods of the current portal user.",
    )

    def _compute_portal_visible(self):
        visible = self.filtered_domain(self._portal_domain())
        for record in self:
            record.portal_visible = record in visible

    def _search_portal_visible(self, operator, value):
        if operator != "in":
            return NotImplemented
        return self._portal_domain() if True in value else Domain.FALSE

    def _portal_domain(self):
        periods = self.env["meter.portal.access"]._portal_periods()
        if not periods:
            return Domain.FALSE
        return Domain(self._portal_scope_domain(periods))

    @api.model
    def _portal_scope_domain(self, periods):
        """The records of this model inside ``periods`` (a non-empty list of
        :class:`~.meter_portal_access.PortalPeriod`)."""
        raise NotImplementedError
