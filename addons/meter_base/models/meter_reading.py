# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from decimal import Decimal

from meterkit import ReadingError, admission_error, codes, consumption, parse_value

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .meter_meter import LIVE_STATES, REGISTERS

FROZEN_FIELDS = {
    "meter_id",
    "register",
    "read_at",
    "value",
    "is_rollover",
    "is_opening",
}


def _dec(value):
    return Decimal(str(value or 0))


class MeterReading(models.Model):
    """A reading of one register of a meter at one instant (UTC).

    A reading is stored once: (meter, register, instant) is unique among live
    readings (valid or estimated). ``consumption`` is the difference to the previous
    live reading of the same register, times the meter's multiplier, across a
    recorded rollover; an opening reading (new meter after a replacement) starts
    at zero. A correction supersedes the reading and keeps it; values are never
    overwritten in place.
    """

    _name = "meter.reading"
    _description = "Meter Reading"
    _order = "read_at desc, id desc"
    _rec_name = "meter_id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    meter_id = fields.Many2one(
        "meter.meter", required=True, ondelete="restrict", check_company=True
    )
    register = fields.Selection(REGISTERS, required=True, default="T1")
    read_at = fields.Datetime(required=True, default=fields.Datetime.now)
    value = fields.Float(required=True, digits=(16, 4), aggregator="max")
    consumption = fields.Float(digits=(16, 4), readonly=True, aggregator="sum")
    source = fields.Selection(
        [
            ("resident", "Resident"),
            ("staff", "Staff"),
            ("gateway", "Gateway"),
            ("import", "Import"),
            ("api", "API"),
            ("estimate", "Estimate"),
        ],
        required=True,
        default="staff",
    )
    state = fields.Selection(
        [
            ("valid", "Valid"),
            ("estimated", "Estimated"),
            ("rejected", "Rejected"),
            ("superseded", "Superseded"),
        ],
        required=True,
        default="valid",
    )
    is_rollover = fields.Boolean(
        string="Counter Rolled Over",
        help="The counter wrapped past its rollover value since the previous reading.",
    )
    is_opening = fields.Boolean(
        string="Opening Reading",
        help="First reading of a meter (e.g. after a replacement): no consumption.",
    )
    is_closing = fields.Boolean(
        string="Closing Reading", help="Last reading of a meter before its removal."
    )
    anomaly_code = fields.Char(
        help="Validation code of an anomaly detected on this reading."
    )
    anomaly_confirmed_by_id = fields.Many2one("res.users", readonly=True)
    anomaly_confirmed_at = fields.Datetime(readonly=True)
    author_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True
    )
    evidence = fields.Text(help="Raw frame, file and line or note behind the value.")
    note = fields.Char()
    supersedes_id = fields.Many2one(
        "meter.reading", string="Corrects", readonly=True, index="btree_not_null"
    )
    superseded_by_id = fields.Many2one(
        "meter.reading", string="Corrected By", readonly=True, index="btree_not_null"
    )
    resource_id = fields.Many2one(related="meter_id.resource_id", store=True)
    uom_id = fields.Many2one(related="meter_id.resource_id.uom_id")
    unit_id = fields.Many2one(related="meter_id.unit_id", store=True)
    building_id = fields.Many2one(related="meter_id.building_id", store=True)
    site_id = fields.Many2one(related="meter_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="meter_id.company_id", store=True)

    _once_per_instant = models.UniqueIndex(
        "(meter_id, register, read_at) WHERE state IN ('valid', 'estimated')",
        "A meter register has only one live reading per instant.",
    )
    _value_positive = models.Constraint(
        "CHECK (value >= 0)", "A reading value cannot be negative."
    )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("meter_id", "register", "read_at", "value", "state")
    def _check_reading_admissible(self):
        for reading in self.filtered(lambda r: r.state in LIVE_STATES):
            meter = reading.meter_id
            allow_archived = reading.is_closing or self.env.context.get(
                "meter_allow_archived"
            )
            code = admission_error(
                meter._reading_rules(allow_archived=allow_archived),
                reading.register,
                reading.read_at,
                _dec(reading.value),
            )
            if code:
                raise ValidationError(
                    self.env._(
                        "Reading of meter %(meter)s at %(at)s: %(error)s [%(code)s]",
                        meter=meter.name,
                        at=fields.Datetime.to_string(reading.read_at),
                        error=reading._admission_message(code),
                        code=code,
                    )
                )

    def _admission_message(self, code):
        """The user's words for an admission code of meterkit."""
        self.ensure_one()
        meter = self.meter_id
        messages = {
            codes.NEGATIVE_VALUE: lambda: self.env._("field 'Value' is negative."),
            codes.VIRTUAL_METER: lambda: self.env._(
                "a virtual meter takes no readings."
            ),
            codes.CLOSED_SITE: lambda: self.env._(
                "site %s is closed.", meter.site_id.display_name
            ),
            codes.ARCHIVED_METER: lambda: self.env._("the meter is archived."),
            codes.BAD_REGISTER: lambda: self.env._(
                "field 'Register' %(reg)s exceeds the meter's %(count)s register(s).",
                reg=self.register,
                count=meter.register_count,
            ),
            codes.BEFORE_COMMISSIONING: lambda: self.env._(
                "field 'Read At' is before the commissioning date %s.",
                meter.commissioning_date,
            ),
            codes.ABOVE_ROLLOVER: lambda: self.env._(
                "field 'Value' %(value)s is not below the rollover value %(max)s.",
                value=self.value,
                max=meter.rollover_value,
            ),
        }
        if code in messages:
            return messages[code]()
        return self.env._(
            "field 'Value' %(value)s has more than %(dec)s decimal(s).",
            value=self.value,
            dec=meter.resource_id.decimals,
        )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_value_vals(vals)
        readings = super().create(vals_list)
        readings._recompute_consumption(readings._chain_bounds())
        return readings

    @api.model
    def _check_value_vals(self, vals):
        """Refuse a non-numeric or negative value with a message naming the
        meter and the field, before the database constraint would."""
        if "value" not in vals:
            return
        try:
            value = parse_value(vals["value"], field="Value")
        except ReadingError as error:
            meter = self.env["meter.meter"].browse(vals.get("meter_id"))
            raise ValidationError(
                self.env._(
                    "Reading of meter %(meter)s: %(error)s [%(code)s]",
                    meter=meter.exists().name or "?",
                    error=str(error),
                    code=error.code,
                )
            ) from error
        vals["value"] = float(value)

    def write(self, vals):
        if FROZEN_FIELDS & set(vals):
            raise UserError(
                self.env._(
                    "A reading is never overwritten: use 'Correct' to supersede it "
                    "with a new value (fields: %s).",
                    ", ".join(sorted(FROZEN_FIELDS & set(vals))),
                )
            )
        bounds = self._chain_bounds() if "state" in vals else {}
        result = super().write(vals)
        if bounds:
            self._recompute_consumption(bounds)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if self.filtered(lambda r: r.state == "superseded" or r.supersedes_id):
            raise UserError(
                self.env._("Corrected readings and their corrections are kept.")
            )

    def unlink(self):
        bounds = self._chain_bounds()
        result = super().unlink()
        self._recompute_consumption(bounds)
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_correct(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correct Reading"),
            "res_model": "meter.reading.correct",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reading_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS: corrections
    # ------------------------------------------------------------

    def _correct(self, value, reason, read_at=None, is_rollover=None):
        """Supersede this live reading by a new one with ``value``; return it.

        The old reading is kept (state ``superseded``) and linked both ways.
        """
        self.ensure_one()
        if self.state not in LIVE_STATES:
            raise UserError(
                self.env._("Only a valid or estimated reading can be corrected.")
            )
        vals = self._prepare_correction_vals(value, reason, read_at, is_rollover)
        self.with_context(meter_allow_archived=True).write({"state": "superseded"})
        new = self.with_context(meter_allow_archived=True).create(vals)
        self.superseded_by_id = new
        return new

    def _prepare_correction_vals(self, value, reason, read_at, is_rollover):
        return {
            "meter_id": self.meter_id.id,
            "register": self.register,
            "read_at": read_at or self.read_at,
            "value": value,
            "source": "staff",
            "state": "valid",
            "is_rollover": self.is_rollover if is_rollover is None else is_rollover,
            "is_opening": self.is_opening,
            "is_closing": self.is_closing,
            "supersedes_id": self.id,
            "note": reason,
            "evidence": self.env._(
                "Correction of %(old)s (value %(value)s): %(reason)s",
                old=self.id,
                value=self.value,
                reason=reason,
            ),
        }

    # ------------------------------------------------------------
    # BUSINESS: consumption
    # ------------------------------------------------------------

    def _chain_bounds(self):
        """{(meter_id, register): earliest instant touched} for these readings."""
        bounds = {}
        for reading in self:
            key = (reading.meter_id.id, reading.register)
            if key not in bounds or reading.read_at < bounds[key]:
                bounds[key] = reading.read_at
        return bounds

    def _fetch_chains(self, bounds):
        """Live readings of each chain from the last one before its bound, in one
        query: {(meter_id, register): [(id, value, rollover, opening, cons)]}."""
        values = SQL(", ").join(
            SQL("(%s, %s, %s::timestamp)", meter_id, register, start)
            for (meter_id, register), start in bounds.items()
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH b(meter_id, register, start) AS (VALUES %(values)s),
                anchor AS (
                    SELECT b.meter_id, b.register,
                           COALESCE((SELECT max(r.read_at) FROM meter_reading r
                                      WHERE r.meter_id = b.meter_id
                                        AND r.register = b.register
                                        AND r.state IN %(live)s
                                        AND r.read_at < b.start), b.start) AS start
                      FROM b)
                SELECT r.meter_id, r.register, r.id, r.value, r.is_rollover,
                       r.is_opening, r.consumption, r.read_at
                  FROM meter_reading r
                  JOIN anchor a ON a.meter_id = r.meter_id AND a.register = r.register
                 WHERE r.state IN %(live)s AND r.read_at >= a.start
                 ORDER BY r.meter_id, r.register, r.read_at
                """,
                values=values,
                live=LIVE_STATES,
            )
        )
        chains = defaultdict(list)
        for meter_id, register, *rest in rows:
            chains[(meter_id, register)].append(rest)
        return chains

    def _recompute_consumption(self, bounds):
        """Recompute the consumption of every live reading at or after each bound
        with meterkit, then store the changed values in one UPDATE.

        :raise ValidationError: naming the meter, instant and values when a value
            goes down without a recorded rollover or replacement.
        """
        if not bounds:
            return
        self.flush_model()
        chains = self._fetch_chains(bounds)
        meters = self.env["meter.meter"].browse({key[0] for key in chains})
        meters = {meter.id: meter for meter in meters}
        changes = []
        for key, rows in chains.items():
            changes += self._chain_changes(meters[key[0]], rows, bounds[key])
        if changes:
            self._store_consumption(changes)
        self.env["meter.meter"]._refresh_last_read({key[0] for key in bounds})

    def _chain_changes(self, meter, rows, bound):
        multiplier = _dec(meter.multiplier or 1)
        rollover = _dec(meter.rollover_value) if meter.rollover_value else None
        previous = None
        changes = []
        for reading_id, value, rolled, opening, stored, read_at in rows:
            if read_at < bound:
                previous = value
                continue
            try:
                cons = consumption(
                    None if previous is None else _dec(previous),
                    _dec(value),
                    multiplier=multiplier,
                    rollover_value=rollover,
                    rolled_over=bool(rolled),
                    opening=bool(opening),
                )
            except ReadingError as error:
                raise ValidationError(
                    self.env._(
                        "Reading of meter %(meter)s at %(at)s (value %(value)s, "
                        "previous %(prev)s): %(error)s [%(code)s]",
                        meter=meter.name,
                        at=fields.Datetime.to_string(read_at),
                        value=value,
                        prev=previous,
                        error=str(error),
                        code=error.code,
                    )
                ) from error
            if stored is None or _dec(stored) != cons:
                changes.append((reading_id, cons))
            previous = value
        return changes

    def _store_consumption(self, changes):
        values = SQL(", ").join(
            SQL("(%s, %s::numeric)", rid, cons) for rid, cons in changes
        )
        self.env.execute_query(
            SQL(
                """
                UPDATE meter_reading r SET consumption = c.cons
                  FROM (VALUES %s) AS c(id, cons) WHERE r.id = c.id
                """,
                values,
            )
        )
        self.invalidate_model(["consumption"])

    # ------------------------------------------------------------
    # BUSINESS: bulk ingestion
    # ------------------------------------------------------------

    @api.model
    def _bulk_ingest(self, rows, source="import"):
        """Store many readings at once; see ``meter.reading.ingest``."""
        return self.env["meter.reading.ingest"]._ingest(rows, source=source)
