# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import secrets
from datetime import datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize

from .meter_portal_periods_source import PERIODS_CACHE_KEY

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 12
CODE_VALID_DAYS = 30


class PortalPeriod(NamedTuple):
    """A confirmed occupancy period of the current portal user: what the
    portal record rules let them see. ``start`` and ``end`` are naive UTC
    instants (local midnights of the site); ``end`` is exclusive, None while
    the occupancy is open."""

    occupancy_id: int
    unit_id: int
    building_id: int
    site_id: int
    start: datetime
    end: datetime | None


def _hash(code):
    normalized = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def _local_midnight_utc(day, tz):
    """The naive UTC instant of local midnight starting ``day`` in ``tz``."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz or "UTC"))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


class MeterPortalAccess(models.Model):
    """Portal access of one occupancy (KALO seed: "Zugangsstatus").

    invited (consent recorded, nothing sent) -> pending (invitation e-mail
    queued or registration letter printed, with a one-time code) ->
    confirmed (the occupant chose a password) ; revoked at any time. A new
    e-mail address sends the access back to invited: the occupant registers
    again. Only confirmed accesses open the occupancy's data to their user.
    """

    _name = "meter.portal.access"
    _inherit = ["mail.thread", "meter.portal.periods.source"]
    _description = "Resident Portal Access"
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    occupancy_id = fields.Many2one(
        "meter.occupancy",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    unit_id = fields.Many2one(related="occupancy_id.unit_id", store=True, index=True)
    building_id = fields.Many2one(related="occupancy_id.building_id", store=True)
    site_id = fields.Many2one(related="occupancy_id.site_id", store=True)
    company_id = fields.Many2one(related="occupancy_id.company_id", store=True)
    partner_id = fields.Many2one(
        related="occupancy_id.partner_id", store=True, string="Occupant"
    )
    date_start = fields.Date(related="occupancy_id.date_start")
    date_end = fields.Date(related="occupancy_id.date_end")
    email = fields.Char(
        compute="_compute_email",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Portal User", readonly=True, index="btree_not_null"
    )
    state = fields.Selection(
        [
            ("invited", "Invited"),
            ("pending", "Pending"),
            ("confirmed", "Confirmed"),
            ("revoked", "Revoked"),
        ],
        required=True,
        default="invited",
        readonly=True,
        tracking=True,
    )
    consent_date = fields.Datetime(
        default=fields.Datetime.now,
        readonly=True,
        help="When the occupant's consent to the portal was recorded.",
    )
    consent_by_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        readonly=True,
        string="Consent Recorded By",
    )
    code_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    code_expires_at = fields.Datetime(readonly=True, copy=False)
    sent_at = fields.Datetime(readonly=True, copy=False)
    confirmed_at = fields.Datetime(readonly=True, copy=False)
    info_channel = fields.Selection(
        [("portal", "Portal only"), ("email", "E-mail"), ("post", "Letter (PDF)")],
        string="Monthly Information By",
        default="email",
        required=True,
        help="How the monthly consumption information reaches the occupant.",
    )

    _one_live_per_occupancy = models.UniqueIndex(
        "(occupancy_id) WHERE state != 'revoked'",
        "An occupancy has one portal access at a time: revoke it first.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("occupancy_id.partner_id.email")
    def _compute_email(self):
        for access in self:
            if not access.email:
                access.email = access.occupancy_id.partner_id.email

    @api.depends("unit_id", "partner_id", "state")
    def _compute_display_name(self):
        states = dict(self._fields["state"].selection)
        for access in self:
            access.display_name = (
                f"{access.unit_id.display_name} - {access.partner_id.name} "
                f"({states.get(access.state)})"
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if "email" in vals:
            changed = self.filtered(
                lambda a: (
                    a.state in ("pending", "confirmed")
                    and email_normalize(a.email) != email_normalize(vals["email"] or "")
                )
            )
            if changed:
                # A new address is a new registration: the old code and the
                # old account no longer open this occupancy.
                changed.sudo().write(
                    {"state": "invited", "code_hash": False, "user_id": False}
                )
                changed._message_log_batch(
                    bodies=dict.fromkeys(
                        changed.ids,
                        self.env._("E-mail changed: the occupant registers again."),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send_invitation(self):
        """Queue the invitation e-mail with a new one-time code."""
        for access in self:
            if not email_normalize(access.email or ""):
                raise UserError(
                    self.env._(
                        "Access %s has no valid e-mail address: enter one, or "
                        "print a registration letter.",
                        access.display_name,
                    )
                )
        template = self.env.ref("meter_portal.mail_template_portal_invitation")
        for access, code in self._issue_codes().items():
            template.with_context(registration_code=code).send_mail(access.id)
        return True

    def action_print_letter(self):
        """Download the registration letters of these accesses (new one-time
        codes) as one PDF."""
        return self._letters_download(self._issue_codes())

    def action_revoke(self):
        self._check_can_manage()
        self.sudo().write({"state": "revoked", "code_hash": False})
        return True

    @api.model
    def action_print_missing_letters(self):
        """One PDF with a registration letter for every unit that needs
        consumption information and whose occupant has no access yet (an
        access is prepared for them)."""
        today = fields.Date.context_today(self)
        units = self.env["meter.unit"].search(
            [("consumption_info_required", "=", True)]
        )
        occupancies = units.with_context(date=today).current_occupancy_id.filtered(
            lambda o: (
                o.role != "vacancy"
                and not o.portal_access_ids.filtered(lambda a: a.state != "revoked")
            )
        )
        if not occupancies:
            raise UserError(
                self.env._(
                    "Every unit needing consumption information already has a "
                    "portal access."
                )
            )
        accesses = self.create([{"occupancy_id": o.id} for o in occupancies])
        return accesses.action_print_letter()

    # ------------------------------------------------------------
    # BUSINESS: codes and registration
    # ------------------------------------------------------------

    def _check_can_manage(self):
        self.check_access("write")

    def _issue_codes(self):
        """A new one-time code per access (only its hash is stored); the
        accesses become pending. Return {access: code}."""
        self._check_can_manage()
        if self.filtered(lambda a: a.state in ("confirmed", "revoked")):
            raise UserError(
                self.env._(
                    "Only invited or pending accesses get a registration code "
                    "(a confirmed occupant is registered; create a new access "
                    "after a revocation)."
                )
            )
        now = fields.Datetime.now()
        codes = {
            access: "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            for access in self
        }
        for access, code in codes.items():
            # The code is a secret only its hash may keep.
            access.sudo().write(
                {
                    "code_hash": _hash(code),
                    "code_expires_at": now + timedelta(days=CODE_VALID_DAYS),
                    "sent_at": now,
                    "state": "pending",
                }
            )
        return codes

    def _letters_download(self, codes):
        report = self.env.ref("meter_portal.action_report_registration_letter")
        pdf, _type = report._render_qweb_pdf(
            report.id,
            res_ids=[access.id for access in codes],
            data={"codes": {str(access.id): code for access, code in codes.items()}},
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Registration letters.pdf"),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": next(iter(codes)).id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    @api.model
    def _find_by_code(self, code):
        """The pending access of a registration code, as superuser (the code
        is the credential). Raise UserError saying what to do when the code
        is unknown, used or expired."""
        access_sudo = self.sudo().search(
            [("code_hash", "=", _hash(code)), ("state", "=", "pending")], limit=1
        )
        if not access_sudo or not code:
            raise UserError(
                self.env._(
                    "This registration code is unknown or was already used. "
                    "Check the code in your letter or e-mail; if you have "
                    "registered already, log in. Otherwise ask your property "
                    "manager for a new code."
                )
            )
        if access_sudo.code_expires_at < fields.Datetime.now():
            raise UserError(
                self.env._(
                    "This registration code expired on %s. Ask your property "
                    "manager for a new letter or invitation.",
                    fields.Date.to_string(access_sudo.code_expires_at.date()),
                )
            )
        return access_sudo

    def _register_occupant(self, password, current_user=None):
        """Confirm this (superuser) access for the occupant: the logged-in
        ``current_user`` when it is the occupant's account, else a new portal
        account with ``password``; the code is spent. Return the user."""
        self.ensure_one()
        Users = self.env["res.users"].with_context(active_test=False)
        login = email_normalize(self.email or "")
        if current_user and current_user.partner_id == self.partner_id:
            user = current_user
        else:
            if not login:
                raise UserError(
                    self.env._(
                        "This access has no e-mail address to log in with: ask "
                        "your property manager to enter yours."
                    )
                )
            if Users.search_count(
                [
                    "|",
                    ("login", "=ilike", login),
                    ("partner_id", "=", self.partner_id.id),
                ]
            ):
                raise UserError(
                    self.env._(
                        "An account already exists for %s: log in first, then "
                        "enter the code again.",
                        login,
                    )
                )
            if not password or len(password) < 8:
                raise UserError(
                    self.env._("Choose a password of at least 8 characters.")
                )
            user = Users.with_context(no_reset_password=True).create(
                {
                    "login": login,
                    "email": login,
                    "partner_id": self.partner_id.id,
                    "password": password,
                    "company_id": self.company_id.id,
                    "company_ids": [Command.set(self.company_id.ids)],
                    "group_ids": [Command.set([self.env.ref("base.group_portal").id])],
                }
            )
        self.write(
            {
                "user_id": user.id,
                "state": "confirmed",
                "code_hash": False,
                "confirmed_at": fields.Datetime.now(),
            }
        )
        return user

    # ------------------------------------------------------------
    # BUSINESS: scope
    # ------------------------------------------------------------

    @api.model
    def _portal_periods(self):
        """The current user's confirmed occupancy periods (record rules of
        the portal read them: superuser, limited to the user's accesses).

        Kept on the cursor for the rest of the request (every portal record
        rule asks for them); a change of an access, an occupancy or a site's
        time zone drops them (meter.portal.periods.source)."""
        cache = self.env.cr.cache.setdefault(PERIODS_CACHE_KEY, {})
        if self.env.uid not in cache:
            cache[self.env.uid] = tuple(self._read_portal_periods())
        return cache[self.env.uid]

    @api.model
    def _read_portal_periods(self):
        """One query (it runs on every portal request): the confirmed
        accesses of the user with their occupancy and its site's time zone."""
        self.flush_model(["user_id", "state", "occupancy_id"])
        self.env["meter.occupancy"].flush_model(
            ["unit_id", "building_id", "site_id", "date_start", "date_end"]
        )
        self.env["meter.site"].flush_model(["tz"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT occupancy.id, occupancy.unit_id, occupancy.building_id,
                       occupancy.site_id, occupancy.date_start, occupancy.date_end,
                       site.tz
                  FROM meter_portal_access access
                  JOIN meter_occupancy occupancy ON occupancy.id = access.occupancy_id
                  LEFT JOIN meter_site site ON site.id = occupancy.site_id
                 WHERE access.user_id = %(uid)s AND access.state = 'confirmed'
                 ORDER BY access.id DESC
                """,
                uid=self.env.uid,
            )
        )
        return [
            PortalPeriod(
                occupancy_id,
                unit_id,
                building_id,
                site_id,
                _local_midnight_utc(start, tz),
                end and _local_midnight_utc(end + timedelta(days=1), tz),
            )
            for occupancy_id, unit_id, building_id, site_id, start, end, tz in rows
        ]
