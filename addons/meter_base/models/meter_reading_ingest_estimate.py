# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit import parse_value

from odoo import api, fields, models
from odoo.tools import SQL


class MeterReadingIngest(models.AbstractModel):
    """Real readings loaded in bulk (imports, gateways, the API) supersede the
    estimates they replace, as readings entered one by one do."""

    _inherit = "meter.reading.ingest"

    def _ingest(self, rows, source="import", **kwargs):
        if source == "estimate":
            return super()._ingest(rows, source=source, **kwargs)
        rows = rows if isinstance(rows, list) else list(rows)
        Reading = self.env["meter.reading"]
        replaced = {}
        if self._estimates_exist(rows):
            replaced = Reading._supersede_estimates(
                [key for row in rows if (key := self._estimate_key(row))]
            )
        result = super()._ingest(rows, source=source, **kwargs)
        if replaced:
            Reading._restore_estimates(replaced)
        return result

    def _estimates_exist(self, rows):
        """Whether any meter of ``rows`` has a live estimate (one cheap query:
        a load without estimates pays nothing more)."""
        meter_ids = set()
        for row in rows:
            try:
                meter_ids.add(int(row[0]))
            except (TypeError, ValueError, IndexError):
                continue
        if not meter_ids:
            return False
        Reading = self.env["meter.reading"]
        Reading.flush_model(["meter_id", "state"])
        return bool(
            self.env.execute_query(
                SQL(
                    """
                    SELECT 1 FROM meter_reading
                     WHERE meter_id = ANY(%s) AND state = 'estimated' LIMIT 1
                    """,
                    sorted(meter_ids),
                )
            )
        )

    @api.model
    def _estimate_key(self, row):
        """(meter_id, register, read_at, value) of a bulk row, None when the
        row cannot be read (the ingestion reports it)."""
        try:
            meter_id, register, read_at, value = row[:4]  # a 5th item: evidence
            return (
                int(meter_id),
                register,
                fields.Datetime.to_datetime(read_at),
                float(parse_value(value)),
            )
        except (TypeError, ValueError, IndexError):
            return None
