# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from meterkit import ReadingError, codes, parse_value

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.mimetypes import guess_mimetype

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
CODE_AT_END = re.compile(r"\[(\w+)\]\s*$")


class MeterMeter(models.Model):
    _name = "meter.meter"
    _inherit = ["meter.meter", "meter.portal.scope.mixin"]

    @api.model
    def _portal_scope_domain(self, periods):
        """The meters of the user's units, and the common and main meters of
        their buildings (read only: readings are submitted for the unit's own
        meters)."""
        return [
            "|",
            ("unit_id", "in", list({p.unit_id for p in periods})),
            "&",
            "&",
            ("unit_id", "=", False),
            ("building_id", "in", list({p.building_id for p in periods})),
            ("kind", "in", ("common", "main")),
        ]

    # ------------------------------------------------------------
    # BUSINESS: resident submission
    # ------------------------------------------------------------

    def _portal_period_now(self):
        """The current user's confirmed period of this meter's unit that is
        open now, or None."""
        self.ensure_one()
        now = fields.Datetime.now()
        for period in self.env["meter.portal.access"]._portal_periods():
            if (
                period.unit_id == self.unit_id.id
                and period.start <= now
                and (not period.end or now < period.end)
            ):
                return period
        return None

    def _portal_check_submittable(self):
        """Raise unless the current user may submit readings of this meter
        today: readable under the portal rules, an individual meter of a unit
        they occupy now, not archived."""
        self.ensure_one()
        self.check_access("read")
        if self.kind != "individual" or not self._portal_period_now():
            raise AccessError(
                self.env._(
                    "Meter %s is not one of the meters of your current home: "
                    "readings cannot be submitted for it.",
                    self.name,
                )
            )
        if self.status == "archived":
            raise UserError(
                self.env._(
                    "Meter %s was taken out of service: it takes no more "
                    "readings. Its history stays available.",
                    self.name,
                )
            )

    @api.model
    def _portal_check_photo(self, photo):
        """Refuse a photo that is not a JPEG, PNG or WebP image or is larger
        than 5 MB."""
        if not photo:
            return
        if len(photo) > PHOTO_MAX_BYTES:
            raise UserError(
                self.env._(
                    "The photo is %(size)s MB; at most 5 MB are accepted. Take "
                    "it again at a lower resolution.",
                    size=f"{len(photo) / 1024 / 1024:.1f}",
                )
            )
        if guess_mimetype(photo) not in PHOTO_TYPES:
            raise UserError(
                self.env._(
                    "The photo is not a JPEG, PNG or WebP image. Choose a "
                    "picture of the meter's display."
                )
            )

    def _portal_submit(self, values, key, confirm=False, photo=None, photo_name=None):
        """Store the current user's readings of this meter now, through the
        same admission as staff (meter.reading's checks: rules in force,
        window, decimals, verification, unusual consumption).

        :param values: ``{register: text}`` as typed by the resident.
        :param key: the form's one-time key: a second submission of the same
            form stores nothing and returns the first one's readings.
        :param confirm: the resident confirmed an unusual consumption.
        :return: ``{"status": "created" | "duplicate" | "unusual",
            "readings": meter.reading (superuser), "message": text}``.
        :raise UserError, AccessError: refusals, saying what to do; nothing
            is written.
        """
        self.ensure_one()
        self._portal_check_submittable()
        if not key:
            raise UserError(self.env._("The form expired: reload the page."))
        Reading = self.env["meter.reading"]
        # Checked above: the meter is the user's, open for submission.
        keys = [f"{key}:{register}" for register in values]
        earlier_sudo = Reading.sudo().search(
            [("portal_submission_key", "in", keys), ("author_id", "=", self.env.uid)]
        )
        if earlier_sudo:
            return {
                "status": "duplicate",
                "readings": earlier_sudo,
                "message": self.env._("These readings were received already."),
            }
        self._portal_check_photo(photo)
        vals_list = [
            {
                "meter_id": self.id,
                "register": register,
                "value": self._portal_parse(text),
                "source": "resident",
                "confirm_anomaly": bool(confirm),
                "portal_submission_key": f"{key}:{register}",
                "evidence": self.env._("Submitted in the resident portal."),
            }
            for register, text in sorted(values.items())
            if (text or "").strip()
        ]
        if not vals_list:
            raise UserError(self.env._("Enter the value shown on the meter."))
        try:
            with self.env.cr.savepoint():
                readings_sudo = Reading.sudo().create(vals_list)
                self._portal_attach_photo(readings_sudo, photo, photo_name)
        except ValidationError as error:
            return self._portal_refusal(error)
        return {
            "status": "created",
            "readings": readings_sudo,
            "message": self.env._("Thank you: your reading was received."),
        }

    def _portal_parse(self, text):
        try:
            return float(parse_value(text, field=self.env._("Value")))
        except ReadingError as error:
            raise UserError(
                self.env._(
                    "%s is not a meter value: type the digits shown on the "
                    "meter (decimals after a point or a comma).",
                    text,
                )
            ) from error

    def _portal_attach_photo(self, readings_sudo, photo, photo_name):
        if not photo:
            return
        self.env["ir.attachment"].sudo().create(
            [
                {
                    "name": photo_name or "meter.jpg",
                    "raw": photo,
                    "res_model": "meter.reading",
                    "res_id": reading.id,
                }
                for reading in readings_sudo
            ]
        )

    def _portal_refusal(self, error):
        """Turn the admission's refusal into what the resident reads: an
        unusual consumption asks to confirm or correct; other refusals say
        what to do next (never a value outside the resident's periods)."""
        self.ensure_one()
        match = CODE_AT_END.search(str(error))
        code = match and match.group(1)
        if code == codes.CONSUMPTION_SPIKE:
            return {
                "status": "unusual",
                "readings": self.env["meter.reading"],
                "message": self.env._(
                    "This value means a consumption far above your usual "
                    "one. Check the digits on the meter: correct the value, "
                    "or confirm that it is right."
                ),
            }
        raise UserError(self._portal_refusal_text(code, error))

    def _portal_refusal_text(self, code, error):
        rule = self.effective_rule_id.sudo()
        if code == codes.OUTSIDE_WINDOW:
            return self.env._(
                "Readings of %(resource)s are accepted from day %(first)s to "
                "day %(last)s of each month. Submit it then, or ask your "
                "property manager.",
                resource=self.resource_id.name,
                first=rule.window_first_day,
                last=rule.window_last_day,
            )
        if code in (codes.NOT_INTEGER, codes.TOO_MANY_DECIMALS):
            return self.env._(
                "Enter the value as the meter shows it: %s decimal(s) at most.",
                0 if rule.integers_only else self.resource_id.decimals,
            )
        if code in (codes.NEGATIVE_CONSUMPTION, codes.ROLLOVER_IMPLAUSIBLE):
            return self.env._(
                "The value is lower than the previous reading of this meter. "
                "Check the digits (black digits only, without the red "
                "decimals if your meter has them); if the meter was replaced, "
                "tell your property manager."
            )
        if code == codes.VERIFICATION_EXPIRED:
            return self.env._(
                "The verification of this meter expired: its readings are "
                "refused until it is verified. Order the verification on the "
                "meter's page."
            )
        if code == codes.DUPLICATE_INSTANT:
            return self.env._("A reading of this meter was stored a moment ago.")
        message = str(error)
        if ":" in message:
            message = message.split(":", 1)[1].strip()
        return self.env._(
            "The reading was refused: %s Ask your property manager if the "
            "value on the meter differs.",
            message,
        )

    def _portal_order_verification(self):
        """Order the verification service of the rule in force for this meter
        of the current user: an activity for the staff notified of resident
        readings (or the rule's creator). Return the activity."""
        self.ensure_one()
        self.check_access("read")
        if not self._portal_period_now():
            raise AccessError(self.env._("This meter is not in your current home."))
        rule_sudo = self.effective_rule_id.sudo()
        user = rule_sudo.notify_user_ids[:1] or rule_sudo.create_uid
        service = rule_sudo.verification_product_id.display_name or self.env._(
            "meter verification"
        )
        # Checked above: the meter is in the user's current home.
        meter_sudo = self.sudo()
        return meter_sudo.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Verification ordered by the resident"),
            note=self.env._(
                "%(partner)s ordered %(service)s for meter %(meter)s (next "
                "verification date %(date)s).",
                partner=self.env.user.partner_id.name,
                service=service,
                meter=self.name,
                date=self.next_verification_date or "-",
            ),
            user_id=user.id or self.env.ref("base.user_admin").id,
        )
