# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize


class MeterPortalMonthlyNotice(models.Model):
    """The delivery of one occupancy's monthly consumption information
    (HeizKV §6a: the information is actively communicated, RULES.md 1.4),
    by the channel the occupant chose on their portal access.

    One per occupancy and month (``_once``): a rerun of the monthly job finds
    it and sends nothing twice. E-mail: a mail with the PDF attached is
    queued in Odoo's mail queue. Post: the PDF waits in the batch that staff
    print (one PDF for every letter), then the notice is printed. Portal:
    the information is on the resident's page; a resident who registered
    (confirmed access) gets a short e-mail that it is online, with the link
    (the active notice of a portal, RULES.md 1.4). An occupant without a
    live portal access, or without a valid e-mail address, gets a letter.
    """

    _name = "meter.portal.monthly.notice"
    _description = "Monthly Consumption Information Delivery"
    _order = "month desc, id desc"
    _check_company_auto = True

    occupancy_id = fields.Many2one(
        "meter.occupancy", required=True, index=True, ondelete="cascade"
    )
    unit_id = fields.Many2one(related="occupancy_id.unit_id", store=True)
    building_id = fields.Many2one(related="occupancy_id.building_id")
    partner_id = fields.Many2one(
        related="occupancy_id.partner_id", store=True, string="Occupant"
    )
    company_id = fields.Many2one(related="occupancy_id.company_id", store=True)
    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    info_ids = fields.One2many(
        "meter.portal.monthly.info", "notice_id", string="Information"
    )
    channel = fields.Selection(
        [("portal", "Portal only"), ("email", "E-mail"), ("post", "Letter (PDF)")],
        required=True,
        readonly=True,
    )
    email = fields.Char(readonly=True)
    state = fields.Selection(
        [
            ("portal", "In the Portal"),
            ("queued", "E-mail Queued"),
            ("to_print", "To Print"),
            ("printed", "Printed"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    mail_id = fields.Many2one("mail.mail", readonly=True, string="E-mail")
    delivered_at = fields.Datetime(readonly=True)

    _once = models.UniqueIndex("(occupancy_id, month)")

    @api.depends("unit_id", "partner_id", "month")
    def _compute_display_name(self):
        for notice in self:
            notice.display_name = (
                f"{notice.unit_id.display_name} - {notice.partner_id.name} "
                f"({notice.month and notice.month.strftime('%Y-%m')})"
            )

    # ------------------------------------------------------------
    # DELIVERY
    # ------------------------------------------------------------

    @api.model
    def _deliver_month(self, units, month):
        """Deliver the information of ``month`` of ``units`` not delivered
        yet: one notice per occupancy, by its channel. Return the notices
        created (none on a rerun)."""
        infos = self.env["meter.portal.monthly.info"].search(
            [
                ("unit_id", "in", units.ids),
                ("month", "=", month),
                ("notice_id", "=", False),
            ]
        )
        by_occupancy = defaultdict(lambda: self.env["meter.portal.monthly.info"])
        for info in infos:
            by_occupancy[info.occupancy_id] |= info
        delivered = self.search(
            [
                ("occupancy_id", "in", [o.id for o in by_occupancy]),
                ("month", "=", month),
            ]
        ).occupancy_id
        vals_list = []
        for occupancy, occupancy_infos in by_occupancy.items():
            if occupancy in delivered:
                # A notice went out for this month: nothing twice.
                continue
            channel, email = self._channel_of(occupancy)
            vals_list.append(
                {
                    "occupancy_id": occupancy.id,
                    "month": month,
                    "info_ids": [Command.set(occupancy_infos.ids)],
                    "channel": channel,
                    "email": email,
                    "state": {"portal": "portal", "email": "queued"}.get(
                        channel, "to_print"
                    ),
                    "delivered_at": fields.Datetime.now(),
                }
            )
        notices = self.create(vals_list)
        notices.filtered(lambda n: n.channel == "email")._queue_mails(
            "meter_portal.mail_template_monthly_information"
        )
        notices.filtered(lambda n: n.channel == "portal" and n.email)._queue_mails(
            "meter_portal.mail_template_monthly_information_online"
        )
        return notices

    @api.model
    def _channel_of(self, occupancy):
        """(channel, e-mail) of the occupant: their live access's choice; a
        letter without a live access or without a valid address. Portal
        only: the address of a confirmed access (the notice that the
        information is online), none before the occupant registered."""
        access = occupancy.portal_access_ids.filtered(lambda a: a.state != "revoked")[
            :1
        ]
        email = email_normalize(access.email or "")
        if not access or (access.info_channel == "email" and not email):
            return "post", False
        if access.info_channel == "portal" and access.state == "confirmed":
            return "portal", email
        return access.info_channel, email if access.info_channel == "email" else False

    def _queue_mails(self, template_xmlid):
        """Queue the e-mail of each notice from the template ``template_xmlid``
        in Odoo's mail queue, in the occupant's language."""
        if not self:
            return
        template = self.env.ref(template_xmlid)
        mails = template.send_mail_batch(self.ids)
        for mail in mails:
            self.browse(mail.res_id).mail_id = mail

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_print_letters(self):
        """One PDF with every letter waiting to be printed; they become
        printed."""
        self.check_access("write")
        notices = self.search([("state", "=", "to_print")], order="id")
        if not notices:
            raise UserError(
                self.env._("No monthly consumption information waits to be printed.")
            )
        report = self.env.ref("meter_portal.action_report_monthly_information")
        pdf, _type = report._render_qweb_pdf(report.id, res_ids=notices.ids)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Monthly consumption information to print.pdf"),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": notices[0].id,
            }
        )
        notices.write({"state": "printed"})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
