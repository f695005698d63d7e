# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta
from decimal import Decimal

from odoo.fields import Command
from odoo.tests import tagged

from ..models.billing_usage import UsageError
from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestUsageSolar(MeterBillingCommon):
    """A ZEV on site S (UTC) with participant S1 (tenant one) and a PV
    meter. Interval data on Jan 10, 11:00-13:00: S1 uses 1 kWh per
    quarter-hour; PV gives 2 kWh per quarter-hour to 12:00, then 0.5. Solar
    ratio (RULES.md 2.2, min(1, P / C)): 1 up to 12:00, 0.5 after. January's
    community figures (no interval data on Jan 20): self-consumed 372 of
    2,976 kWh consumed, ratio 0.125. The EV tariff prices solar kWh at 0.20
    and grid kWh at 0.30."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        site = env["meter.site"].create(
            {"name": "Sonnenhof", "code": "SU", "tz": "UTC"}
        )
        building = env["meter.building"].create({"name": "S", "site_id": site.id})
        unit = cls._unit("S1", building, cls.tenant1)
        meter = cls._meter("EL-SU1", unit)
        pv = env["meter.meter"].create(
            {
                "name": "PV-SU",
                "building_id": building.id,
                "resource_id": cls.electricity.id,
                "commissioning_date": "2025-01-01",
            }
        )
        tariff = env["meter.tariff"].create(
            {
                "name": "EV solar",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                Command.create(
                                    {
                                        "name": name,
                                        "product_id": cls.product_energy.id,
                                        "component_type": "usage_kwh",
                                        "part": part,
                                        "price": price,
                                        "sequence": seq,
                                    }
                                )
                                for seq, name, part, price in (
                                    (1, "EV solar", "solar", 0.20),
                                    (2, "EV grid", "grid", 0.30),
                                )
                            ],
                        }
                    )
                ],
            }
        )
        cls.point = cls._point(unit, meter, tariff)
        start = datetime(2026, 1, 10, 11, 0)
        rows = []
        for k in range(8):
            at = start + k * timedelta(minutes=15)
            rows += [
                (meter.id, "T1", at, "1"),
                (pv.id, "T1", at, "2" if at.hour < 12 else "0.5"),
            ]
        env["meter.interval"]._bulk_load(rows)
        cls.community = env["meter.solar.community"].create(
            {
                "name": "ZEV Sonnenhof",
                "site_id": site.id,
                "production_meter_ids": [Command.set(pv.ids)],
                "tenant_protection": False,
                "participant_ids": [Command.create({"billing_point_id": cls.point.id})],
            }
        )
        cls.month = env["meter.solar.month"].create(
            {
                "community_id": cls.community.id,
                "month": "2026-01-01",
                "production": 620,
                "consumption": 2976,
                "self_consumed": 372,
            }
        )
        wallbox = env["meter.charge.point"].create(
            {"name": "Wallbox S", "identity": "WB-SU", "site_id": site.id}
        )
        cls.in_data, cls.no_data = (
            env["meter.usage.session"].create(
                {
                    "charge_point_id": wallbox.id,
                    "transaction_id": name,
                    "occupancy_id": unit.occupancy_ids.id,
                    "partner_id": cls.tenant1.id,
                    "start_at": start_at,
                    "stop_at": stop_at,
                    "state": "stopped",
                    "meter_start_wh": 0,
                    "meter_stop_wh": wh,
                }
            )
            for name, start_at, stop_at, wh in (
                ("s1", "2026-01-10 11:30:00", "2026-01-10 12:30:00", 4000),
                ("s2", "2026-01-20 10:00:00", "2026-01-20 11:00:00", 8000),
            )
        )

    def test_session_solar_part_from_intervals_or_month(self):
        """Jan 10 11:30-12:30, 4 kWh spread evenly (1 kWh per quarter-hour):
        solar 1 + 1 + 0.5 + 0.5 = 3 kWh, grid 1. Jan 20 (no interval data):
        the month's ratio 372 / 2,976 = 0.125 x 8 kWh = 1 kWh solar, 7 grid.
        Lines of January: solar 3 + 1 = 4 kWh x 0.20 = 0.80, grid 1 + 7 =
        8 kWh x 0.30 = 2.40."""
        self.assertEqual(
            self.community._session_solar_kwh(self.in_data), Decimal("3.000")
        )
        self.assertEqual(
            self.community._session_solar_kwh(self.no_data), Decimal("1.000")
        )
        lines = self.point._prepare_usage_lines(date(2026, 1, 1), date(2026, 1, 31), {})
        self.assertEqual(
            [(v["name"], v["quantity"], v["amount"]) for v in lines],
            [("EV solar", 4.0, 0.8), ("EV grid", 8.0, 2.4)],
        )

    def test_without_month_figures_the_point_is_blocked(self):
        """Without interval data and without the month's figures the session
        cannot be split: the billing says so (no guess)."""
        self.month.unlink()
        with self.assertRaisesRegex(UsageError, "not computed for 2026-01"):
            self.point._prepare_usage_lines(date(2026, 1, 1), date(2026, 1, 31), {})
