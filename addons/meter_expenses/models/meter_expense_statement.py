# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from meterkit import as_decimal, write_xlsx

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class MeterExpenseStatement(models.Model):
    """The statement of one occupancy for a period: its share of every section
    (explained line by line), the advances deducted and the balance posted as
    an invoice or a credit note. An issued statement is never rewritten: a
    reopened period issues a correction that bills the difference."""

    _name = "meter.expense.statement"
    _description = "Expense Statement"
    _inherit = ["mail.thread"]
    _order = "period_id, unit_id, date_start, id"

    period_id = fields.Many2one(
        "meter.expense.period", required=True, index=True, ondelete="restrict"
    )
    run_id = fields.Many2one("meter.expense.run", readonly=True, ondelete="restrict")
    occupancy_id = fields.Many2one("meter.occupancy", required=True, index=True)
    role = fields.Selection(related="occupancy_id.role", store=True)
    unit_id = fields.Many2one(related="occupancy_id.unit_id", store=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True)
    site_id = fields.Many2one(related="period_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="period_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date(required=True)
    date_end = fields.Date(required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("issued", "Issued")],
        default="draft",
        required=True,
        readonly=True,
    )
    line_ids = fields.One2many("meter.expense.statement.line", "statement_id")
    amount_share = fields.Monetary(string="Share of the costs", readonly=True)
    advance_amount = fields.Monetary(string="Advances deducted", readonly=True)
    correction_of_id = fields.Many2one(
        "meter.expense.statement", readonly=True, string="Corrects"
    )
    amount_due = fields.Monetary(
        compute="_compute_amount_due",
        store=True,
        string="Balance",
        help="Positive: the occupant pays; negative: refunded to the occupant.",
    )
    move_ids = fields.One2many(
        "account.move", "meter_expense_statement_id", string="Balance moves"
    )
    move_id = fields.Many2one(
        "account.move",
        string="Balance move",
        compute="_compute_move_id",
        store=True,
        copy=False,
        help="The invoice or credit note of the balance (one at most: a unique "
        "index on the move guards it).",
    )
    is_owner_share = fields.Boolean(
        compute="_compute_amount_due", store=True, help="Vacancy: the owner bears it."
    )

    @api.depends("amount_share", "advance_amount", "correction_of_id", "role")
    def _compute_amount_due(self):
        for statement in self:
            currency = statement.currency_id
            places = currency.decimal_places if currency else 2
            share, advance, base = (
                as_decimal(amount, places)
                for amount in (
                    statement.amount_share,
                    statement.advance_amount,
                    statement.correction_of_id.amount_share,
                )
            )
            statement.amount_due = float(share - advance - base)
            statement.is_owner_share = statement.role == "vacancy"

    @api.depends("move_ids")
    def _compute_move_id(self):
        for statement in self:
            statement.move_id = statement.move_ids[:1]

    def _compute_display_name(self):
        for statement in self:
            statement.display_name = (
                f"{statement.period_id.name} - {statement.unit_id.name} - "
                f"{statement.partner_id.name}"
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        if self.filtered(lambda s: s.state == "issued"):
            raise UserError(self.env._("An issued statement cannot be deleted."))

    # ------------------------------------------------------------
    # POSTING
    # ------------------------------------------------------------

    def _check_postable(self):
        """Every problem of the period's statements, before anything is posted."""
        problems = []
        for statement in self:
            period = statement.period_id
            if statement.run_id != period.run_id:
                problems.append(
                    self.env._(
                        "%s comes from an older allocation run.", statement.display_name
                    )
                )
            if not statement.is_owner_share and not statement.partner_id:
                problems.append(
                    self.env._("%s has no occupant.", statement.display_name)
                )
        periods = self.period_id
        for period in periods:
            if (
                any(s.amount_due and not s.is_owner_share for s in self)
                and not period.product_id
            ):
                problems.append(
                    self.env._(
                        "Period %s has no statement product.", period.display_name
                    )
                )
        if problems:
            raise UserError("\n".join(problems))

    def _post(self):
        """Post the balance of each statement once: an invoice or credit note
        linked both ways; a move already linked to a statement (second click,
        resumed crash) is reused; the database refuses a second one.

        Batched: the lines are summed per statement and section in one grouped
        read, the moves created in one call and posted in one call; the link
        back (``move_id``) is computed from the moves in one flush.

        As Odoo's own batch code does, the moves are created and posted
        without chatter (``tracking_disable``): no "created" note, no
        followers and no tracking values per move; the statement is their
        trail (each move links it)."""
        Move = self.env["account.move"].with_context(tracking_disable=True)
        moves = Move.create(self._to_post()._prepare_move_vals_list())
        moves.filtered(lambda m: m.state == "draft").action_post()
        self.state = "issued"

    def _to_post(self):
        """The statements of ``self`` whose balance still has to be posted."""
        return self.filtered(
            lambda s: not s.move_id and s.amount_due and not s.is_owner_share
        )

    def _prepare_move_vals_list(self):
        """``vals_list`` of the balance moves of ``self``: one line per
        section (or the correction), the advances deducted."""
        if not self:
            return []
        by_statement = {}
        for statement, section, amount in self.env[
            "meter.expense.statement.line"
        ]._read_group(
            [("statement_id", "in", self.ids)],
            ["statement_id", "section_id"],
            ["amount:sum"],
            order="section_id",
        ):
            by_statement.setdefault(statement.id, []).append((section.name, amount))
        today = fields.Date.context_today(self)
        advance_label = self.env._("Advance payments")
        vals_list = []
        for statement in self:
            period = statement.period_id
            sign = 1 if statement.amount_due > 0 else -1
            if statement.correction_of_id:
                lines = [
                    (
                        self.env._(
                            "Correction of %s",
                            statement.correction_of_id.display_name,
                        ),
                        statement.amount_due,
                    )
                ]
            else:
                lines = list(by_statement.get(statement.id, []))
                if statement.advance_amount:
                    lines.append((advance_label, -statement.advance_amount))
            vals = {
                "move_type": "out_invoice" if sign > 0 else "out_refund",
                "partner_id": statement.partner_id.id,
                "company_id": statement.company_id.id,
                "invoice_date": today,
                "meter_expense_statement_id": statement.id,
                "invoice_origin": period.name,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": name,
                            "product_id": period.product_id.id,
                            "quantity": 1.0,
                            "price_unit": sign * amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for name, amount in lines
                ],
            }
            if period.journal_id:
                vals["journal_id"] = period.journal_id.id
            vals_list.append(vals)
        return vals_list

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send(self):
        """E-mail each statement with its PDF to the occupant."""
        template = self.env.ref("meter_expenses.mail_template_statement")
        for statement in self:
            if not statement.partner_id.email:
                raise UserError(
                    self.env._(
                        "%s: the occupant has no e-mail address: enter it on the "
                        "contact, or print the statement.",
                        statement.display_name,
                    )
                )
            statement.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=statement.partner_id.ids,
            )
        return True

    def action_export_consumptions(self):
        """XLSX of the individual consumptions and shares (formula-safe)."""
        header = [
            self.env._("Period"),
            self.env._("Unit"),
            self.env._("Occupant"),
            self.env._("From"),
            self.env._("To"),
            self.env._("Section"),
            self.env._("Pool"),
            self.env._("Basis"),
            self.env._("Total basis"),
            self.env._("Pool amount"),
            self.env._("Amount"),
        ]
        rows = [
            [
                line.statement_id.period_id.name,
                line.statement_id.unit_id.name,
                line.statement_id.partner_id.name,
                line.statement_id.date_start,
                line.statement_id.date_end,
                line.section_id.name,
                line.pool_type,
                line.basis,
                line.total_basis,
                line.pool_amount,
                line.amount,
            ]
            for line in self.line_ids
        ]
        attachment = self.env["ir.attachment"].create(
            {
                "name": "consumptions.xlsx",
                "datas": base64.b64encode(write_xlsx(header, rows)),
                "res_model": self._name,
                "res_id": self[:1].id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
