# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.payment import utils as payment_utils

from .portal import portal_counters, portal_record

RECENT_MOVES = 20


class MeterPrepaidPortal(PaymentPortal):
    """The resident's prepaid accounts (meter_billing): balance, thresholds,
    recent moves and an online top-up through Odoo's payment form. The
    transaction is created by the prepaid backend's values and credited once
    by its post-processing (``payment.transaction._create_payment``)."""

    def _prepare_home_portal_values(self, counters):
        return portal_counters(
            super()._prepare_home_portal_values(counters),
            counters,
            prepaid_count="meter.prepaid.account",
        )

    def _prepaid_check(self, account_id):
        """The account as the user, after the portal rules allowed reading it."""
        return portal_record(
            "meter.prepaid.account",
            account_id,
            request.env._("This prepaid account does not exist."),
        )

    @http.route("/my/prepaid", type="http", auth="user", website=True)
    def portal_my_prepaid_accounts(self, **kw):
        accounts = request.env["meter.prepaid.account"].search([])
        if len(accounts) == 1:
            return request.redirect(f"/my/prepaid/{accounts.id}")
        values = self._prepare_portal_layout_values()
        # Found as the user: their accounts; unit names read as superuser.
        values.update(page_name="prepaid", accounts_sudo=accounts.sudo())
        return request.render("meter_portal.portal_my_prepaid_accounts", values)

    @http.route("/my/prepaid/<int:account_id>", type="http", auth="user", website=True)
    def portal_my_prepaid(self, account_id, amount=None, **kw):
        """The account's page; with ``amount`` the payment form of a top-up
        of that amount (checked first: open account, maximum balance)."""
        try:
            account = self._prepaid_check(account_id)
        except (AccessError, MissingError):
            return request.redirect("/my/prepaid")
        account_sudo = account.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="prepaid_account",
            account_sudo=account_sudo,
            moves_sudo=account_sudo.move_ids.sorted(
                lambda m: (m.date, m.id), reverse=True
            )[:RECENT_MOVES],
            amount=amount or "",
            error=None,
        )
        top_up = self._cast_as_float(amount)
        if amount:
            try:
                account_sudo._prepare_top_up_transaction_values(top_up or 0.0)
            except UserError as error:
                values["error"] = str(error)
            else:
                values.update(self._prepaid_payment_values(account_sudo, top_up))
        return request.render("meter_portal.portal_my_prepaid", values)

    def _prepaid_payment_values(self, account_sudo, amount):
        """The rendering values of ``payment.form`` for a top-up of
        ``amount`` (as account_payment's invoice page builds them)."""
        partner_sudo = request.env.user.partner_id
        company = account_sudo.company_id
        currency = account_sudo.currency_id
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                company.id, partner_sudo.id, amount, currency_id=currency.id
            )
        )
        payment_methods_sudo = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers_sudo.ids, partner_sudo.id, currency_id=currency.id
            )
        )
        tokens_sudo = (
            request.env["payment.token"]
            .sudo()
            ._get_available_tokens(providers_sudo.ids, partner_sudo.id)
        )
        return {
            "company_mismatch": not self._can_partner_pay_in_company(
                partner_sudo, company
            ),
            "expected_company": company,
            "show_tokenize_input_mapping": self._compute_show_tokenize_input_mapping(
                providers_sudo
            ),
            "amount": amount,
            "currency": currency,
            "partner_id": partner_sudo.id,
            "providers_sudo": providers_sudo,
            "payment_methods_sudo": payment_methods_sudo,
            "tokens_sudo": tokens_sudo,
            "transaction_route": f"/my/prepaid/{account_sudo.id}/transaction",
            "landing_route": f"/my/prepaid/{account_sudo.id}",
            "access_token": payment_utils.generate_access_token(
                partner_sudo.id, amount, currency.id
            ),
        }

    @http.route("/my/prepaid/<int:account_id>/transaction", type="jsonrpc", auth="user")
    def portal_prepaid_transaction(self, account_id, access_token, **kwargs):
        """Create the draft top-up transaction and return its processing
        values: the account is checked as the user, the amount against the
        access token of the form, then against the account's limits by the
        prepaid backend, whose values the transaction is created with."""
        try:
            account = self._prepaid_check(account_id)
        except (AccessError, MissingError):
            raise ValidationError(
                request.env._("This prepaid account is not one of yours.")
            ) from None
        partner = request.env.user.partner_id
        amount = self._cast_as_float(kwargs.pop("amount", None))
        if not amount or not payment_utils.check_access_token(
            access_token, partner.id, amount, account.currency_id.id
        ):
            raise ValidationError(
                request.env._(
                    "The payment form is out of date: reload the page and pay again."
                )
            )
        self._validate_transaction_kwargs(kwargs)
        account_sudo = account.sudo()
        create_values = account_sudo._prepare_top_up_transaction_values(amount)
        # Amount, currency and partner are the backend's (the account's
        # occupant); _create_transaction takes them as arguments.
        kwargs.update(
            amount=create_values.pop("amount"),
            currency_id=create_values.pop("currency_id"),
            partner_id=create_values.pop("partner_id"),
            landing_route=f"/my/prepaid/{account_sudo.id}",
        )
        tx_sudo = self._create_transaction(custom_create_values=create_values, **kwargs)
        return tx_sudo._get_processing_values()
