# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from meterkit import ReadingPoint, as_decimal
from meterkit.errors import MeterkitError
from meterkit.estimates import (
    Interval,
    add_months,
    estimate_average,
    local_midnight_utc,
)

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date


class MeterBillingMove(models.TransientModel):
    """Tenant change: ends the outgoing occupant on ``date_end``, records the
    interim readings (or estimates flagged as such), issues the final invoice
    of the outgoing occupant and starts the newcomer (or a vacancy billed to
    the owner) the next day."""

    _name = "meter.billing.move"
    _description = "Tenant change"

    billing_point_id = fields.Many2one("meter.billing.point", required=True)
    unit_id = fields.Many2one(related="billing_point_id.unit_id")
    date_end = fields.Date(
        string="Move-out day", required=True, help="Last day of the outgoing occupant."
    )
    outgoing_id = fields.Many2one(
        "meter.occupancy", compute="_compute_outgoing_id", string="Outgoing"
    )
    new_role = fields.Selection(
        [("tenant", "Tenant"), ("owner", "Owner-occupier"), ("vacancy", "Vacancy")],
        required=True,
        default="tenant",
    )
    new_partner_id = fields.Many2one(
        "res.partner", string="Newcomer", help="Empty for a vacancy (the owner pays)."
    )
    issue_invoice = fields.Boolean(string="Issue the final invoice", default=True)
    line_ids = fields.One2many("meter.billing.move.line", "wizard_id")

    @api.depends("billing_point_id", "date_end")
    def _compute_outgoing_id(self):
        for wizard in self:
            segments = (
                wizard.billing_point_id._occupancy_segments(
                    wizard.date_end, wizard.date_end
                )
                if wizard.billing_point_id and wizard.date_end
                else []
            )
            wizard.outgoing_id = segments[0][0] if segments else False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        point = self.env["meter.billing.point"].browse(
            values.get("billing_point_id") or self.env.context.get("active_id")
        )
        if point and "line_ids" in fields_list:
            values["billing_point_id"] = point.id
            last = point.meter_ids._last_values()

            def meter_has(meter):
                return any(key[0] == meter.id for key in last)

            values["line_ids"] = [
                Command.create(
                    {
                        "meter_id": meter.id,
                        "register": f"T{i}",
                        "last_value": last.get((meter.id, f"T{i}"), 0.0),
                    }
                )
                for meter in point.meter_ids
                for i in range(1, meter.register_count + 1)
                # registers in use (T1 of a meter never read)
                if (meter.id, f"T{i}") in last or (i == 1 and not meter_has(meter))
            ]
        return values

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        point = self.billing_point_id
        point.check_access("write")
        outgoing = self.outgoing_id
        if not outgoing:
            raise UserError(
                self.env._(
                    "Nobody occupies %(unit)s on %(day)s: choose a move-out day "
                    "within an occupancy of the unit, or record the occupancy "
                    "on the unit first.",
                    unit=point.unit_id.display_name,
                    day=format_date(self.env, self.date_end),
                )
            )
        if outgoing.date_end and outgoing.date_end <= self.date_end:
            raise UserError(
                self.env._(
                    "The occupancy %(occ)s already ends on %(day)s: choose a "
                    "move-out day before it, or change the end of the occupancy "
                    "on the unit.",
                    occ=outgoing.display_name,
                    day=format_date(self.env, outgoing.date_end),
                )
            )
        if self.new_role != "vacancy" and not self.new_partner_id:
            raise UserError(self.env._("Choose the newcomer, or record a vacancy."))
        at = local_midnight_utc(self.date_end + timedelta(days=1), point.site_id.tz)
        readings = self.env["meter.reading"].create(
            [self._prepare_reading_vals(line, at) for line in self.line_ids]
        )
        self._switch_occupants(outgoing)
        if not self.issue_invoice:
            return {"type": "ir.actions.act_window_close"}
        run = self._final_run(point)
        if readings.filtered(lambda r: r.state == "estimated"):
            run.result_ids.filtered(
                lambda r: r.state == "blocked" and r.line_ids
            ).action_release()
        run.write({"state": "invoicing"})
        run._process(commit=False)
        return {
            "type": "ir.actions.act_window",
            "res_model": "meter.billing.run",
            "res_id": run.id,
            "view_mode": "form",
        }

    def _prepare_reading_vals(self, line, at):
        vals = {
            "meter_id": line.meter_id.id,
            "register": line.register,
            "read_at": at,
            "note": self.env._("Move-out reading"),
        }
        if line.has_value:
            return {**vals, "value": line.value, "source": "staff"}
        estimate = self._estimate(line.meter_id, line.register, at)
        return {
            **vals,
            "value": float(estimate.value),
            "source": "estimate",
            "state": "estimated",
            "note": self.env._(
                "Move-out reading estimated (%(basis)s)", basis=estimate.basis
            ),
        }

    def _estimate(self, meter, register, at):
        """Reading at ``at`` estimated from the average consumption of the six
        months before the last reading (meterkit)."""
        readings = self.env["meter.reading"].search(
            [
                ("meter_id", "=", meter.id),
                ("register", "=", register),
                ("state", "in", ("valid", "estimated")),
                ("read_at", "<", at),
                ("read_at", ">=", add_months(at, -13)),
            ],
            order="read_at",
        )
        if not readings:
            raise UserError(
                self.env._(
                    "%(meter)s %(register)s has no reading to estimate from: enter "
                    "the interim reading.",
                    meter=meter.display_name,
                    register=register,
                )
            )
        history = [
            Interval(prev.read_at, cur.read_at, as_decimal(cur.consumption))
            for prev, cur in zip(readings, readings[1:], strict=False)
            if cur.read_at > prev.read_at
        ]
        last = readings[-1]
        try:
            return estimate_average(
                ReadingPoint(last.read_at, as_decimal(last.value)),
                [at],
                history,
                decimals=meter.resource_id.decimals,
                rollover_value=(
                    as_decimal(meter.rollover_value) if meter.rollover_value else None
                ),
            )[0]
        except MeterkitError as error:
            raise UserError(
                self.env._(
                    "%(meter)s %(register)s cannot be estimated: %(problem)s",
                    meter=meter.display_name,
                    register=register,
                    problem=str(error),
                )
            ) from None

    def _switch_occupants(self, outgoing):
        outgoing.date_end = self.date_end
        vals = {
            "unit_id": self.billing_point_id.unit_id.id,
            "role": self.new_role,
            "date_start": self.date_end + timedelta(days=1),
        }
        if self.new_partner_id:
            vals["partner_id"] = self.new_partner_id.id
        self.env["meter.occupancy"].create(vals)

    def _final_run(self, point):
        """A run of this billing point from the day after its last billed day
        (or the first day of the month) to the move-out day, computed now."""
        billed = point.billed_until
        start = billed + timedelta(days=1) if billed else self.date_end.replace(day=1)
        if start > self.date_end:
            raise UserError(
                self.env._(
                    "%(point)s is already billed until %(day)s: choose a move-out "
                    "day after it, or untick 'Issue the final invoice'; to bill that "
                    "period again, use 'Credit note and rebill' on its billed "
                    "period first.",
                    point=point.display_name,
                    day=format_date(self.env, billed),
                )
            )
        run = self.env["meter.billing.run"].create(
            {
                "company_id": point.company_id.id,
                "date_from": start,
                "date_to": self.date_end,
                "billing_point_ids": [Command.set(point.ids)],
            }
        )
        run.write({"state": "computing"})
        run._process(commit=False)
        run.message_post(
            body=self.env._(
                "Final invoice at the move-out of %(occ)s.",
                occ=self.outgoing_id.display_name,
            )
        )
        return run
