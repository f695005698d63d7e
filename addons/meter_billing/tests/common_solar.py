# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

from odoo.fields import Command

from .common import MeterBillingCommon

Q = timedelta(minutes=15)


def quarter_hours(day, count=96):
    start = datetime.combine(day, datetime.min.time())
    return [start + k * Q for k in range(count)]


class SolarCommunityCommon(MeterBillingCommon):
    """ZEV Sonnenhof on site S (UTC): units S1 and S2 on one solar tariff
    (solar 0.20, grid 0.30), one PV meter of 10 kWp and every quarter-hour of
    January 2026 stored (the values and the hand computation of their sharing
    are in the docstring of ``TestSolarCommunity``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.site_s = env["meter.site"].create(
            {"name": "Sonnenhof", "code": "SH", "tz": "UTC"}
        )
        building = env["meter.building"].create(
            {"name": "House S", "site_id": cls.site_s.id}
        )
        cls.unit_s1 = cls._unit("S1", building, cls.tenant1)
        cls.unit_s2 = cls._unit("S2", building, cls.tenant2)
        cls.meter_s1 = cls._meter("EL-S1", cls.unit_s1)
        cls.meter_s2 = cls._meter("EL-S2", cls.unit_s2)
        cls.pv = env["meter.meter"].create(
            {
                "name": "PV-S",
                "building_id": building.id,
                "resource_id": cls.electricity.id,
                "commissioning_date": "2025-01-01",
            }
        )
        cls.solar_tariff = cls._solar_tariff("0.20")
        cls.point_s1 = cls._point(cls.unit_s1, cls.meter_s1, cls.solar_tariff)
        cls.point_s2 = cls._point(cls.unit_s2, cls.meter_s2, cls.solar_tariff)
        for meter, total in ((cls.meter_s1, 744), (cls.meter_s2, 2232)):
            cls._reading(meter, "2026-01-01 00:00:00", 0)
            cls._reading(meter, "2026-02-01 00:00:00", total)
        rows = []
        for k in range(31):
            for start in quarter_hours(date(2026, 1, 1) + timedelta(days=k)):
                rows += cls._interval_rows(start)
        env["meter.interval"]._bulk_load(rows)
        cls.community = env["meter.solar.community"].create(
            {
                "name": "ZEV Sonnenhof",
                "site_id": cls.site_s.id,
                "community_type": "zev",
                "production_meter_ids": [Command.set(cls.pv.ids)],
                "peak_power_kw": 10.0,
                "standard_price": 0.30,
                "participant_ids": [
                    Command.create({"billing_point_id": cls.point_s1.id}),
                    Command.create({"billing_point_id": cls.point_s2.id}),
                ],
            }
        )

    @classmethod
    def _interval_rows(cls, start):
        hour = start.hour
        production = "2" if 10 <= hour < 12 else "0.5" if 12 <= hour < 14 else "0"
        return [
            (cls.meter_s1.id, "T1", start, "0.25"),
            (cls.meter_s2.id, "T1", start, "0.75"),
            (cls.pv.id, "T1", start, production),
        ]

    @classmethod
    def _solar_tariff(cls, solar_price):
        """Solar kWh at ``solar_price``, grid kWh at 0.30."""

        def component(name, part, price):
            return Command.create(
                {
                    "name": name,
                    "product_id": cls.product_energy.id,
                    "component_type": "energy",
                    "part": part,
                    "price": price,
                }
            )

        return cls.env["meter.tariff"].create(
            {
                "name": f"ZEV {solar_price}",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                component("Solar electricity", "solar", solar_price),
                                component("Grid electricity", "grid", 0.30),
                            ],
                        }
                    )
                ],
            }
        )
