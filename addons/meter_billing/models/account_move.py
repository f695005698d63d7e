# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from meterkit import as_decimal
from meterkit.series import CLOSING, OPENING
from meterkit.tariffs import CONSUMPTION_KINDS

from odoo import fields, models
from odoo.tools import format_datetime, formatLang

from .billing_usage import local_day_bounds


class AccountMove(models.Model):
    _inherit = "account.move"

    meter_billing_run_id = fields.Many2one(
        "meter.billing.run", readonly=True, index="btree_not_null", copy=False
    )
    meter_billing_line_ids = fields.One2many(
        "meter.billing.line", "move_id", string="Billing lines", readonly=True
    )

    _meter_run_partner_uniq = models.UniqueIndex(
        "(meter_billing_run_id, partner_id) WHERE meter_billing_run_id IS NOT NULL "
        "AND move_type = 'out_invoice'",
        "A billing run issues one invoice per partner.",
    )

    def _meter_reading_rows(self):
        """The readings behind this invoice, per billing point and meter, for
        the printed invoice: ``[{"point", "meter", "start_at", "start_value",
        "end_at", "end_value", "consumption", "uom", "prices"}]`` as text in
        the language of ``self.env`` (the report renders in the customer's
        language), counters at the meter's decimals, instants at the site's
        local time. A meter whose readings no longer value (a later
        correction) is left out rather than printed wrong.

        The readings are part of the invoice: whoever may read the invoice
        reads them with it.
        """
        self.ensure_one()
        self.check_access("read")
        move_sudo = self.sudo()
        if not move_sudo.meter_billing_run_id:
            return []
        lines_sudo = move_sudo.meter_billing_line_ids.filtered(
            lambda line: line.result_id.kind == "consumption"
        )
        ranges, periods = {}, {}
        for result_sudo, lines in lines_sudo.grouped("result_id").items():
            point = result_sudo.billing_point_id
            start = min(line.date_from or result_sudo.date_from for line in lines)
            end = max(line.date_to or result_sudo.date_to for line in lines)
            periods[result_sudo] = local_day_bounds(start, end, point.site_id.tz)
            for meter in point.meter_ids:
                ranges[meter] = periods[result_sudo]
        series = self.env["meter.billing.point"].sudo()._fetch_series(ranges)
        consumption_sudo = self.env["meter.consumption"].sudo()
        rows = []
        for result_sudo, (start, end) in periods.items():
            point = result_sudo.billing_point_id
            prices = ", ".join(
                self._meter_price_text(price)
                for price in dict.fromkeys(
                    lines_sudo.filtered(
                        lambda line, r=result_sudo: (
                            line.result_id == r
                            and line.component_type in CONSUMPTION_KINDS
                        )
                    ).mapped("price_unit")
                )
            )
            usages = consumption_sudo._usage(
                point.meter_ids, [(start, end)], prefetched=series
            )
            for meter in point.meter_ids.sorted("id"):
                usage = usages.get((meter.id, start, end))
                for register, found in sorted(
                    getattr(usage, "by_register", {}).items()
                ):
                    # a replaced meter counts only part of the period: its
                    # counters at the period's instants are not printed
                    if {found.start.provenance, found.end.provenance} & {
                        OPENING,
                        CLOSING,
                    }:
                        continue
                    quantity = found.consumption
                    first, last = found.start.value, found.end.value
                    decimals = meter.resource_id.decimals
                    tz = point.site_id.tz or "UTC"
                    rows.append(
                        {
                            "point": point.display_name,
                            "meter": meter.name
                            if meter.register_count < 2
                            else f"{meter.name} {register}",
                            "start_at": format_datetime(self.env, start, tz, "short"),
                            "start_value": formatLang(
                                self.env, float(first), digits=decimals
                            ),
                            "end_at": format_datetime(self.env, end, tz, "short"),
                            "end_value": formatLang(
                                self.env, float(last), digits=decimals
                            ),
                            "consumption": formatLang(
                                self.env, float(quantity), digits=decimals
                            ),
                            "uom": meter.resource_id.uom_id.name or "",
                            "prices": prices,
                        }
                    )
        return rows

    def _meter_price_text(self, price):
        """A unit price with its currency, at the places it is given with (at
        least the currency's): 0.4883, not 0.49 nor 0.488300."""
        places = -as_decimal(price).normalize().as_tuple().exponent
        digits = min(max(places, self.currency_id.decimal_places), 6)
        text = formatLang(self.env, price, digits=digits)
        symbol = self.currency_id.symbol or ""
        if self.currency_id.position == "after":
            return f"{text}\N{NO-BREAK SPACE}{symbol}"
        return f"{symbol}\N{NO-BREAK SPACE}{text}"
