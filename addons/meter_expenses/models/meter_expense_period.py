# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter
from decimal import Decimal

from meterkit import as_decimal as _dec
from meterkit.errors import MeterkitError
from meterkit.expenses import (
    ExpenseInput,
    Occupancy,
    Unit,
    allocate_period,
    dump_input,
    dump_result,
)

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

from odoo.addons.meter_billing.models.billing_usage import local_day_bounds

STATES = [
    ("draft", "Draft"),
    ("collected", "Costs collected"),
    ("allocated", "Allocated"),
    ("issued", "Statements issued"),
    ("closed", "Closed"),
]
UNIT_KEYS = ("area", "heated_area", "volume", "thousandths")


class MeterExpensePeriod(models.Model):
    """An accounting period of a site's (or building's) building costs, closed
    by allocating them to every occupancy (meterkit.expenses) and issuing one
    statement per occupancy whose balance is posted in the ledger."""

    _name = "meter.expense.period"
    _description = "Expense Statement Period"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    site_id = fields.Many2one(
        "meter.site", required=True, index=True, tracking=True, check_company=True
    )
    building_id = fields.Many2one(
        "meter.building",
        domain="[('site_id', '=', site_id)]",
        help="Empty: every building of the site.",
        tracking=True,
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date(required=True, tracking=True)
    date_end = fields.Date(required=True, tracking=True)
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, tracking=True
    )
    degree_day_variant = fields.Selection(
        [
            ("A", "A: June-August one 40 ‰ block (ista)"),
            ("B", "B: 40/3 ‰ per summer month (regiomess)"),
            ("C", "C: June 14, July 13, August 13 ‰ (objektv)"),
        ],
        default="A",
        required=True,
        help="VDI 2067 degree-day table used for room heating split at an "
        "occupant change (HeizkostenV §9b).",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Statement product",
        help="Product of the invoice and credit note lines of the statements.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        help="Sales journal of the statements (default: the company's first).",
    )
    deduct_advances = fields.Selection(
        [
            ("none", "Do not deduct"),
            ("invoiced", "Advances invoiced in the period"),
            ("paid", "Advances paid in the period"),
        ],
        default="invoiced",
        required=True,
    )
    section_ids = fields.One2many("meter.expense.section", "period_id", copy=True)
    cost_ids = fields.One2many("meter.expense.cost", "period_id")
    run_ids = fields.One2many("meter.expense.run", "period_id")
    statement_ids = fields.One2many("meter.expense.statement", "period_id")
    run_id = fields.Many2one(
        "meter.expense.run", compute="_compute_run_id", string="Last run"
    )
    cost_total = fields.Monetary(compute="_compute_cost_total")
    owner_total = fields.Monetary(
        compute="_compute_run_id", string="Borne by the owner"
    )
    statement_count = fields.Integer(compute="_compute_statement_count")
    reopen_count = fields.Integer(readonly=True)

    _dates_ordered = models.Constraint(
        "CHECK (date_end >= date_start)", "A period cannot end before it starts."
    )

    @api.depends("run_ids.owner_total")
    def _compute_run_id(self):
        for period in self:
            period.run_id = period.run_ids.sorted("id")[-1:]
            period.owner_total = period.run_id.owner_total

    @api.depends("cost_ids.amount")
    def _compute_cost_total(self):
        for period in self:
            period.cost_total = sum(period.cost_ids.mapped("amount"))

    @api.depends("statement_ids")
    def _compute_statement_count(self):
        for period in self:
            period.statement_count = len(period.statement_ids)

    @api.constrains("site_id", "building_id", "date_start", "date_end")
    def _check_overlap(self):
        for period in self:
            domain = Domain(
                [
                    ("id", "!=", period.id),
                    ("site_id", "=", period.site_id.id),
                    ("date_start", "<=", period.date_end),
                    ("date_end", ">=", period.date_start),
                ]
            )
            if period.building_id:
                domain &= Domain("building_id", "in", [period.building_id.id, False])
            other = self.search(domain, limit=1)
            if other:
                raise ValidationError(
                    self.env._(
                        "Period %(period)s overlaps period %(other)s of the same "
                        "site or building.",
                        period=period.display_name,
                        other=other.display_name,
                    )
                )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _check_state(self, *states):
        for period in self:
            if period.state not in states:
                raise UserError(
                    self.env._(
                        "Period %(period)s is %(state)s: this step needs it in "
                        "another state.",
                        period=period.display_name,
                        state=dict(STATES)[period.state],
                    )
                )

    def action_collect_costs(self):
        """Take the posted vendor bill items of the period whose account is
        mapped to a section, then check the costs: the period's costs are
        collected."""
        self._check_state("draft", "collected")
        for period in self:
            period._collect_vendor_bills()
            period.cost_ids._check_consistency()
            if not period.section_ids:
                raise UserError(
                    self.env._(
                        "Period %s has no section: add the sections (cost groups "
                        "and their keys) on the Sections tab, then collect the "
                        "costs again.",
                        period.display_name,
                    )
                )
        self.state = "collected"
        return True

    def _collect_vendor_bills(self):
        self.ensure_one()
        Cost = self.env["meter.expense.cost"]
        by_account = {}
        for section in self.section_ids:
            for account in section.account_ids:
                by_account.setdefault(account.id, section)
        if not by_account:
            return Cost
        used = Cost._search([("move_line_id", "!=", False)]).subselect("move_line_id")
        items = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "in", ("in_invoice", "in_refund")),
                ("date", ">=", self.date_start),
                ("date", "<=", self.date_end),
                ("account_id", "in", list(by_account)),
                ("id", "not in", used),
            ]
        )
        return Cost.create(
            [
                {
                    "period_id": self.id,
                    "section_id": by_account[item.account_id.id].id,
                    "name": item.name or item.move_id.name,
                    "move_line_id": item.id,
                    "amount": item.balance,
                }
                for item in items
            ]
        )

    def action_allocate(self):
        """Allocate the costs (a new run, its inputs and outputs hashed) and
        prepare one draft statement per occupancy; nothing is posted."""
        self._check_state("collected", "allocated")
        for period in self:
            period.cost_ids._check_consistency()
            expense_input, context = period._prepare_input()
            try:
                result = allocate_period(expense_input)
            except MeterkitError as error:
                raise UserError(
                    self.env._(
                        "Period %(period)s cannot be allocated: %(error)s",
                        period=period.display_name,
                        error=str(error),
                    )
                ) from None
            run = self.env["meter.expense.run"].create(
                {
                    "period_id": period.id,
                    "input_json": dump_input(expense_input),
                    "output_json": dump_result(result),
                    "input_hash": result.input_hash,
                    "output_hash": result.output_hash,
                    "owner_total": float(result.owner_total),
                }
            )
            period.statement_ids.filtered(lambda s: s.state == "draft").unlink()
            self.env["meter.expense.statement"].create(
                period._prepare_statements(run, result, context)
            )
        self.state = "allocated"
        return True

    def action_issue(self):
        """Post every statement's balance (invoice or credit note), all or
        nothing: the whole period is checked before anything is posted."""
        self._check_state("allocated")
        for period in self:
            drafts = period.statement_ids.filtered(lambda s: s.state == "draft")
            drafts._check_postable()
            drafts._post()
        self.state = "issued"
        return True

    def action_close(self):
        self._check_state("issued")
        self.state = "closed"
        return True

    def action_reopen(self):
        """Back to costs collected; issued statements stay as they are and a
        new allocation issues corrections for them."""
        self._check_state("allocated", "issued", "closed")
        for period in self:
            period.reopen_count += 1
            period.message_post(
                body=self.env._(
                    "Period reopened (%(count)s) by %(user)s from state %(state)s. "
                    "Issued statements are kept; the next allocation issues "
                    "corrections.",
                    count=period.reopen_count,
                    user=self.env.user.name,
                    state=dict(STATES)[period.state],
                )
            )
        self.state = "collected"
        return True

    def action_print_statements(self):
        """Every statement of the period as one PDF."""
        self.ensure_one()
        return self.env.ref(
            "meter_expenses.action_report_expense_statement"
        ).report_action(self.statement_ids)

    def action_export_consumptions(self):
        self.ensure_one()
        if not self.statement_ids:
            raise UserError(
                self.env._(
                    "Period %s has no statement yet: calculate the statements first.",
                    self.display_name,
                )
            )
        return self.statement_ids.action_export_consumptions()

    def action_open_statements(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Statements"),
            "res_model": "meter.expense.statement",
            "view_mode": "list,form",
            "domain": [("period_id", "=", self.id)],
            "context": {"default_period_id": self.id},
        }

    # ------------------------------------------------------------
    # INPUTS
    # ------------------------------------------------------------

    def _units(self):
        domain = [
            ("site_id", "=", self.site_id.id),
            ("unit_type", "!=", "common"),
        ]
        if self.building_id:
            domain.append(("building_id", "=", self.building_id.id))
        return self.env["meter.unit"].search(domain, order="name, id")

    def _prepare_input(self):
        """The meterkit input of the period and ``context`` (code -> record)."""
        self.ensure_one()
        units = self._units()
        if not units:
            raise UserError(
                self.env._(
                    "Period %s has no unit: add the units of its site or "
                    "building first.",
                    self.display_name,
                )
            )
        names = Counter(units.mapped("display_name"))
        codes = {
            unit: unit.display_name
            if names[unit.display_name] == 1
            else f"{unit.display_name} #{unit.id}"
            for unit in units
        }
        occupancies = self.env["meter.occupancy"].search(
            [
                ("unit_id", "in", units.ids),
                ("date_start", "<=", self.date_end),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", self.date_start),
            ],
            order="unit_id, date_start",
        )
        k_units = tuple(
            Unit(
                codes[unit],
                **{
                    key: _dec(unit._get_basis(key, self.date_start)) or None
                    for key in UNIT_KEYS
                },
            )
            for unit in units
        )
        k_occupancies = tuple(
            Occupancy(
                str(occ.id),
                codes[occ.unit_id],
                max(occ.date_start, self.date_start),
                min(occ.date_end or self.date_end, self.date_end),
                occ.role,
                Decimal(occ.persons),
            )
            for occ in occupancies
        )
        energies = self.section_ids._split_energies()
        sections = tuple(
            section._prepare_section(codes, occupancies, energies)
            for section in self.section_ids.sorted(lambda s: (s.sequence, s.id))
        )
        expense_input = ExpenseInput(
            self.date_start,
            self.date_end,
            k_units,
            k_occupancies,
            sections,
            self.degree_day_variant,
        )
        context = {
            "occupancies": {str(o.id): o for o in occupancies},
            "sections": {s._code_key(): s for s in self.section_ids},
        }
        return expense_input, context

    def _day_bounds(self, date_from, date_to):
        return local_day_bounds(date_from, date_to, self.site_id.tz)

    def _prepare_statements(self, run, result, context):
        """``vals_list`` of one draft statement per occupancy of ``result``;
        an occupancy with an issued statement gets a correction of it."""
        self.ensure_one()
        issued = {}
        for statement in self.statement_ids.filtered(
            lambda s: s.state == "issued"
        ).sorted("id"):
            issued[statement.occupancy_id.id] = statement
        lines_by_occ = {}
        for line in result.lines:
            lines_by_occ.setdefault(line.occupancy, []).append(line)
        advances = self._advances(context["occupancies"].values())
        vals_list = []
        for key, total in result.totals:
            occupancy = context["occupancies"][key]
            previous = issued.get(occupancy.id)
            vals_list.append(
                {
                    "period_id": self.id,
                    "run_id": run.id,
                    "occupancy_id": occupancy.id,
                    "partner_id": occupancy.partner_id.id,
                    "date_start": max(occupancy.date_start, self.date_start),
                    "date_end": min(occupancy.date_end or self.date_end, self.date_end),
                    "amount_share": float(total),
                    "advance_amount": 0.0
                    if previous
                    else advances.get(occupancy.id, 0.0),
                    "correction_of_id": previous.id if previous else False,
                    "line_ids": [
                        Command.create(
                            {
                                "section_id": context["sections"][line.section].id,
                                "pool_type": line.pool,
                                "basis": float(line.basis),
                                "total_basis": float(line.total_basis),
                                "pool_amount": float(line.pool_amount),
                                "amount": float(line.amount),
                                "amount_exact": float(line.amount_exact or 0),
                            }
                        )
                        for line in lines_by_occ.get(key, [])
                    ],
                }
            )
        return vals_list

    def _advances(self, occupancies):
        """Advances of meter_billing invoiced (or paid) for the occupancies
        within the period: ``{occupancy_id: amount}``."""
        self.ensure_one()
        if self.deduct_advances == "none":
            return {}
        domain = [
            ("component_type", "=", "advance"),
            ("occupancy_id", "in", [o.id for o in occupancies]),
            ("move_id.state", "=", "posted"),
            ("date_from", ">=", self.date_start),
            ("date_to", "<=", self.date_end),
        ]
        if self.deduct_advances == "paid":
            domain.append(("move_id.payment_state", "in", ("paid", "in_payment")))
        return {
            occupancy.id: amount
            for occupancy, amount in self.env["meter.billing.line"]._read_group(
                domain, ["occupancy_id"], ["amount:sum"]
            )
        }
