# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MeterReading(models.Model):
    """``meter.reading._bulk_ingest``: the historical entry point of the bulk
    path, kept for callers (scripts, benchmarks). It is added by the ingestion
    side so that the dependency runs one way: ``meter.reading.ingest`` uses
    ``meter.reading`` (consumption, estimates), never the reverse."""

    _inherit = "meter.reading"

    @api.model
    def _bulk_ingest(self, rows, source="import", **kwargs):
        """Store many readings at once; see ``meter.reading.ingest._ingest``."""
        return self.env["meter.reading.ingest"]._ingest(rows, source=source, **kwargs)
