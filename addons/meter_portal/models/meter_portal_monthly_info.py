# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from meterkit import as_decimal
from meterkit.portal import change_percent
from meterkit.uvi import allocator_kwh, hot_water_kwh, normed_average, rated_units

from odoo import api, fields, models

from .meter_portal_access import _local_midnight_utc

INFO_RESOURCES = (
    "meter_base.resource_heat",
    "meter_portal.resource_heat_cost_allocator",
    "meter_base.resource_hot_water",
)


class MeterPortalMonthlyInfo(models.Model):
    """Monthly consumption information (HeizKV §6a, RULES.md 1.4) of one
    occupancy, month and resource: the month's consumption compared with the
    previous month, the same month last year and the building's average unit.

    Built by a monthly job for units flagged 'Consumption Information
    Required', only for occupancies covering the whole month.
    """

    _name = "meter.portal.monthly.info"
    _description = "Monthly Consumption Information"
    _order = "month desc, resource_id"

    occupancy_id = fields.Many2one(
        "meter.occupancy", required=True, index=True, ondelete="cascade"
    )
    unit_id = fields.Many2one(related="occupancy_id.unit_id", store=True)
    partner_id = fields.Many2one(related="occupancy_id.partner_id", store=True)
    company_id = fields.Many2one(related="occupancy_id.company_id", store=True)
    month = fields.Date(required=True, help="First day of the month.")
    resource_id = fields.Many2one("meter.resource", required=True)
    consumption = fields.Float(digits=(16, 3))
    previous_month = fields.Float(digits=(16, 3))
    last_year = fields.Float(string="Same Month Last Year", digits=(16, 3))
    building_average = fields.Float(digits=(16, 3))
    change_previous = fields.Integer(string="Change to Previous Month (%)")
    change_last_year = fields.Integer(string="Change to Last Year (%)")
    change_average = fields.Integer(string="Difference to Average (%)")
    consumption_kwh = fields.Float(string="Consumption (kWh)", digits=(16, 1))
    previous_month_kwh = fields.Float(string="Previous Month (kWh)", digits=(16, 1))
    last_year_kwh = fields.Float(string="Same Month Last Year (kWh)", digits=(16, 1))
    normed_average = fields.Float(
        string="Normed Average User",
        digits=(16, 3),
        help="The consumption of the building's units valued that month per "
        "m² of their area, times the area of this unit.",
    )
    normed_average_kwh = fields.Float(
        string="Normed Average User (kWh)", digits=(16, 1)
    )
    change_normed = fields.Integer(string="Difference to Normed User (%)")
    hot_water_temperature = fields.Float(
        string="Hot-Water Temperature (°C)",
        digits=(16, 1),
        help="Mean hot-water temperature the m³ were converted to kWh with.",
    )
    notice_id = fields.Many2one(
        "meter.portal.monthly.notice", index="btree_not_null", ondelete="set null"
    )

    _once = models.UniqueIndex("(occupancy_id, month, resource_id)")

    @api.model
    def _cron_build_monthly_info(self, batch_size=200):
        """Build the information of the month that ended, for every flagged
        unit, and deliver it by each occupant's channel, in batches committed
        one by one (a rerun skips what exists and sends nothing twice)."""
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        units = self.env["meter.unit"].search(
            [("consumption_info_required", "=", True)], order="id"
        )
        for start in range(0, len(units), batch_size):
            batch = units[start : start + batch_size]
            self._build_monthly_info(batch, month)
            self.env["meter.portal.monthly.notice"]._deliver_month(batch, month)
            self.env["ir.cron"]._commit_progress(
                len(batch), remaining=len(units) - start - len(batch)
            )

    @api.model
    def _build_monthly_info(self, units, month):
        """Create the information of ``month`` for ``units``' occupancies
        covering the whole month; return the records created."""
        month_end = month + relativedelta(months=1) - timedelta(days=1)
        occupancies = self.env["meter.occupancy"].search(
            [
                ("unit_id", "in", units.ids),
                ("role", "!=", "vacancy"),
                ("date_start", "<=", month),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", month_end),
            ]
        )
        existing = self.search(
            [("occupancy_id", "in", occupancies.ids), ("month", "=", month)]
        )
        done = {(i.occupancy_id.id, i.resource_id.id) for i in existing}
        resources = self.env["meter.resource"].browse(
            [self.env.ref(xmlid).id for xmlid in INFO_RESOURCES]
        )
        buildings = occupancies.unit_id.building_id
        meters = self.env["meter.meter"].search(
            [
                ("building_id", "in", buildings.ids),
                ("kind", "=", "individual"),
                ("unit_id", "!=", False),
                ("resource_id", "in", resources.ids),
            ]
        )
        totals = self._monthly_totals(meters, month)
        average = self._building_averages(meters, totals)
        areas = {
            unit.id: unit.area
            for unit in (meters.unit_id | occupancies.unit_id).with_context(date=month)
        }
        normed_by_building = self._normed_inputs(meters, totals, areas)
        hot_water = self.env.ref("meter_base.resource_hot_water")
        vals_list = []
        for occupancy in occupancies:
            building = occupancy.unit_id.building_id
            for resource in resources:
                key = (occupancy.unit_id.id, resource.id)
                if (occupancy.id, resource.id) in done or key not in totals[0]:
                    continue
                current, previous, last_year = (t.get(key) for t in totals)
                mean = average.get((building.id, resource.id))
                normed = normed_average(
                    normed_by_building.get((building.id, resource.id), ()),
                    areas.get(occupancy.unit_id.id),
                )
                temperature = building.hot_water_temperature
                energy = self._kwh_converter(resource, building)
                vals_list.append(
                    {
                        "occupancy_id": occupancy.id,
                        "month": month,
                        "resource_id": resource.id,
                        "consumption": float(current),
                        "previous_month": float(previous or 0),
                        "last_year": float(last_year or 0),
                        "building_average": float(mean or 0),
                        "normed_average": float(normed or 0),
                        "change_previous": change_percent(current, previous),
                        "change_last_year": change_percent(current, last_year),
                        "change_average": change_percent(current, mean),
                        "change_normed": change_percent(current, normed),
                        "consumption_kwh": float(energy(current) or 0),
                        "previous_month_kwh": float(energy(previous) or 0),
                        "last_year_kwh": float(energy(last_year) or 0),
                        "normed_average_kwh": float(energy(normed) or 0),
                        "hot_water_temperature": (
                            temperature if resource == hot_water else 0.0
                        ),
                    }
                )
        return self.create(vals_list)

    @api.model
    def _monthly_totals(self, meters, month):
        """Consumption per (unit, resource) of ``month``, the month before and
        the same month a year before, from meter.consumption: three dicts; a
        unit whose meters cannot be valued over a month is left out of it.
        Heat cost allocators count rated units (units x rating factor)."""
        months = (
            month,
            month - relativedelta(months=1),
            month - relativedelta(years=1),
        )
        periods = defaultdict(list)
        for meter in meters:
            tz = meter.site_id.tz
            for first in months:
                periods[meter.id].append(
                    (
                        _local_midnight_utc(first, tz),
                        _local_midnight_utc(first + relativedelta(months=1), tz),
                    )
                )
        usages = self.env["meter.consumption"]._usage(meters, dict(periods))
        totals = [defaultdict(Decimal) for _month in months]
        missing = [set() for _month in months]
        allocator = self.env.ref("meter_portal.resource_heat_cost_allocator")
        for meter in meters:
            key = (meter.unit_id.id, meter.resource_id.id)
            rating = (
                as_decimal(meter.expense_rating_factor)
                if meter.resource_id == allocator
                else Decimal(1)
            )
            for index, span in enumerate(periods[meter.id]):
                usage = usages[(meter.id, *span)]
                if usage.errors or not usage.by_register:
                    missing[index].add(key)
                    continue
                totals[index][key] += rated_units(
                    sum(
                        (found.consumption for found in usage.by_register.values()),
                        start=Decimal(0),
                    ),
                    rating,
                )
        return [
            {key: value for key, value in total.items() if key not in gaps}
            for total, gaps in zip(totals, missing, strict=True)
        ]

    @api.model
    def _building_averages(self, meters, totals):
        """Mean consumption of the month per (building, resource) over the
        units of the building valued that month."""
        building_of = {meter.unit_id.id: meter.building_id.id for meter in meters}
        sums = defaultdict(list)
        for (unit_id, resource_id), value in totals[0].items():
            sums[(building_of[unit_id], resource_id)].append(value)
        return {key: sum(values) / len(values) for key, values in sums.items()}

    @api.model
    def _normed_inputs(self, meters, totals, areas):
        """(consumption, area) of the month per (building, resource) over the
        units of the building valued that month (meterkit.uvi.normed_average
        leaves the units without an area out)."""
        building_of = {meter.unit_id.id: meter.building_id.id for meter in meters}
        pairs = defaultdict(list)
        for (unit_id, resource_id), value in totals[0].items():
            pairs[(building_of[unit_id], resource_id)].append(
                (value, as_decimal(areas.get(unit_id) or 0))
            )
        return pairs

    @api.model
    def _kwh_converter(self, resource, building):
        """A function giving the kWh of a consumption of ``resource`` in
        ``building`` (HeizKV §6a(2) Nr. 1): heat is metered in kWh; hot-water
        m³ are converted by HeizKV §9(2) at the building's hot-water
        temperature; rated heat cost allocator units by the building's kWh
        per unit (none without it); anything else has no kWh."""
        if resource == self.env.ref("meter_base.resource_hot_water"):
            temperature = as_decimal(building.hot_water_temperature or 60)
            return lambda value: hot_water_kwh(value, temperature)
        if resource == self.env.ref("meter_portal.resource_heat_cost_allocator"):
            factor = as_decimal(building.hca_kwh_per_unit)
            return lambda value: allocator_kwh(value, factor)
        if resource.uom_id == self.env.ref("uom.product_uom_kwh"):
            return lambda value: value
        return lambda _value: None
