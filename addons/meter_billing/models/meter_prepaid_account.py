# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import calendar
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from meterkit import as_decimal, prepaid
from meterkit.prepaid import (
    PrepaidError,
    Status,
    Thresholds,
    check_top_up,
    post,
    reclose,
)

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .billing_usage import UsageError

LEVELS = [
    ("normal", "Normal"),
    ("alarm1", "Alarm 1"),
    ("alarm2", "Alarm 2"),
    ("zero", "Zero"),
    ("locked", "Locked"),
]
SUPPLY = [("on", "On"), ("off", "Off")]
BATCH_SIZE = 200


class MeterPrepaidAccount(models.Model):
    """A prepaid balance for the meters of a billing point and its occupant
    (RULES.md 4.4): top-ups, deductions and refunds are journal entries on the
    company's customer prepayment account (a liability), so the balance here
    is the ledger's. The balance decides the level (alarm 1, alarm 2, zero,
    locked) and the desired supply of the account's meters; in dormitory mode
    electricity, cold and hot water share one balance, so water arrears cut the
    electricity even when the water meter has no valve."""

    _name = "meter.prepaid.account"
    _description = "Prepaid Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "site_id, name, id"
    _check_company_auto = True

    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, precompute=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("open", "Open"), ("closed", "Closed")],
        default="draft",
        required=True,
        tracking=True,
    )
    billing_point_id = fields.Many2one(
        "meter.billing.point",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        help="Unit, meters and tariffs deducted from this balance.",
    )
    unit_id = fields.Many2one(related="billing_point_id.unit_id", store=True)
    site_id = fields.Many2one(related="billing_point_id.site_id", store=True)
    company_id = fields.Many2one(related="billing_point_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    extra_point_ids = fields.Many2many(
        "meter.billing.point",
        string="Other billing points",
        check_company=True,
        help="Dormitory mode: the billing points of the other resources (cold "
        "and hot water) deducted from the same balance.",
    )
    meter_ids = fields.Many2many(
        "meter.meter", compute="_compute_meter_ids", string="Meters"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Occupant", required=True, index=True, tracking=True
    )
    dormitory = fields.Boolean(
        string="Dormitory mode",
        help="Electricity, cold and hot water on one balance: arrears on any "
        "resource switch off every meter with a relay (usually electricity).",
    )
    alarm1_amount = fields.Monetary(
        string="Alarm 1", default=50.0, tracking=True, help="Notify below this."
    )
    alarm2_amount = fields.Monetary(
        string="Alarm 2",
        default=20.0,
        tracking=True,
        help="Supply off below this; the occupant may re-close once.",
    )
    restore_amount = fields.Monetary(
        string="Restore at",
        default=50.0,
        tracking=True,
        help="A cut supply comes back on at this balance.",
    )
    overdraft_limit = fields.Monetary(
        default=0.0,
        tracking=True,
        help="How far below zero a re-closed supply may run before it locks.",
    )
    max_balance = fields.Monetary(
        string="Maximum balance",
        tracking=True,
        help="Hoarding limit: no top-up may raise the balance above it (0: no limit).",
    )
    balance = fields.Monetary(readonly=True, copy=False, tracking=True)
    level = fields.Selection(LEVELS, default="normal", readonly=True, copy=False)
    supply = fields.Selection(SUPPLY, default="on", readonly=True, copy=False)
    reclosed = fields.Selection(LEVELS, readonly=True, copy=False)
    grace_used = fields.Boolean(readonly=True, copy=False)
    date_start = fields.Date(
        string="Deducted from",
        copy=False,
        tracking=True,
        help="First day deducted (the day of the opening top-up); nothing used "
        "before it is deducted from this balance.",
    )
    deducted_until = fields.Date(
        copy=False,
        tracking=True,
        help="Last day deducted; the daily deduction goes on from the next day.",
    )
    deduction_error = fields.Text(readonly=True, copy=False)
    move_ids = fields.One2many("meter.prepaid.move", "account_id", readonly=True)

    _one_open_per_point = models.UniqueIndex(
        "(billing_point_id) WHERE state != 'closed'",
        "A billing point has one prepaid account that is not closed.",
    )
    _amounts_positive = models.Constraint(
        "CHECK (alarm2_amount >= 0 AND alarm1_amount >= alarm2_amount "
        "AND restore_amount >= alarm2_amount AND overdraft_limit >= 0 "
        "AND max_balance >= 0)",
        "Thresholds need 0 <= alarm 2 <= alarm 1, restore >= alarm 2, a "
        "positive overdraft limit and maximum balance.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("billing_point_id", "partner_id")
    def _compute_name(self):
        for account in self:
            if not account.name and account.billing_point_id:
                account.name = " - ".join(
                    n
                    for n in (
                        account.billing_point_id.display_name,
                        account.partner_id.name,
                    )
                    if n
                )

    @api.depends("billing_point_id.meter_ids", "extra_point_ids.meter_ids")
    def _compute_meter_ids(self):
        for account in self:
            account.meter_ids = account._points().meter_ids

    @api.constrains("dormitory", "extra_point_ids")
    def _check_dormitory(self):
        for account in self:
            if account.extra_point_ids and not account.dormitory:
                raise ValidationError(
                    self.env._(
                        "%(account)s: only a dormitory account deducts several "
                        "billing points.",
                        account=account.display_name,
                    )
                )

    @api.constrains("max_balance", "restore_amount")
    def _check_max_balance(self):
        for account in self:
            try:
                account._thresholds()
            except ValueError as error:
                raise ValidationError(str(error)) from None

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open(self):
        for account in self:
            if account.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft account can be opened: %(account)s.",
                        account=account.display_name,
                    )
                )
        today = fields.Date.context_today(self)
        for account in self:
            account.write({"state": "open", "date_start": account.date_start or today})
        return True

    def action_close(self):
        """Close at move-out: the balance must have been refunded (or be 0)."""
        for account in self:
            if account.currency_id.compare_amounts(account.balance, 0):
                raise UserError(
                    self.env._(
                        "Account %(account)s still holds %(balance)s: refund or "
                        "settle it before closing.",
                        account=account.display_name,
                        balance=account.balance,
                    )
                )
        self.write({"state": "closed"})
        return True

    def action_reclose(self):
        """The occupant's one re-close (grace at alarm 2, or into the
        overdraft at zero)."""
        self.ensure_one()
        self._check_open()
        self._lock()
        try:
            status = reclose(
                self._thresholds(), self._money(self.balance), self._status()
            )
        except PrepaidError as error:
            raise self._refusal(error) from None
        self._write_status(status)
        self._request_supply(
            "on",
            self.env._(
                "Prepaid: re-closed by request (balance %(balance)s)",
                balance=self.balance,
            ),
        )
        return True

    def action_payment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Top-up or Refund"),
            "res_model": "meter.prepaid.payment",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }

    # ------------------------------------------------------------
    # ONLINE TOP-UPS
    # ------------------------------------------------------------

    def _prepare_top_up_transaction_values(self, amount):
        """Values of the ``payment.transaction`` of an online top-up of
        ``amount``, checked now (open account, positive amount, maximum
        balance) since a paid amount cannot be refused afterwards. The portal
        passes them as ``custom_create_values`` to the payment flow.

        :raise UserError: the top-up is refused.
        """
        self.ensure_one()
        self._check_open()
        try:
            check_top_up(
                self._thresholds(),
                self._money(self.balance),
                as_decimal(amount),
                self._quantum(),
            )
        except PrepaidError as error:
            raise self._refusal(error) from None
        return {
            "amount": amount,
            "currency_id": self.currency_id.id,
            "partner_id": self.partner_id.id,
            "meter_prepaid_account_id": self.id,
        }

    def _credit_transaction(self, transaction):
        """Credit a done transaction once: a second notification of the same
        transaction finds its top-up (looked up again under the account's row
        lock; the unique payment reference is the last guard)."""
        self.ensure_one()
        reference = transaction.reference
        Move = self.env["meter.prepaid.move"]
        domain = [
            ("company_id", "=", self.company_id.id),
            ("move_type", "=", "top_up"),
            ("payment_reference", "=", reference),
        ]
        self._lock()
        credited = Move.search(domain)
        if credited:
            return credited
        return Move._create_posted(
            [
                {
                    "account_id": self.id,
                    "move_type": "top_up",
                    "date": fields.Date.context_today(self),
                    "amount": transaction.amount,
                    "journal_id": transaction.provider_id.journal_id.id,
                    "payment_reference": reference,
                }
            ]
        )

    # ------------------------------------------------------------
    # BALANCE AND THRESHOLDS
    # ------------------------------------------------------------

    def _money(self, value):
        return as_decimal(self.currency_id.round(value))

    def _quantum(self):
        return as_decimal(self.currency_id.rounding)

    def _thresholds(self):
        self.ensure_one()
        return Thresholds(
            self._money(self.alarm1_amount),
            self._money(self.alarm2_amount),
            self._money(self.restore_amount),
            self._money(self.overdraft_limit),
            self._money(self.max_balance) if self.max_balance else None,
        )

    def _status(self):
        self.ensure_one()
        return Status(
            self.supply or "on",
            self.level or "normal",
            self.reclosed or None,
            self.grace_used,
        )

    def _write_status(self, status, balance=None):
        vals = {
            "supply": status.supply,
            "level": status.level,
            "reclosed": status.reclosed or False,
            "grace_used": status.grace_used,
        }
        if balance is not None:
            vals["balance"] = float(balance)
        self.write(vals)

    def _refusal(self, error):
        """The UserError of a refused move or re-close, in the user's language."""
        reason = {
            prepaid.NOT_POSITIVE: self.env._("the amount must be positive."),
            prepaid.TOO_PRECISE: self.env._(
                "the amount has more decimals than the currency."
            ),
            prepaid.ABOVE_MAXIMUM: self.env._(
                "the balance would exceed the maximum balance of %(maximum)s.",
                maximum=self.max_balance,
            ),
            prepaid.ABOVE_BALANCE: self.env._(
                "a refund cannot be larger than the balance of %(balance)s.",
                balance=self.balance,
            ),
            prepaid.RECLOSE_REFUSED: self.env._(
                "no re-close is left at this balance: the account must be topped up."
            ),
        }.get(error.code, str(error))
        return UserError(
            self.env._(
                "%(account)s: %(reason)s", account=self.display_name, reason=reason
            )
        )

    def _check_open(self):
        for account in self:
            if account.state != "open":
                raise UserError(
                    self.env._(
                        "Prepaid account %(account)s is not open: open it first.",
                        account=account.display_name,
                    )
                )

    def _lock(self):
        """Wait for and hold the rows of these accounts until the end of the
        transaction: a top-up and a deduction on one account serialize, and
        each reads the balance the other left."""
        self.flush_recordset()
        self.env.execute_query(
            SQL(
                "SELECT id FROM meter_prepaid_account WHERE id IN %s "
                "ORDER BY id FOR NO KEY UPDATE",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()

    def _apply(self, kind, amount):
        """Check and apply one move of ``amount`` (Decimal) to the locked
        account's balance, update its status and ask for the supply it now
        needs. :raise UserError: the move is refused."""
        self.ensure_one()
        try:
            balance, transition = post(
                self._thresholds(),
                self._money(self.balance),
                self._status(),
                kind,
                amount,
                self._quantum(),
            )
        except PrepaidError as error:
            raise self._refusal(error) from None
        self._write_status(transition.status, balance)
        if transition.notify:
            self._notify_low_balance()
        if transition.switched:
            self._request_supply(transition.switched, self._supply_reason(transition))
        return transition

    def _supply_reason(self, transition):
        level = dict(self._fields["level"]._description_selection(self.env))[
            transition.status.level
        ]
        if transition.switched == "on":
            return self.env._(
                "Prepaid: balance %(balance)s reached the restore threshold "
                "%(restore)s",
                balance=self.balance,
                restore=self.restore_amount,
            )
        return self.env._(
            "Prepaid: balance %(balance)s at level %(level)s",
            balance=self.balance,
            level=level,
        )

    def _request_supply(self, desired, reason):
        """Record the desired supply and its reason on the account and hand it
        to the meters: with meter_hardware installed, its ``_request_supply``
        sets the meters' desired supply and the next poll switches the relays
        (billing never imports hardware)."""
        self.ensure_one()
        self.message_post(body=reason)
        meters = self.meter_ids
        if meters and hasattr(meters, "_request_supply"):
            meters._request_supply(desired, reason)

    def _notify_low_balance(self):
        template = self.env.ref(
            "meter_billing.mail_template_meter_prepaid_alarm1", raise_if_not_found=False
        )
        if template and self.partner_id.email:
            self.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        # sms stays optional: this bridge runs only where it is installed
        if "sms.template" in self.env and self.partner_id.phone:
            self._message_sms_with_template(
                template=self._alarm1_sms_template(),
                partner_ids=self.partner_id.ids,
            )

    def _alarm1_sms_template(self):
        """The SMS template of alarm 1 (``sms`` installed): created once, the
        first time it is needed, with an external id, so that it can be edited
        and translated in the SMS templates like a data record."""
        xmlid = "meter_billing.sms_template_meter_prepaid_alarm1"
        template = self.env.ref(xmlid, raise_if_not_found=False)
        if template:
            return template
        # an alarm is raised by whoever posts a deduction or a top-up; the
        # template is the company's configuration, written once for them all
        templates_sudo = self.env["sms.template"].sudo()
        template_sudo = templates_sudo.create(
            {
                "name": self.env._("Prepaid: low balance (alarm 1)"),
                "model_id": self.env["ir.model"]._get_id(self._name),
                "body": self.env._(
                    "{{ object.name }}: your prepaid balance is "
                    "{{ format_amount(object.balance, object.currency_id) }}. "
                    "Supply is switched off below "
                    "{{ format_amount(object.alarm2_amount, object.currency_id) }}: "
                    "please top up."
                ),
            }
        )
        self.env["ir.model.data"].sudo().create(
            {
                "module": "meter_billing",
                "name": xmlid.split(".")[1],
                "model": "sms.template",
                "res_id": template_sudo.id,
                "noupdate": True,
            }
        )
        return template_sudo

    # ------------------------------------------------------------
    # DAILY DEDUCTION
    # ------------------------------------------------------------

    @api.model
    def _cron_deduct(self, until=None):
        """Deduct every open account up to ``until`` (yesterday), in batches
        committed with ``_commit_progress``. An account held by another worker
        is skipped (``SKIP LOCKED``); the unique (account, day) index of
        deductions is the last guard against a second deduction."""
        until = until or fields.Date.context_today(self) - timedelta(days=1)
        domain = [
            ("state", "=", "open"),
            "|",
            ("deducted_until", "=", False),
            ("deducted_until", "<", until),
        ]
        cron = self.env["ir.cron"]
        last_id = 0
        while True:
            batch = self.search(
                [*domain, ("id", ">", last_id)], limit=BATCH_SIZE, order="id"
            )
            if not batch:
                return
            last_id = batch[-1].id
            # an account held by another worker is left to that one
            batch = batch.try_lock_for_update(allow_referencing=True)
            batch._deduct_until(until)
            remaining = self.search_count([*domain, ("id", ">", last_id)])
            if not cron._commit_progress(len(batch), remaining=remaining):
                return

    def _deduct_until(self, until):
        """Post the deductions of each day from the day after
        ``deducted_until`` (or the first day of the first top-up) to ``until``,
        one entry per account and day. An account whose usage cannot be
        valued (e.g. a missing reading) stops at that day and says why.

        The batch is read at once (readings, tariff assignments, occupancies,
        what was deducted) and written at once; the daily balance and day
        deducted are not tracked in the chatter (the prepaid moves are their
        record), supply changes and alarms are still logged with their
        reason."""
        accounts = self.with_context(mail_notrack=True)
        vals_list, done = [], {}
        starts = [a._first_day_to_deduct() for a in accounts]
        series = known = None
        cache = {}
        if any(starts):
            # the readings of the whole batch in one read
            first = min(filter(None, starts)).replace(day=1)
            points = accounts.billing_point_id | accounts.extra_point_ids
            points._prefetch_valuation()
            series = points._series_for(first, until)
            # grouped once: each account filters its own lines, not the batch's
            known = accounts._deducted_lines(first, until).grouped("account_id")
        empty = self.env["meter.prepaid.move.line"]
        for account, day in zip(accounts, starts, strict=True):
            errors, last, pending = False, account.deducted_until, []
            while day and day <= until:
                try:
                    lines = account._prepare_delta(
                        day,
                        pending=pending,
                        series=series,
                        known=None if known is None else known.get(account, empty),
                        cache=cache,
                    )
                except UsageError as error:
                    errors = str(error)
                    break
                if lines:
                    pending += lines
                    vals_list.append(account._prepare_deduction_vals(day, lines))
                last = day
                day += timedelta(days=1)
            done[account] = (last, errors)
        moves = self.env["meter.prepaid.move"]._create_posted(vals_list)
        by_result = defaultdict(lambda: accounts.browse())
        for account, result in done.items():
            if (account.deducted_until, account.deduction_error) != result:
                by_result[result] |= account
        for (last, errors), group in by_result.items():
            group.write({"deducted_until": last, "deduction_error": errors})
        return moves

    def _first_day_to_deduct(self):
        """The day after the last deducted one, else the first day."""
        self.ensure_one()
        if self.deducted_until:
            return self.deducted_until + timedelta(days=1)
        return self.date_start

    def _month_start(self, day):
        """The first day deducted in the month of ``day``: the 1st, or the
        first day of the account when it started in that month."""
        return max(day.replace(day=1), self.date_start or day.replace(day=1))

    def _points(self):
        self.ensure_one()
        points = self.billing_point_id | self.extra_point_ids
        # read with the points of the other accounts of the batch (a union
        # alone would read its own rows, point by point)
        return points.with_prefetch(self.billing_point_id._prefetch_ids)

    def _month_lines(self, date_from, date_to, series=None, cache=None):
        """Tariff valuation of ``[date_from, date_to]`` (inside one month) by
        meter_billing's computation for each billing point, summed per point,
        component, version and band: ``{key: {name, product_id, quantity,
        amount, ...}}``. ``cache``: shared by the accounts of a batch (the
        tariff versions in meterkit's form)."""
        points = self._points()
        if series is None:
            series = points._series_for(date_from, date_to)
        month_days = calendar.monthrange(date_from.year, date_from.month)[1]
        totals = {}
        for point in points:
            lines = point._prepare_billing_lines(
                date_from, date_to, series, month_days, {} if cache is None else cache
            )
            for vals in lines:
                if vals["partner_id"] == self.partner_id.id:
                    self._add_line(totals, point, vals)
        return totals

    @api.model
    def _add_line(self, totals, point, vals):
        key = _key(point.id, vals)
        line = totals.setdefault(
            key,
            {
                "billing_point_id": point.id,
                "component_id": vals["component_id"],
                "tariff_version_id": vals["tariff_version_id"],
                "band": vals["band"] or False,
                "product_id": vals["product_id"],
                "name": vals["name"],
                "quantity": Decimal(0),
                "amount": Decimal(0),
            },
        )
        line["quantity"] += as_decimal(vals["quantity"])
        line["amount"] += as_decimal(vals["amount"])

    def _deducted_lines(self, month_start, date_to):
        """The deduction and back-billing lines of these accounts for the days
        from ``month_start`` to ``date_to``."""
        return self.env["meter.prepaid.move.line"].search(
            [
                ("account_id", "in", self.ids),
                ("move_type", "in", ("deduction", "backbill")),
                ("move_id.period_from", ">=", month_start),
                ("move_id.period_to", "<=", date_to),
            ]
        )

    def _deducted_in_month(self, month_start, date_to, pending=(), known=None):
        """``{key: (quantity, amount)}`` deducted for the days of the month up
        to ``date_to``, including the ``pending`` line values prepared but not
        created yet. ``known``: the account's lines read beforehand."""
        if known is None:
            lines = self._deducted_lines(month_start, date_to)
        else:
            lines = known.filtered(
                lambda line: (
                    line.move_id.period_from >= month_start
                    and line.move_id.period_to <= date_to
                )
            )
        done = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for line in lines:
            key = _key(
                line.billing_point_id.id,
                {
                    "component_id": line.component_id.id,
                    "tariff_version_id": line.tariff_version_id.id,
                    "band": line.band,
                },
            )
            done[key][0] += as_decimal(line.quantity)
            done[key][1] += self._money(line.amount)
        for vals in pending:
            if month_start <= vals["date"] <= date_to:
                key = _key(vals["billing_point_id"], vals)
                done[key][0] += as_decimal(vals["quantity"])
                done[key][1] += self._money(vals["amount"])
        return done

    def _prepare_delta(self, date_to, pending=(), series=None, known=None, cache=None):
        """Lines that bring what was deducted in the month up to the valuation
        of ``[month_start, date_to]`` at the current tariffs: the month-to-date
        charge minus what was deducted (tiers, minimum charges and demand count
        on the whole month, so the days of a month add up to its bill)."""
        month_start = self._month_start(date_to)
        now = self._month_lines(month_start, date_to, series, cache)
        done = self._deducted_in_month(month_start, date_to, pending, known)
        lines = []
        for key in sorted(set(now) | set(done), key=str):
            line = now.get(key)
            quantity, amount = done.get(key, (Decimal(0), Decimal(0)))
            delta = (line["amount"] if line else Decimal(0)) - amount
            if not delta:
                continue
            if line is None:
                line = self._line_from_key(key)
            lines.append(
                {
                    **line,
                    "quantity": float(line["quantity"] - quantity),
                    "amount": float(delta),
                    "amount_to_date": float(line["amount"]),
                    "date": date_to,
                    **self._line_tax_vals(line["product_id"], float(delta)),
                }
            )
        return lines

    def _line_tax_vals(self, product_id, amount):
        """The taxes of a deduction line of ``amount`` (the tariff's price,
        as on an invoice line): the product's sale taxes of the company
        through the occupant's fiscal position. The balance pays the total
        with taxes; revenue is the amount without them, the VAT is posted on
        revenue recognition."""
        product = self.env["product.product"].browse(product_id)
        taxes = product.taxes_id._filter_taxes_by_company(self.company_id)
        if not taxes:
            return {}
        position = (
            self.env["account.fiscal.position"]
            .with_company(self.company_id)
            ._get_fiscal_position(self.partner_id)
        )
        taxes = position.map_tax(taxes) if position else taxes
        result = taxes.compute_all(
            amount,
            currency=self.currency_id,
            quantity=1.0,
            product=product,
            partner=self.partner_id,
        )
        return {
            "tax_ids": [fields.Command.set(taxes.ids)],
            "amount_tax": result["total_included"] - result["total_excluded"],
            "amount_total": result["total_included"],
        }

    def _line_from_key(self, key):
        component = self.env["meter.tariff.component"].browse(key[1])
        return {
            "billing_point_id": key[0],
            "component_id": key[1],
            "tariff_version_id": key[2],
            "band": key[3] or False,
            "product_id": component.product_id.id,
            "name": component.name,
            "quantity": Decimal(0),
            "amount": Decimal(0),
        }

    def _prepare_deduction_vals(self, day, lines):
        self.ensure_one()
        return {
            "account_id": self.id,
            "move_type": "deduction",
            "date": day,
            "period_from": day,
            "period_to": day,
            "line_ids": [
                fields.Command.create({k: v for k, v in vals.items() if k != "date"})
                for vals in lines
            ],
        }

    def _backbill(self, date_from, date_to, date):
        """Recompute the deducted months of ``[date_from, date_to]`` at the
        current tariffs and post only the difference, per account and month,
        explained per line (old and new month-to-date amount)."""
        vals_list = self._prepare_backbill_vals(date_from, date_to, date)
        return self.env["meter.prepaid.move"]._create_posted(vals_list)

    def _prepare_backbill_vals(self, date_from, date_to, date):
        """The back-billing moves of ``_backbill``, not created: one per
        account and month with a difference."""
        vals_list = []
        for account in self:
            end = min(date_to, account.deducted_until or date_from - timedelta(days=1))
            month = date_from.replace(day=1)
            while month <= end:
                last = month.replace(
                    day=calendar.monthrange(month.year, month.month)[1]
                )
                lines = account._prepare_delta(min(last, end))
                if lines:
                    vals_list.append(
                        {
                            "account_id": account.id,
                            "move_type": "backbill",
                            "date": date,
                            "period_from": account._month_start(min(last, end)),
                            "period_to": min(last, end),
                            "line_ids": [
                                fields.Command.create(
                                    {k: v for k, v in vals.items() if k != "date"}
                                )
                                for vals in lines
                            ],
                        }
                    )
                month = last + timedelta(days=1)
        return vals_list


def _key(point_id, vals):
    """What a deduction line is summed by within a month: billing point,
    tariff component, tariff version and band."""
    return (
        point_id,
        vals["component_id"],
        vals["tariff_version_id"],
        vals["band"] or "",
    )
