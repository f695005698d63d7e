# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .portal import pdf_response, portal_record


class MeterPortalDocuments(CustomerPortal):
    """Documents of the resident beside Odoo's own invoice pages: the
    calculation sheet (meter_billing) of each of their invoices."""

    @http.route(
        "/my/invoices/<int:invoice_id>/calculation",
        type="http",
        auth="user",
        website=True,
    )
    def portal_invoice_calculation(self, invoice_id, **kw):
        """The calculation sheet of the billing results of an invoice the
        user may read (account's portal rule: their own), with only the
        lines of that invoice (a result's other occupants stay out)."""
        try:
            invoice = portal_record(
                "account.move",
                invoice_id,
                request.env._("This invoice does not exist."),
            )
        except (AccessError, MissingError):
            return request.redirect("/my/invoices")
        # The invoice is the user's: its billing lines are read as superuser.
        invoice_sudo = invoice.sudo()
        results_sudo = (
            request.env["meter.billing.line"]
            .sudo()
            .search([("move_id", "=", invoice_sudo.id)])
            .result_id
        )
        if not results_sudo:
            return request.redirect(invoice_sudo.get_portal_url())
        report_sudo = request.env["ir.actions.report"].sudo()
        pdf, _type = report_sudo._render_qweb_pdf(
            "meter_billing.action_report_calculation_sheet",
            results_sudo.ids,
            data={"sheet_move_ids": invoice_sudo.ids},
        )
        return pdf_response(
            pdf, request.env._("Calculation sheet %s.pdf", invoice_sudo.name)
        )
