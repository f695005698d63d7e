# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit import admission_error, as_decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain


class MeterReading(models.Model):
    _name = "meter.reading"
    _inherit = ["meter.reading", "meter.portal.scope.mixin"]

    portal_submission_key = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="One-time key of the portal form that submitted the reading: a "
        "form sent twice stores its readings once.",
    )

    _portal_key_once = models.UniqueIndex(
        "(portal_submission_key) WHERE portal_submission_key IS NOT NULL",
        "This portal form was submitted already.",
    )

    @api.model
    def _portal_scope_domain(self, periods):
        """Readings of the user's unit meters and of the common meters of
        their building, taken inside their occupancy periods only (after a
        move-out nothing later, for a newcomer nothing earlier)."""
        domains = []
        for period in periods:
            place = Domain("unit_id", "=", period.unit_id) | (
                Domain("unit_id", "=", False)
                & Domain("building_id", "=", period.building_id)
                & Domain("meter_id.kind", "in", ("common", "main"))
            )
            span = Domain("read_at", ">=", period.start)
            if period.end:
                span &= Domain("read_at", "<", period.end)
            domains.append(place & span)
        return Domain.OR(domains)

    def _prepare_correction_vals(self, value, reason, read_at, is_rollover):
        vals = super()._prepare_correction_vals(value, reason, read_at, is_rollover)
        if self.env.context.get("meter_portal_edit"):
            vals.update(source="resident", author_id=self.env.uid)
        return vals

    # ------------------------------------------------------------
    # BUSINESS: resident edits
    # ------------------------------------------------------------

    def _portal_check_editable(self):
        """Raise unless the current user submitted this live reading and the
        meter's submission window is open now (RULES.md 3.1: residents edit
        only their own submissions, within the window)."""
        self.ensure_one()
        self.check_access("read")
        if (
            self.author_id != self.env.user
            or self.source != "resident"
            or self.state != "valid"
        ):
            raise AccessError(
                self.env._(
                    "Only your own submitted readings can be changed; ask your "
                    "property manager to correct another one."
                )
            )
        meter = self.meter_id
        meter._portal_check_submittable()
        code = admission_error(
            meter._reading_rules(),
            self.register,
            fields.Datetime.now(),
            as_decimal(self.value),
        )
        if code:
            raise UserError(meter._portal_refusal_text(code, ""))

    def _portal_edit(self, text, confirm=False):
        """Replace this reading of the current user by ``text`` (a correction:
        the old value is kept, superseded). Same result as
        ``meter.meter._portal_submit``."""
        self.ensure_one()
        self._portal_check_editable()
        meter = self.meter_id
        value = meter._portal_parse(text)
        try:
            with self.env.cr.savepoint():
                # Checked above: the user's own reading, window open.
                new_sudo = (
                    self.sudo()
                    .with_context(meter_portal_edit=True, meter_confirm_anomaly=confirm)
                    ._correct(value, self.env._("Changed by the resident"))
                )
        except ValidationError as error:
            return meter._portal_refusal(error)
        return {
            "status": "created",
            "readings": new_sudo,
            "message": self.env._("Your reading was changed."),
        }
