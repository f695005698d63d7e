# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date

# Results in these states do not hold their period: it can be billed again.
FREE_STATES = ("reversed", "deferred")


class MeterBillingResult(models.Model):
    """The billing of one billing point for one period by one run.

    The database refuses a second live result for the same billing point and
    period start (``_point_period_uniq``): whatever the job state, a crashed
    cron re-run or a concurrent run can never bill a billing point twice. Only a
    ``reversed`` result (credited) frees its period for a rebill, and a
    ``deferred`` one (still blocked when its run was invoiced) for a later run.
    """

    _name = "meter.billing.result"
    _description = "Billing Result"
    _order = "run_id, site_id, billing_point_id, id"
    _check_company_auto = True

    run_id = fields.Many2one(
        "meter.billing.run", required=True, ondelete="cascade", index=True
    )
    billing_point_id = fields.Many2one(
        "meter.billing.point", required=True, ondelete="restrict", index=True
    )
    unit_id = fields.Many2one(related="billing_point_id.unit_id", store=True)
    site_id = fields.Many2one(
        related="billing_point_id.site_id", store=True, index=True
    )
    company_id = fields.Many2one(related="billing_point_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(related="run_id.kind", store=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    state = fields.Selection(
        [
            ("ok", "Ready"),
            ("blocked", "Blocked"),
            ("released", "Released"),
            ("invoiced", "Invoiced"),
            ("deferred", "Left for a Later Run"),
            ("reversed", "Reversed"),
        ],
        required=True,
        default="ok",
        index=True,
    )
    block_reason = fields.Text(readonly=True)
    released_by_id = fields.Many2one("res.users", readonly=True)
    line_ids = fields.One2many("meter.billing.line", "result_id")
    move_ids = fields.Many2many(
        "account.move", compute="_compute_move_ids", string="Invoices"
    )
    amount_untaxed = fields.Monetary(compute="_compute_amount", store=True)
    estimated_end_values = fields.Json(
        readonly=True,
        copy=False,
        help="Counter values at the end of the period billed on estimates, per "
        "'meter id:register': the next period starts from them, so that the "
        "late real reading settles the difference (RU п. 61).",
    )

    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)", "A billed period cannot end before it starts."
    )
    _point_period_uniq = models.UniqueIndex(
        "(billing_point_id, kind, date_from) "
        "WHERE state NOT IN ('reversed', 'deferred')",
        "This billing point is already billed for this period.",
    )

    @api.depends("billing_point_id", "date_from", "date_to")
    def _compute_display_name(self):
        # breadcrumbs and links name the billing point and its period, never
        # "meter.billing.result,79"
        for result in self:
            result.display_name = self.env._(
                "%(point)s, %(start)s - %(end)s",
                point=result.billing_point_id.display_name or "",
                start=format_date(self.env, result.date_from),
                end=format_date(self.env, result.date_to),
            )

    @api.depends("line_ids.amount")
    def _compute_amount(self):
        for result in self:
            result.amount_untaxed = float(result.line_ids._amount_total())

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for result in self:
            result.move_ids = result.line_ids.move_id

    def _billable(self):
        return self.filtered(lambda r: r.state in ("ok", "released"))

    def action_release(self):
        """A user accepts a blocked billing point as it is."""
        self.run_id._check_billing_access()
        blocked = self.filtered(lambda r: r.state == "blocked")
        if blocked.run_id.filtered(lambda r: r.state not in ("computed",)):
            raise UserError(
                self.env._("Only results of a computed run can be released.")
            )
        # a result blocked before its lines were computed (missing reading, no
        # tariff) has nothing to invoice: released, it would be marked invoiced
        # and its period never billed
        empty = blocked.filtered(
            lambda r: set(r.line_ids.mapped("component_type")) <= {"common"}
        )
        if empty:
            raise UserError(
                self.env._(
                    "%(point)s cannot be released: nothing was computed for it "
                    "(%(reason)s). Fix the cause: a later run bills the point, "
                    "or cancel this run, reset it to draft and compute it again.",
                    point=empty[0].billing_point_id.display_name,
                    reason=empty[0].block_reason,
                )
            )
        blocked.write({"state": "released", "released_by_id": self.env.uid})
        for result in blocked:
            result.run_id.message_post(
                body=self.env._(
                    "%(point)s released despite: %(reason)s",
                    point=result.billing_point_id.display_name,
                    reason=result.block_reason,
                )
            )
        return True

    def action_credit_and_rebill(self):
        """Reverse the invoices of these results by credit notes and bill their
        periods again in a correction run (draft invoices to check and post).
        A correction run with results to review stops at computed.

        An invoice groups every billing point of a partner in a run: all the
        results on the reversed invoices are reversed and rebilled together.
        """
        self.run_id._check_billing_access()
        moves = self.line_ids.move_id
        if not moves or self.filtered(lambda r: r.state != "invoiced"):
            raise UserError(
                self.env._("Only invoiced billing points can be corrected.")
            )
        affected = (
            self.env["meter.billing.line"]
            .search([("move_id", "in", moves.ids)])
            .result_id
        )
        posted = moves.filtered(lambda m: m.state == "posted")
        if posted:
            posted._reverse_moves(
                [
                    {"ref": self.env._("Correction of %(name)s", name=move.name)}
                    for move in posted
                ],
                cancel=True,
            )
        (moves - posted).button_cancel()
        affected.write({"state": "reversed"})
        runs = self.env["meter.billing.run"]
        for run, results in affected.grouped("run_id").items():
            runs |= runs.create(
                {
                    "company_id": run.company_id.id,
                    "kind": run.kind,
                    "is_correction": True,
                    "date_from": min(results.mapped("date_from")),
                    "date_to": max(results.mapped("date_to")),
                    "billing_point_ids": [Command.set(results.billing_point_id.ids)],
                    "journal_id": run.journal_id.id,
                    "cash_rounding_id": run.cash_rounding_id.id,
                }
            )
        runs.write({"state": "computing"})
        runs._process(commit=False)
        # A result that needs review (estimated readings, a missing reading)
        # keeps its correction run at computed, visibly waiting to be released
        # and invoiced: invoiced now, it would be left for a later run that
        # never comes and the corrected period would stay unbilled.
        waiting = runs.filtered(
            lambda r: r.result_ids.filtered(lambda res: res.state == "blocked")
        )
        for run in waiting:
            run.message_post(
                body=self.env._(
                    "Correction computed: %(count)s billing point(s) need a review "
                    "(see their reasons); release them, then create the invoices.",
                    count=run.blocked_count,
                )
            )
        (runs - waiting).filtered(lambda r: r.state == "computed").write(
            {"state": "invoicing"}
        )
        runs._process(commit=False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correction runs"),
            "res_model": "meter.billing.run",
            "view_mode": "list,form",
            "domain": [("id", "in", runs.ids)],
        }
