# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta
from meterkit import as_decimal
from meterkit.solar_owner import owner_statement

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

KWH = (16, 4)


class MeterSolarStatement(models.Model):
    """The owner statement of a community for a year or a period of whole
    months (RULES.md §2.1, :mod:`meterkit.solar_owner`):

    - the solar energy sold internally: kWh and amounts (untaxed) of the
      solar lines of the participants' posted invoices whose period lies in
      the statement's, less what their posted credit notes credit of them;
    - the energy exported (the shared months' surplus) and its remuneration
      at the community's feed-in price;
    - the DSO bill paid and the fees, each a vendor bill linked to the
      statement (untaxed amounts);
    - the net result for the owner.

    Posting posts the linked vendor bills still in draft and one journal
    entry of the feed-in remuneration (the DSO's receivable against the
    community's feed-in income account); posting again changes nothing.
    """

    _name = "meter.solar.statement"
    _description = "Solar Community Owner Statement"
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    community_id = fields.Many2one(
        "meter.solar.community", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="community_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    statement_type = fields.Selection(
        [("annual", "Annual"), ("period", "Period")],
        string="Type",
        required=True,
        default="annual",
    )
    date_from = fields.Date(required=True, help="First day of a month.")
    date_to = fields.Date(required=True, help="Last day of a month.")
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    solar_kwh = fields.Float(string="Solar sold (kWh)", digits=KWH, readonly=True)
    solar_amount = fields.Monetary(string="Solar sold", readonly=True)
    export_kwh = fields.Float(string="Exported (kWh)", digits=KWH, readonly=True)
    export_price = fields.Float(string="Feed-in price", digits=(16, 6), readonly=True)
    export_amount = fields.Monetary(string="Feed-in remuneration", readonly=True)
    dso_bill_id = fields.Many2one(
        "account.move",
        string="DSO bill",
        domain=[("move_type", "=", "in_invoice")],
        check_company=True,
        copy=False,
    )
    dso_amount = fields.Monetary(string="DSO bill paid", readonly=True)
    fee_bill_id = fields.Many2one(
        "account.move",
        string="Fees bill",
        domain=[("move_type", "=", "in_invoice")],
        check_company=True,
        copy=False,
        help="Metering, data and billing services of the operator.",
    )
    fee_amount = fields.Monetary(string="Fees", readonly=True)
    net_amount = fields.Monetary(string="Net result", readonly=True)
    export_move_id = fields.Many2one(
        "account.move",
        string="Feed-in entry",
        readonly=True,
        copy=False,
        check_company=True,
    )
    solar_line_count = fields.Integer(string="Solar lines", readonly=True)

    _period_once = models.UniqueIndex(
        "(community_id, date_from, date_to)",
        "A community has one owner statement per period.",
    )

    @api.depends("community_id.name", "date_from", "date_to")
    def _compute_name(self):
        for statement in self:
            statement.name = self.env._(
                "%(community)s, %(start)s - %(end)s",
                community=statement.community_id.name or "",
                start=statement.date_from or "",
                end=statement.date_to or "",
            )

    @api.constrains("date_from", "date_to")
    def _check_months(self):
        for statement in self:
            month_end = statement.date_to + relativedelta(days=1)
            if (
                statement.date_from.day != 1
                or month_end.day != 1
                or statement.date_to < statement.date_from
            ):
                raise ValidationError(
                    self.env._(
                        "An owner statement covers whole months: from the first "
                        "day of a month to the last day of a month."
                    )
                )

    @api.constrains("dso_bill_id", "fee_bill_id")
    def _check_bills(self):
        for statement in self:
            for bill in statement.dso_bill_id | statement.fee_bill_id:
                if bill.move_type != "in_invoice":
                    raise ValidationError(
                        self.env._("%s is not a vendor bill.", bill.display_name)
                    )

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        if "posted" in self.mapped("state"):
            raise UserError(self.env._("A posted owner statement cannot be deleted."))

    @api.onchange("statement_type", "date_from")
    def _onchange_period(self):
        if self.statement_type == "annual" and self.date_from:
            self.date_from = self.date_from.replace(month=1, day=1)
            self.date_to = self.date_from.replace(month=12, day=31)

    # ------------------------------------------------------------
    # COMPUTATION AND POSTING
    # ------------------------------------------------------------

    def action_compute(self):
        """Gather the statement's figures (draft statements only)."""
        for statement in self:
            if statement.state != "draft":
                raise UserError(self.env._("%s is posted.", statement.display_name))
            statement.write(statement._figures())
        return True

    def _figures(self):
        self.ensure_one()
        community = self.community_id
        months = self._months()
        missing = []
        month = self.date_from
        while month <= self.date_to:
            if month not in months.mapped("month"):
                missing.append(month)
            month += relativedelta(months=1)
        if missing:
            raise UserError(
                self.env._(
                    "The months %(months)s of %(community)s are not shared: "
                    "compute the sharing first.",
                    months=", ".join(str(m) for m in missing),
                    community=community.display_name,
                )
            )
        lines = self._solar_lines()
        result = owner_statement(
            [
                (
                    sign * as_decimal(line.quantity),
                    sign * as_decimal(line.price_subtotal),
                )
                for line, sign in lines
            ],
            sum((as_decimal(m.export) for m in months), as_decimal(0)),
            as_decimal(community.export_price),
            as_decimal(self.dso_bill_id.amount_untaxed),
            as_decimal(self.fee_bill_id.amount_untaxed),
        )
        return {
            "solar_kwh": float(result.solar_kwh),
            "solar_amount": float(result.solar_amount),
            "solar_line_count": len(lines),
            "export_kwh": float(result.export_kwh),
            "export_price": community.export_price,
            "export_amount": float(result.export_amount),
            "dso_amount": float(result.dso_amount),
            "fee_amount": float(result.fee_amount),
            "net_amount": float(result.net_amount),
        }

    def _solar_lines(self):
        """``[(line, sign)]``: the solar invoice lines (sign 1) of the
        participants' posted invoices whose billed period lies in the
        statement's, and the lines of posted credit notes (sign -1) that
        credit solar energy:

        - a credit note reversing such an invoice: its lines of the same
          product and label (all of it for a full reversal, the credited kWh
          and amount for a partial one);
        - a credit note reversing no invoice, dated in the statement's period,
          to an occupant of a participant's unit in the period: its lines of a
          product that only the solar components of the participants' tariffs
          use (a product also priced as grid energy is left out).
        """
        points = self.community_id.participant_ids.billing_point_id
        billing_lines = self.env["meter.billing.line"].search(
            [
                ("billing_point_id", "in", points.ids),
                ("component_id.part", "=", "solar"),
                ("date_from", ">=", self.date_from),
                ("date_to", "<=", self.date_to),
                ("move_line_id", "!=", False),
            ]
        )
        sold = billing_lines.move_line_id.filtered(
            lambda line: (
                line.move_id.state == "posted"
                and line.move_id.move_type == "out_invoice"
            )
        )
        refunds = self.env["account.move"].search(
            [
                ("reversed_entry_id", "in", sold.move_id.ids),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
            ]
        )
        solar_keys = {(line.move_id, line.product_id, line.name) for line in sold}
        credited = refunds.invoice_line_ids.filtered(
            lambda line: (
                (line.move_id.reversed_entry_id, line.product_id, line.name)
                in solar_keys
            )
        )
        credited |= self._standalone_credit_lines(points, sold)
        return [(line, 1) for line in sold] + [(line, -1) for line in credited]

    def _standalone_credit_lines(self, points, sold):
        """The solar lines of the posted credit notes that reverse no invoice
        (see :meth:`_solar_lines`)."""
        components = points.tariff_line_ids.tariff_id.version_ids.component_ids
        solar = components.filtered(lambda c: c.part == "solar")
        # a product also priced as grid energy cannot tell what it credits
        products = solar.product_id - (components - solar).product_id
        occupancies = self.env["meter.occupancy"].search(
            [
                ("unit_id", "in", points.unit_id.ids),
                ("date_start", "<=", self.date_to),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", self.date_from),
            ]
        )
        partners = occupancies.partner_id | sold.move_id.partner_id
        if not products or not partners:
            return self.env["account.move.line"]
        return self.env["account.move.line"].search(
            [
                ("move_id.move_type", "=", "out_refund"),
                ("move_id.reversed_entry_id", "=", False),
                ("parent_state", "=", "posted"),
                ("display_type", "=", "product"),
                ("product_id", "in", products.ids),
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
                ("company_id", "=", self.community_id.company_id.id),
            ]
        )

    def _months(self):
        """The community's shared months of the statement's period."""
        self.ensure_one()
        return self.community_id.month_ids.filtered(
            lambda m: self.date_from <= m.month <= self.date_to
        )

    def action_post(self):
        """Compute, post the linked vendor bills still in draft and the
        feed-in entry; a posted statement is left as it is."""
        for statement in self.filtered(lambda s: s.state == "draft"):
            statement.action_compute()
            bills = statement.dso_bill_id | statement.fee_bill_id
            if "cancel" in bills.mapped("state"):
                raise UserError(
                    self.env._(
                        "A vendor bill of %s is cancelled.", statement.display_name
                    )
                )
            bills.filtered(lambda m: m.state == "draft").action_post()
            if statement.export_amount and not statement.export_move_id:
                statement.export_move_id = statement._create_export_move()
            if statement.export_move_id.state == "draft":
                statement.export_move_id.action_post()
            statement.state = "posted"
        return True

    def _create_export_move(self):
        self.ensure_one()
        community = self.community_id
        dso = community.dso_partner_id
        if not dso or not community.export_account_id:
            raise UserError(
                self.env._(
                    "Set the DSO and the feed-in income account of %s to post "
                    "its feed-in remuneration.",
                    community.display_name,
                )
            )
        company = self.company_id
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(self.env._("No miscellaneous journal in %s.", company.name))
        label = self.env._(
            "Feed-in remuneration %(community)s %(start)s - %(end)s: %(kwh)s kWh",
            community=community.name,
            start=self.date_from,
            end=self.date_to,
            kwh=self.export_kwh,
        )
        receivable = dso.with_company(company).property_account_receivable_id
        return self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "company_id": company.id,
                "date": self.date_to,
                "ref": self.name,
                "line_ids": [
                    Command.create(
                        {
                            "name": label,
                            "account_id": receivable.id,
                            "partner_id": dso.id,
                            "balance": self.export_amount,
                        }
                    ),
                    Command.create(
                        {
                            "name": label,
                            "account_id": community.export_account_id.id,
                            "partner_id": dso.id,
                            "balance": -self.export_amount,
                        }
                    ),
                ],
            }
        )
