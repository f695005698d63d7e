# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from meterkit import MeterkitError, read_rows

from odoo import fields, models
from odoo.exceptions import UserError

COLUMNS = (
    "site",
    "building",
    "unit",
    "meters",
    "occupant",
    "email",
    "tariff",
    "date_from",
    "alarm1",
    "alarm2",
    "restore",
    "max_balance",
)
AMOUNTS = {
    "alarm1": "alarm1_amount",
    "alarm2": "alarm2_amount",
    "restore": "restore_amount",
    "max_balance": "max_balance",
}


class MeterPrepaidImport(models.TransientModel):
    """Prepaid accounts prepared in advance from an XLSX or CSV file: one row
    per unit, its meters and its occupant (RULES.md 4.4). Each row gives a
    billing point of the unit with those meters and tariff and a draft
    prepaid account for the occupant; the first top-up opens it.

    ``Check`` is a dry run naming every bad row; ``Import`` writes every row
    or nothing. Formula cells are refused (data is typed, never computed)."""

    _name = "meter.prepaid.import"
    _inherit = ["meter.meter.import"]  # its file, dry run and report
    _description = "Import Prepaid Accounts"

    account_ids = fields.Many2many("meter.prepaid.account", readonly=True)

    def _default_columns_help(self):
        helps = {
            "site": self.env._("Site code (required)"),
            "building": self.env._("Building code or name within the site"),
            "unit": self.env._("Unit code or name (required)"),
            "meters": self.env._("Meter identifiers of the unit, comma-separated"),
            "occupant": self.env._(
                "Occupant's name (required; created when no contact matches)"
            ),
            "email": self.env._("Occupant's e-mail (matches an existing contact)"),
            "tariff": self.env._("Tariff name (required)"),
            "date_from": self.env._("Tariff from, YYYY-MM-DD (default today)"),
            "alarm1": self.env._("Alarm 1 amount (default 50)"),
            "alarm2": self.env._("Alarm 2 amount (default 20)"),
            "restore": self.env._("Restore threshold (default 50)"),
            "max_balance": self.env._("Maximum balance (0 or empty: no limit)"),
        }
        return "\n".join(f"{key}: {helps[key]}" for key in COLUMNS)

    # ------------------------------------------------------------
    # IMPORT (meter.meter.import's dry run and report, other records)
    # ------------------------------------------------------------

    def _create_meters(self, vals_list):
        return self._create_accounts(vals_list)

    def _done_vals(self, meters):
        return {
            "account_ids": [fields.Command.set(meters.ids)],
            "report": self.env._("%s prepaid account(s) prepared.", len(meters)),
        }

    def _create_accounts(self, rows):
        Partner = self.env["res.partner"]
        points = self.env["meter.billing.point"].create(
            [
                {
                    "unit_id": row["unit"].id,
                    "meter_ids": [fields.Command.set(row["meters"].ids)],
                    "tariff_line_ids": [
                        fields.Command.create(
                            {
                                "tariff_id": row["tariff"].id,
                                "date_from": row["date_from"],
                            }
                        )
                    ],
                }
                for row in rows
            ]
        )
        accounts_vals = []
        for row, point in zip(rows, points, strict=True):
            partner = row["partner"] or Partner.create(row["new_partner"])
            accounts_vals.append(
                {
                    "billing_point_id": point.id,
                    "partner_id": partner.id,
                    **row["amounts"],
                }
            )
        return self.env["meter.prepaid.account"].create(accounts_vals)

    # ------------------------------------------------------------
    # PARSING
    # ------------------------------------------------------------

    def _parse(self):
        """Return (rows, errors): the checked records of each good row, and
        one error line per bad row, naming it."""
        try:
            header, rows = read_rows(
                base64.b64decode(self.file or b""), self.filename or ""
            )
        except MeterkitError as error:
            raise UserError(str(error)) from error
        missing = {"site", "unit", "occupant", "tariff"} - set(header)
        if missing:
            raise UserError(
                self.env._(
                    "%(file)s: missing column(s) %(cols)s. Expected columns: %(all)s",
                    file=self.filename,
                    cols=", ".join(sorted(missing)),
                    all=", ".join(COLUMNS),
                )
            )
        sites = self.env["meter.site"].search(
            [("code", "in", list({r["site"] for r in rows}))]
        )
        lookup = {"sites": {s.code: s for s in sites}, "units": set()}
        checked, errors = [], []
        for row in rows:
            try:
                checked.append(self._check_row(row, lookup))
            except UserError as error:
                errors.append(
                    self.env._(
                        "row %(row)s: %(msg)s", row=row["__row__"], msg=error.args[0]
                    )
                )
        return checked, errors

    def _check_row(self, row, lookup):
        site = lookup["sites"].get(row["site"])
        if not site:
            raise UserError(self.env._("unknown site code '%s'", row["site"]))
        units = self.env["meter.unit"].search(
            [
                ("site_id", "=", site.id),
                "|",
                ("code", "=", row["unit"]),
                ("name", "=", row["unit"]),
            ]
        )
        if row.get("building"):
            units = units.filtered(
                lambda u: row["building"] in (u.building_id.code, u.building_id.name)
            )
        if len(units) != 1:
            raise UserError(
                self.env._(
                    "unit '%(unit)s' not found once in site %(site)s",
                    unit=row["unit"],
                    site=site.code,
                )
            )
        if units in lookup["units"]:
            raise UserError(self.env._("unit '%s' twice in the file", row["unit"]))
        if self.env["meter.prepaid.account"].search_count(
            [("unit_id", "=", units.id), ("state", "!=", "closed")]
        ):
            raise UserError(
                self.env._("unit '%s' already has a prepaid account", row["unit"])
            )
        names = [n.strip() for n in (row.get("meters") or "").split(",") if n.strip()]
        meters = units.meter_ids.filtered(lambda m: m.name in names)
        unknown = set(names) - set(meters.mapped("name"))
        if unknown:
            raise UserError(
                self.env._(
                    "meter(s) %(meters)s are not meters of unit %(unit)s",
                    meters=", ".join(sorted(unknown)),
                    unit=row["unit"],
                )
            )
        tariff = self.env["meter.tariff"].search(
            [
                ("name", "=", row["tariff"]),
                ("state", "=", "active"),
                ("company_id", "=", site.company_id.id),
            ]
        )
        if len(tariff) != 1:
            raise UserError(
                self.env._("tariff '%s' not found once (active)", row["tariff"])
            )
        lookup["units"].add(units)  # a good row's unit
        return {
            "unit": units,
            "meters": meters,
            "tariff": tariff,
            "date_from": self._date(row.get("date_from")),
            "amounts": self._amounts(row),
            **self._occupant(row),
        }

    def _occupant(self, row):
        if not row["occupant"]:
            raise UserError(self.env._("column 'occupant' is empty"))
        email = row.get("email") or ""
        Partner = self.env["res.partner"]
        domain = (
            [("email", "=ilike", email)] if email else [("name", "=", row["occupant"])]
        )
        partners = Partner.search(domain)
        if len(partners) > 1:
            raise UserError(
                self.env._(
                    "occupant '%s' matches several contacts: give a unique e-mail",
                    row["occupant"],
                )
            )
        return {
            "partner": partners,
            "new_partner": {"name": row["occupant"], "email": email or False},
        }

    def _date(self, value):
        if not value:
            return fields.Date.context_today(self)
        try:
            return fields.Date.to_date(value[:10])
        except ValueError:
            raise UserError(
                self.env._("'%s' is not a date YYYY-MM-DD", value)
            ) from None

    def _amounts(self, row):
        amounts = {}
        for column, field in AMOUNTS.items():
            value = row.get(column)
            if not value:
                continue
            try:
                number = float(value)
            except ValueError:
                raise UserError(
                    self.env._(
                        "column '%(col)s': '%(value)s' is not a number",
                        col=column,
                        value=value,
                    )
                ) from None
            if number < 0:
                raise UserError(self.env._("column '%s' cannot be negative", column))
            amounts[field] = number
        alarm1 = amounts.get("alarm1_amount", 50.0)
        alarm2 = amounts.get("alarm2_amount", 20.0)
        restore = amounts.get("restore_amount", 50.0)
        if not alarm2 <= alarm1 or restore < alarm2:
            raise UserError(
                self.env._("thresholds need alarm 2 <= alarm 1 and restore >= alarm 2")
            )
        return amounts
