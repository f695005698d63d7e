# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class MeterReplace(models.TransientModel):
    """Replace a meter: closing reading on the old meter, opening reading on the
    new one, the old meter archived with its history, consumption carried across
    (the new meter's readings continue from its opening value)."""

    _name = "meter.replace"
    _description = "Replace a Meter"

    meter_id = fields.Many2one("meter.meter", string="Old Meter", required=True)
    register_count = fields.Integer(
        related="meter_id.register_count", string="Register Count"
    )
    replaced_at = fields.Datetime(required=True, default=fields.Datetime.now)
    line_ids = fields.One2many(
        "meter.replace.line",
        "wizard_id",
        string="Registers",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    new_name = fields.Char(string="New Identifier", required=True)
    new_serial_number = fields.Char()
    new_brand = fields.Char(
        compute="_compute_new_defaults", store=True, readonly=False, precompute=True
    )
    new_model = fields.Char(
        compute="_compute_new_defaults", store=True, readonly=False, precompute=True
    )
    new_multiplier = fields.Float(
        compute="_compute_new_defaults",
        store=True,
        readonly=False,
        precompute=True,
        digits=(16, 6),
    )
    new_rollover_value = fields.Float(
        compute="_compute_new_defaults",
        store=True,
        readonly=False,
        precompute=True,
        digits=(16, 4),
    )
    reason = fields.Char(default=lambda self: self.env._("Meter replacement"))

    @api.depends("meter_id")
    def _compute_line_ids(self):
        """One line per register, with the last stored value as a hint."""
        for wizard in self:
            count = wizard.meter_id.register_count or 1
            last = wizard.meter_id._last_values()
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {
                        "register": f"T{i}",
                        "closing_value": last.get(
                            (wizard.meter_id._origin.id, f"T{i}"), 0.0
                        ),
                    }
                )
                for i in range(1, count + 1)
            ]

    @api.depends("meter_id")
    def _compute_new_defaults(self):
        for wizard in self:
            meter = wizard.meter_id
            wizard.new_brand = meter.brand
            wizard.new_model = meter.model
            wizard.new_multiplier = meter.multiplier or 1.0
            wizard.new_rollover_value = meter.rollover_value

    def action_replace(self):
        """Do the replacement; return the new meter's form."""
        self.ensure_one()
        old = self.meter_id
        self._check_replaceable()
        self._check_lines()
        new = old.copy(self._prepare_new_meter_vals())
        self.env["meter.reading"].create(
            [self._prepare_closing_vals(line) for line in self.line_ids]
            + [self._prepare_opening_vals(new, line) for line in self.line_ids]
        )
        old.write(
            {
                "status": "archived",
                "decommissioning_date": fields.Date.to_date(self.replaced_at),
                "successor_id": new.id,
            }
        )
        old.child_ids.write({"parent_id": new.id})
        old.message_post(body=self._replacement_note(new))
        return {
            "type": "ir.actions.act_window",
            "res_model": "meter.meter",
            "res_id": new.id,
            "view_mode": "form",
        }

    def _check_replaceable(self):
        """A meter is replaced once: not when archived or already replaced."""
        old = self.meter_id
        if old.status == "archived" or old.successor_id:
            raise UserError(
                self.env._(
                    "Meter %s is already archived or replaced: replace its "
                    "successor instead.",
                    old.name,
                )
            )

    def _replacement_note(self, new):
        """The old meter's chatter note: the successor, the instant and the
        closing and opening values per register."""
        return self.env._(
            "Replaced by %(new)s at %(at)s: %(values)s.",
            new=new.name,
            at=format_datetime(self.env, self.replaced_at),
            values=", ".join(
                self.env._(
                    "%(reg)s closing %(close)s, opening %(open)s",
                    reg=line.register,
                    close=line.closing_value,
                    open=line.opening_value,
                )
                for line in self.line_ids
            ),
        )

    def _check_lines(self):
        registers = self.line_ids.mapped("register")
        expected = [f"T{i}" for i in range(1, self.meter_id.register_count + 1)]
        if sorted(registers) != expected:
            raise UserError(
                self.env._(
                    "Meter %(meter)s: give one closing and one opening reading for "
                    "each register (%(regs)s).",
                    meter=self.meter_id.name,
                    regs=", ".join(expected),
                )
            )

    def _prepare_new_meter_vals(self):
        return {
            "name": self.new_name,
            "serial_number": self.new_serial_number,
            "brand": self.new_brand,
            "model": self.new_model,
            "multiplier": self.new_multiplier or 1.0,
            "rollover_value": self.new_rollover_value,
            "commissioning_date": fields.Date.to_date(self.replaced_at),
            "last_verification_date": False,
            "status": "active",
            "predecessor_id": self.meter_id.id,
        }

    def _prepare_closing_vals(self, line):
        return {
            "meter_id": self.meter_id.id,
            "register": line.register,
            "read_at": self.replaced_at,
            "value": line.closing_value,
            "source": "staff",
            "is_closing": True,
            "note": self.reason,
        }

    def _prepare_opening_vals(self, new, line):
        return {
            "meter_id": new.id,
            "register": line.register,
            "read_at": self.replaced_at,
            "value": line.opening_value,
            "source": "staff",
            "is_opening": True,
            "note": self.reason,
        }
