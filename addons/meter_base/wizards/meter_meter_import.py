# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from meterkit import MeterkitError, parse_value, read_rows

from odoo import fields, models
from odoo.exceptions import UserError

COLUMNS = (
    "name",
    "site",
    "resource",
    "kind",
    "building",
    "unit",
    "serial_number",
    "brand",
    "model",
    "parent",
    "commissioning_date",
    "verification_interval_years",
    "last_verification_date",
    "multiplier",
    "rollover_value",
    "registers",
)
KINDS = ("individual", "common", "main", "production", "virtual")


class MeterMeterImport(models.TransientModel):
    """Create meters in bulk from an XLSX or CSV file.

    ``Check`` is a dry run: it names every bad row and creates nothing.
    ``Import`` creates every meter in one batch, or nothing when any row is bad.
    """

    _name = "meter.meter.import"
    _inherit = ["meter.wizard.reopen"]
    _description = "Import Meters"

    file = fields.Binary(required=True)
    filename = fields.Char()
    state = fields.Selection(
        [("draft", "Draft"), ("checked", "Checked"), ("done", "Done")], default="draft"
    )
    report = fields.Text(readonly=True)
    error_count = fields.Integer(readonly=True)
    row_count = fields.Integer(readonly=True)
    meter_ids = fields.Many2many("meter.meter", readonly=True)
    columns_help = fields.Text(default=lambda self: self._default_columns_help())

    def _default_columns_help(self):
        return "\n".join(f"{key}: {self._column_help()[key]}" for key in COLUMNS)

    def _column_help(self):
        return {
            "name": self.env._("Meter identifier (required, unique per company)"),
            "site": self.env._("Site code (required)"),
            "resource": self.env._(
                "Resource code: electricity, heat, hot_water, cold_water, gas, ..."
            ),
            "kind": self.env._(
                "individual, common, main, production or virtual (default individual)"
            ),
            "building": self.env._("Building code or name within the site"),
            "unit": self.env._("Unit code or name within the building"),
            "serial_number": self.env._("Serial number"),
            "brand": self.env._("Brand"),
            "model": self.env._("Model"),
            "parent": self.env._(
                "Identifier of the upstream meter (in the file or already stored)"
            ),
            "commissioning_date": self.env._("Date, YYYY-MM-DD"),
            "verification_interval_years": self.env._("Whole years"),
            "last_verification_date": self.env._("Date, YYYY-MM-DD"),
            "multiplier": self.env._("Factor, default 1"),
            "rollover_value": self.env._("Counter wrap value, e.g. 100000"),
            "registers": self.env._("Number of registers 1..8, default 1"),
        }

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_check(self):
        self.ensure_one()
        vals_list, errors = self._parse()
        self._write_report(vals_list, errors)
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        vals_list, errors = self._parse()
        if errors:
            self._write_report(vals_list, errors)
            raise UserError(self.report)
        records = self._create_meters(vals_list)
        self.write({"state": "done", **self._done_vals(records)})
        return self._reopen()

    def _done_vals(self, meters):
        """What the wizard shows once the records are created."""
        return {
            "meter_ids": [fields.Command.set(meters.ids)],
            "report": self.env._("%s meter(s) created.", len(meters)),
        }

    def _write_report(self, vals_list, errors):
        if errors:
            report = self.env._(
                "%(bad)s bad row(s) in %(file)s; nothing will be imported:\n%(lines)s",
                bad=len(errors),
                file=self.filename,
                lines="\n".join(errors),
            )
        else:
            report = self.env._(
                "%s row(s) are valid and ready to import.", len(vals_list)
            )
        self.write(
            {
                "state": "checked",
                "report": report,
                "error_count": len(errors),
                "row_count": len(vals_list) + len(errors),
            }
        )

    # ------------------------------------------------------------
    # PARSING
    # ------------------------------------------------------------

    def _parse(self):
        """Return (vals_list, errors): one error line per bad row, naming it."""
        try:
            header, rows = read_rows(
                base64.b64decode(self.file or b""), self.filename or ""
            )
        except MeterkitError as error:
            raise UserError(str(error)) from error
        missing = {"name", "site", "resource"} - set(header)
        if missing:
            raise UserError(
                self.env._(
                    "%(file)s: missing column(s) %(cols)s. Expected columns: %(all)s",
                    file=self.filename,
                    cols=", ".join(sorted(missing)),
                    all=", ".join(COLUMNS),
                )
            )
        lookup = self._load_lookups(rows)
        vals_list, errors = [], []
        for row in rows:
            try:
                vals_list.append(self._prepare_meter_vals(row, lookup))
            except (MeterkitError, UserError) as error:
                errors.append(
                    self.env._("row %(row)s: %(msg)s", row=row["__row__"], msg=error)
                )
        errors += self._check_parents(vals_list, lookup)
        return vals_list, errors

    def _load_lookups(self, rows):
        sites = self.env["meter.site"].search(
            [("code", "in", list({r.get("site", "") for r in rows}))]
        )
        names = [r.get("name", "") for r in rows] + [r.get("parent", "") for r in rows]
        existing = (
            self.env["meter.meter"]
            .with_context(active_test=False)
            .search(
                [
                    ("name", "in", [n for n in names if n]),
                    ("company_id", "in", sites.company_id.ids),
                ]
            )
        )
        return {
            "sites": {s.code: s for s in sites},
            "resources": {r.code: r for r in self.env["meter.resource"].search([])},
            "meters": {m.name: m for m in existing},
            "seen": set(),
        }

    def _prepare_meter_vals(self, row, lookup):
        name = row.get("name")
        if not name:
            raise UserError(self.env._("column 'name' is empty"))
        if name in lookup["seen"] or name in lookup["meters"]:
            raise UserError(self.env._("meter '%s' already exists", name))
        lookup["seen"].add(name)
        site = lookup["sites"].get(row.get("site"))
        if not site:
            raise UserError(self.env._("unknown site code '%s'", row.get("site")))
        resource = lookup["resources"].get(row.get("resource"))
        if not resource:
            raise UserError(self.env._("unknown resource '%s'", row.get("resource")))
        kind = row.get("kind") or "individual"
        if kind not in KINDS:
            raise UserError(self.env._("unknown kind '%s'", kind))
        building, unit = self._find_location(site, row)
        vals = {
            "name": name,
            "site_id": site.id,
            "building_id": building.id,
            "unit_id": unit.id,
            "resource_id": resource.id,
            "kind": kind,
            "serial_number": row.get("serial_number") or False,
            "brand": row.get("brand") or False,
            "model": row.get("model") or False,
            "_parent": row.get("parent") or False,
            "_row": row["__row__"],
        }
        vals.update(self._parse_numbers(row))
        return vals

    def _find_location(self, site, row):
        building = self.env["meter.building"]
        unit = self.env["meter.unit"]
        if row.get("building"):
            building = site.building_ids.filtered(
                lambda b: row["building"] in (b.code, b.name)
            )[:1]
            if not building:
                raise UserError(
                    self.env._(
                        "building '%(b)s' not found in site %(s)s",
                        b=row["building"],
                        s=site.code,
                    )
                )
        if row.get("unit"):
            if not building:
                raise UserError(self.env._("column 'unit' needs column 'building'"))
            unit = building.unit_ids.filtered(
                lambda u: row["unit"] in (u.code, u.name)
            )[:1]
            if not unit:
                raise UserError(
                    self.env._(
                        "unit '%(u)s' not found in building %(b)s",
                        u=row["unit"],
                        b=building.name,
                    )
                )
        return building, unit

    def _parse_numbers(self, row):
        vals = {}
        for col in ("commissioning_date", "last_verification_date"):
            if row.get(col):
                try:
                    vals[col] = fields.Date.to_date(row[col][:10])
                except ValueError as error:
                    raise UserError(
                        self.env._(
                            "column '%(col)s': '%(val)s' is not a date (YYYY-MM-DD)",
                            col=col,
                            val=row[col],
                        )
                    ) from error
        for col, field in (
            ("multiplier", "multiplier"),
            ("rollover_value", "rollover_value"),
        ):
            if row.get(col):
                vals[field] = float(
                    parse_value(row[col], field=col, row=row["__row__"])
                )
        for col, field in (
            ("verification_interval_years", "verification_interval_years"),
            ("registers", "register_count"),
        ):
            if row.get(col):
                vals[field] = int(
                    parse_value(row[col], field=col, row=row["__row__"], decimals=0)
                )
        if vals.get("multiplier") == 0:
            raise UserError(self.env._("column 'multiplier' must be positive"))
        if not 1 <= vals.get("register_count", 1) <= 8:
            raise UserError(self.env._("column 'registers' must be between 1 and 8"))
        return vals

    def _check_parents(self, vals_list, lookup):
        names = {vals["name"] for vals in vals_list}
        errors = []
        for vals in vals_list:
            parent = vals["_parent"]
            if parent and parent not in names and parent not in lookup["meters"]:
                errors.append(
                    self.env._(
                        "row %(row)s: upstream meter '%(p)s' not found",
                        row=vals["_row"],
                        p=parent,
                    )
                )
        return errors

    # ------------------------------------------------------------
    # CREATION
    # ------------------------------------------------------------

    def _create_meters(self, vals_list):
        """One batched create, then the upstream links in one write per parent."""
        parents = {vals["name"]: vals.pop("_parent") for vals in vals_list}
        for vals in vals_list:
            vals.pop("_row")
        meters = self.env["meter.meter"].create(vals_list)
        by_name = {m.name: m for m in meters}
        stored = self.env["meter.meter"].search(
            [("name", "in", [p for p in parents.values() if p])]
        )
        by_name.update({m.name: m for m in stored if m.name not in by_name})
        children = {}
        for name, parent in parents.items():
            if parent:
                children.setdefault(parent, []).append(by_name[name].id)
        for parent, child_ids in children.items():
            self.env["meter.meter"].browse(child_ids).write(
                {"parent_id": by_name[parent].id}
            )
        return meters
