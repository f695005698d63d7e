# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command


class MeterReadingBatch(models.TransientModel):
    """Enter the readings of a building in one form: one line per register of
    each meter in service, with its previous value; one explicit save stores
    the filled lines (all or nothing) and confirms how many were stored."""

    _name = "meter.reading.batch"
    _inherit = ["meter.wizard.reopen"]
    _description = "Enter Readings of a Building"

    building_id = fields.Many2one("meter.building", required=True)
    resource_id = fields.Many2one(
        "meter.resource", help="Only the meters of this resource; empty: all."
    )
    read_at = fields.Datetime(
        string="Read At", required=True, default=fields.Datetime.now
    )
    message = fields.Text(
        readonly=True, help="Why the last save stored nothing, and what to do."
    )
    line_ids = fields.One2many(
        "meter.reading.batch.line",
        "batch_id",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )

    @api.depends("building_id", "resource_id")
    def _compute_line_ids(self):
        for batch in self:
            meters = batch._meters()
            last = meters._last_readings()
            batch.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "meter_id": meter.id,
                        "register": register,
                        "previous_read_at": last.get((meter.id, register), (False,))[0],
                        "previous_value": last.get((meter.id, register), (0, 0.0))[1],
                    }
                )
                for meter in meters
                for register in (
                    f"T{index}" for index in range(1, meter.register_count + 1)
                )
            ]

    def _meters(self):
        """The meters in service of the building that take readings."""
        self.ensure_one()
        if not self.building_id:
            return self.env["meter.meter"]
        domain = [
            ("building_id", "=", self.building_id.id),
            ("status", "!=", "archived"),
            ("kind", "!=", "virtual"),
        ]
        if self.resource_id:
            domain.append(("resource_id", "=", self.resource_id.id))
        return self.env["meter.meter"].search(domain, order="unit_id, name, id")

    def action_save(self):
        """Store the filled lines as readings of the staff in one create and
        confirm it; all or nothing: when a line is refused (e.g. an unusual
        consumption not confirmed), nothing is stored and the form shows why."""
        self.ensure_one()
        lines = self.line_ids.filtered("value")
        if not lines:
            raise UserError(self.env._("Enter at least one value before saving."))
        try:
            with self.env.cr.savepoint():
                readings = self.env["meter.reading"].create(
                    [line._prepare_reading_vals(self.read_at) for line in lines]
                )
        except ValidationError as error:
            # Shown in the form, which stays open with what was typed: the
            # reader corrects the value or ticks the confirmation on its line.
            self.env.invalidate_all()
            self.message = error.args[0]
            return self._reopen()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Readings saved"),
                "message": self.env._(
                    "%(count)s reading(s) of %(building)s saved.",
                    count=len(readings),
                    building=self.building_id.display_name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
