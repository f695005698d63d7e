# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from meterkit import MeterkitError, read_rows

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get

MAX_FILE_ROWS = 500_000


class MeterIntervalImport(models.TransientModel):
    """Import a load profile (15-minute interval values) from a CSV or XLSX file.

    Columns: ``meter`` (the meter identifier; optional when the wizard names
    the meter), ``register`` (T1..T8, default T1), ``start`` (start of the
    interval, ISO 8601; without offset it is read in the chosen timezone) and
    ``value`` (kWh). All or nothing: a bad row stops the import naming its
    line, and a file imported twice stores nothing the second time.
    """

    _name = "meter.interval.import"
    _inherit = ["meter.wizard.reopen"]
    _description = "Import Interval Data"

    file = fields.Binary(required=True)
    filename = fields.Char()
    meter_id = fields.Many2one(
        "meter.meter",
        string="Meter",
        help="Meter of every row when the file has no meter column.",
    )
    tz = fields.Selection(
        _tz_get,
        string="Timezone",
        required=True,
        default="UTC",
        help="Timezone of the start times written without a UTC offset.",
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    row_count = fields.Integer(readonly=True)
    created_count = fields.Integer(string="Stored", readonly=True)
    duplicate_count = fields.Integer(string="Already Stored", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "meter.meter" and context.get("active_id"):
            values.setdefault("meter_id", context["active_id"])
        return values

    def action_import(self):
        self.ensure_one()
        Interval = self.env["meter.interval"]
        Interval.check_access("create")
        try:
            header, records = read_rows(
                base64.b64decode(self.file),
                self.filename or "intervals.csv",
                max_rows=MAX_FILE_ROWS,
            )
        except MeterkitError as error:
            raise UserError(str(error)) from None
        self._check_header(header)
        rows, lines, errors = self._prepare_rows(records)
        Interval._raise_errors(errors)
        result = Interval._bulk_load(rows, lines=lines)
        self.write(
            {
                "state": "done",
                "row_count": len(rows),
                "created_count": result["created"],
                "duplicate_count": result["duplicates"],
            }
        )
        return self._reopen()

    def _check_header(self, header):
        needed = {"start", "value"} if self.meter_id else {"meter", "start", "value"}
        missing = sorted(needed - set(header))
        if missing:
            raise UserError(
                self.env._(
                    "The file %(file)s has no column %(columns)s. Columns: meter, "
                    "register (T1..T8, default T1), start, value.",
                    file=self.filename or "",
                    columns=", ".join(missing),
                )
            )

    def _prepare_rows(self, records):
        """``(rows, lines, errors)``: rows for ``_bulk_load``, their file line
        numbers, and ``(line, message)`` for the meters and start times that
        cannot be resolved here."""
        meter_ids = self._meter_ids({r.get("meter", "") for r in records})
        zone = ZoneInfo(self.tz or "UTC")
        rows, lines, errors = [], [], []
        for record in records:
            line = record["__row__"]
            name = record.get("meter", "")
            meter_id = meter_ids.get(name) if name else self.meter_id.id
            if not meter_id:
                errors.append(
                    (line, self.env._("meter %s: no such meter in your sites.", name))
                )
                continue
            start = self._utc_start(record["start"], zone)
            if start is None:
                errors.append(
                    (
                        line,
                        self.env._(
                            "start %s is not a date and time, or does not exist or "
                            "is ambiguous at a daylight saving change (give the UTC "
                            "offset).",
                            record["start"],
                        ),
                    )
                )
                continue
            register = record.get("register") or "T1"
            rows.append((meter_id, register, start, record["value"]))
            lines.append(line)
        return rows, lines, errors

    def _meter_ids(self, names):
        """``{name: meter id}`` of the named meters the user can read; a name
        shared by meters of several companies is left out (ambiguous)."""
        names = [name for name in names if name]
        found = {}
        for meter in self.env["meter.meter"].search([("name", "in", names)]):
            found[meter.name] = None if meter.name in found else meter.id
        return {name: meter_id for name, meter_id in found.items() if meter_id}

    @staticmethod
    def _utc_start(text, zone):
        """The naive UTC instant of ``text``, or None when it is not a date
        and time, or a local time skipped or repeated by a DST change."""
        try:
            start = datetime.fromisoformat(text)
        except ValueError:
            return None
        if start.tzinfo is None:
            early = start.replace(tzinfo=zone, fold=0)
            late = start.replace(tzinfo=zone, fold=1)
            if early.utcoffset() != late.utcoffset():
                return None
            start = early
        return start.astimezone(UTC).replace(tzinfo=None)
