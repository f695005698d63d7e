# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape
from meterkit.expenses import allocate_period, compare_runs, dump_result, load_input

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang


class MeterExpenseRun(models.Model):
    """One allocation of a period: its inputs and outputs as stored JSON with
    their content hashes, so that every cent can be recomputed."""

    _name = "meter.expense.run"
    _description = "Expense Allocation Run"
    _order = "id desc"

    period_id = fields.Many2one(
        "meter.expense.period", required=True, index=True, ondelete="cascade"
    )
    site_id = fields.Many2one(related="period_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="period_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    input_json = fields.Json(readonly=True)
    output_json = fields.Json(readonly=True)
    input_hash = fields.Char(readonly=True)
    output_hash = fields.Char(readonly=True)
    owner_total = fields.Monetary(readonly=True, string="Borne by the owner")
    statement_ids = fields.One2many("meter.expense.statement", "run_id")

    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.period_id.name} #{run.id}"

    def action_recompute(self):
        """Recompute from the stored inputs and prove every cent identical."""
        for run in self:
            result = allocate_period(load_input(run.input_json))
            if (
                result.input_hash != run.input_hash
                or result.output_hash != run.output_hash
                or dump_result(result) != run.output_json
            ):
                raise UserError(
                    self.env._(
                        "Run %(run)s: the recomputation differs from the stored "
                        "outputs (stored %(stored)s, recomputed %(new)s).",
                        run=run.display_name,
                        stored=run.output_hash,
                        new=result.output_hash,
                    )
                )
            run.period_id.message_post(
                body=self.env._(
                    "Run %(run)s recomputed from its stored inputs: %(count)s "
                    "lines identical to the cent (output hash %(hash)s).",
                    run=run.display_name,
                    count=len(result.lines),
                    hash=run.output_hash,
                )
            )
        return True

    def action_compare_previous(self):
        """Post what changed against the previous run of the period: the
        sections whose inputs changed and every occupancy's delta."""
        self.ensure_one()
        previous = self.period_id.run_ids.filtered(lambda r: r.id < self.id).sorted(
            "id"
        )[-1:]
        if not previous:
            raise UserError(
                self.env._("Run %s is the first of its period.", self.display_name)
            )
        sections, changes = compare_runs(
            previous.input_json, previous.output_json, self.input_json, self.output_json
        )
        names = {f"{s.kind}-{s.id}": s.name for s in self.period_id.section_ids}
        occupancies = self.env["meter.occupancy"].browse(
            [int(key) for key, *_rest in changes]
        )
        labels = {str(o.id): o.display_name for o in occupancies}
        money = self._format_money
        rows = [
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
            % (labels.get(key, key), money(old), money(new), money(delta))
            for key, old, new, delta in changes
        ]
        body = Markup(
            "<p>%s</p><ul>%s</ul><table class='table table-sm'>%s</table>"
        ) % (
            self.env._(
                "Run %(new)s against run %(old)s:",
                new=self.display_name,
                old=previous.display_name,
            ),
            Markup("").join(
                Markup("<li>%s: %s -> %s</li>")
                % (names.get(code, code), money(old), money(new))
                for code, old, new in sections
            ),
            Markup("").join(rows) or escape(self.env._("No occupancy changed.")),
        )
        self.period_id.message_post(body=body)
        return True

    def _format_money(self, amount):
        """``amount`` (Decimal) at the currency's decimal places in the user's
        language ("1,120.00", "1.120,00"); "-" for a section missing on one
        side of a comparison."""
        if amount is None:
            return "-"
        places = self.currency_id.decimal_places if self.currency_id else 2
        return formatLang(self.env, float(amount), digits=places)
