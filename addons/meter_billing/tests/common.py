# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import freeze_time, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@freeze_time("2026-02-10 12:00:00")
class MeterBillingCommon(AccountTestInvoicingCommon):
    """A company with a chart of accounts; site A (units A1, A2) and site B
    (unit B1); electricity meters with readings for January 2026; a tiered
    tariff (Beijing blocks + a monthly fixed fee) and a time-of-use tariff
    (peak / valley registers + an area charge); one user per role.

    Today is frozen at 2026-02-10 (January is billed in February): invoices
    are dated the day they are posted."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "meter_base.meter_base_group_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.currency = env.company.currency_id
        cls.electricity = env.ref("meter_base.resource_electricity")
        cls.owner = env["res.partner"].create({"name": "Owner AG"})
        cls.tenant1 = env["res.partner"].create({"name": "Tenant One"})
        cls.tenant2 = env["res.partner"].create({"name": "Tenant Two"})
        cls.tenant3 = env["res.partner"].create({"name": "Tenant Three"})
        Site = env["meter.site"]
        cls.site_a = Site.create({"name": "Site A", "code": "BA", "tz": "UTC"})
        cls.site_b = Site.create({"name": "Site B", "code": "BB", "tz": "UTC"})
        cls.building_a = env["meter.building"].create(
            {"name": "House A", "site_id": cls.site_a.id}
        )
        cls.building_b = env["meter.building"].create(
            {"name": "House B", "site_id": cls.site_b.id}
        )
        cls.unit_a1 = cls._unit("A1", cls.building_a, cls.tenant1)
        cls.unit_a2 = cls._unit("A2", cls.building_a, cls.tenant2)
        cls.unit_b1 = cls._unit("B1", cls.building_b, cls.tenant3)
        env["meter.unit.basis"].create(
            {
                "unit_id": cls.unit_a1.id,
                "kind": "area",
                "value": 80.0,
                "date_from": "2025-01-01",
            }
        )
        cls.meter_a1 = cls._meter("EL-A1", cls.unit_a1)
        cls.meter_a2 = cls._meter("EL-A2", cls.unit_a2)
        cls.meter_b1 = cls._meter("EL-B1", cls.unit_b1)
        Product = env["product.product"]
        cls.product_energy = Product.create(
            {"name": "Electricity", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.product_fixed = Product.create(
            {"name": "Meter fee", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.tiered = cls._tiered_tariff()
        cls.calendar = cls._calendar()
        cls.tou = cls._tou_tariff()
        cls.point_a1 = cls._point(cls.unit_a1, cls.meter_a1, cls.tiered)
        cls.point_a2 = cls._point(cls.unit_a2, cls.meter_a2, cls.tiered)
        cls.point_b1 = cls._point(cls.unit_b1, cls.meter_b1, cls.tiered)
        # January 2026, readings at local midnight: A1 300 kWh, A2 500, B1 100.
        for meter, start, end in (
            (cls.meter_a1, 1000, 1300),
            (cls.meter_a2, 2000, 2500),
            (cls.meter_b1, 500, 600),
        ):
            cls._reading(meter, "2026-01-01 00:00:00", start)
            cls._reading(meter, "2026-02-01 00:00:00", end)
        cls.billing_a = cls._user(
            "billing_a", "meter_base.meter_base_group_billing", cls.site_a
        )
        cls.reader_a = cls._user(
            "reader_a", "meter_base.meter_base_group_reader", cls.site_a
        )

    # ------------------------------------------------------------
    # FIXTURES
    # ------------------------------------------------------------

    @classmethod
    def _unit(cls, name, building, tenant):
        unit = cls.env["meter.unit"].create(
            {"name": name, "building_id": building.id, "owner_id": cls.owner.id}
        )
        cls.env["meter.occupancy"].create(
            {
                "unit_id": unit.id,
                "partner_id": tenant.id,
                "role": "tenant",
                "date_start": "2025-01-01",
            }
        )
        return unit

    @classmethod
    def _meter(cls, name, unit, registers=1):
        return cls.env["meter.meter"].create(
            {
                "name": name,
                "register_count": registers,
                "unit_id": unit.id,
                "resource_id": cls.electricity.id,
                "commissioning_date": "2025-01-01",
            }
        )

    @classmethod
    def _reading(cls, meter, at, value, **vals):
        return cls.env["meter.reading"].create(
            {"meter_id": meter.id, "read_at": at, "value": value, **vals}
        )

    @classmethod
    def _user(cls, login, group, site):
        user = new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_user,{group}",
            company_id=cls.env.company.id,
        )
        if site:
            site.user_ids = [Command.link(user.id)]
        return user

    @classmethod
    def _point(cls, unit, meter, tariff, date_from="2025-01-01"):
        return cls.env["meter.billing.point"].create(
            {
                "unit_id": unit.id,
                "meter_ids": [Command.set(meter.ids)],
                "tariff_line_ids": [
                    Command.create({"tariff_id": tariff.id, "date_from": date_from})
                ],
            }
        )

    @classmethod
    def _flat_tariff(cls, name, price, **vals):
        """A tariff of one energy component at ``price`` per unit from 2025."""
        return cls.env["meter.tariff"].create(
            {
                "name": name,
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                Command.create(
                                    {
                                        "name": "Energy",
                                        "product_id": cls.product_energy.id,
                                        "component_type": "energy",
                                        "price": price,
                                    }
                                )
                            ],
                        }
                    )
                ],
                **vals,
            }
        )

    @classmethod
    def _tiered_tariff(cls):
        """Beijing residential blocks (RULES.md 4.2) and a 10.00 monthly fee."""
        return cls.env["meter.tariff"].create(
            {
                "name": "Residential tiered",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                Command.create(
                                    {
                                        "sequence": 10,
                                        "name": "Electricity",
                                        "invoice_group": "Energy",
                                        "product_id": cls.product_energy.id,
                                        "component_type": "tiered",
                                        "tier_mode": "cumulative",
                                        "tier_ids": [
                                            Command.create(
                                                {"up_to": 240, "price": 0.4883}
                                            ),
                                            Command.create(
                                                {"up_to": 400, "price": 0.5383}
                                            ),
                                            Command.create(
                                                {"up_to": 0, "price": 0.7883}
                                            ),
                                        ],
                                    }
                                ),
                                Command.create(
                                    {
                                        "sequence": 20,
                                        "name": "Meter fee",
                                        "invoice_group": "Fees",
                                        "product_id": cls.product_fixed.id,
                                        "component_type": "fixed",
                                        "price": 10.0,
                                    }
                                ),
                            ],
                        }
                    )
                ],
            }
        )

    @classmethod
    def _calendar(cls, registers=("T1", "T2")):
        """Peak 08:00-22:00 on weekdays, valley otherwise; the meter counts
        peak on T1 and valley on T2 (no register: from interval data)."""
        calendar = cls.env["meter.tou.calendar"].create(
            {
                "name": "Peak / valley",
                "tz": "UTC",
                "band_ids": [
                    Command.create(
                        {"code": "peak", "name": "Peak", "register": registers[0]}
                    ),
                    Command.create(
                        {"code": "valley", "name": "Valley", "register": registers[1]}
                    ),
                ],
                "season_ids": [Command.create({"name": "Year"})],
            }
        )
        peak, valley = calendar.band_ids
        season = calendar.season_ids
        calendar.switch_ids = [
            Command.create(
                {
                    "season_id": season.id,
                    "day_type": "weekday",
                    "hour_from": hour,
                    "band_id": band.id,
                }
            )
            for hour, band in ((0.0, valley), (8.0, peak), (22.0, valley))
        ] + [
            Command.create(
                {
                    "season_id": season.id,
                    "day_type": "weekend",
                    "hour_from": 0.0,
                    "band_id": valley.id,
                }
            )
        ]
        return calendar

    @classmethod
    def _tou_tariff(cls):
        """Peak 0.30, valley 0.15 per kWh; 0.50 per m2 and month."""

        def component(sequence, name, kind, price, **extra):
            return Command.create(
                {
                    "sequence": sequence,
                    "name": name,
                    "product_id": cls.product_energy.id,
                    "component_type": kind,
                    "price": price,
                    **extra,
                }
            )

        return cls.env["meter.tariff"].create(
            {
                "name": "Time of use",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "tou_calendar_id": cls.calendar.id,
                            "component_ids": [
                                component(
                                    10,
                                    "Peak energy",
                                    "tou_energy",
                                    0.30,
                                    band_code="peak",
                                ),
                                component(
                                    20,
                                    "Valley energy",
                                    "tou_energy",
                                    0.15,
                                    band_code="valley",
                                ),
                                component(30, "Common charges", "area", 0.50),
                            ],
                        }
                    )
                ],
            }
        )

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _run(
        self,
        sites=None,
        points=None,
        date_from="2026-01-01",
        date_to="2026-01-31",
        **vals,
    ):
        Run = self.env["meter.billing.run"]
        return Run.create(
            {
                "date_from": date_from,
                "date_to": date_to,
                "site_ids": [Command.set((sites or Run.env["meter.site"]).ids)],
                "billing_point_ids": [
                    Command.set((points or Run.env["meter.billing.point"]).ids)
                ],
                **vals,
            }
        )

    @contextmanager
    def _cron_budget(self, batches):
        """``_commit_progress`` as in a cron that has time for ``batches``
        batches (the test cannot commit)."""
        calls = []

        def commit_progress(*args, **kwargs):
            calls.append(kwargs.get("remaining"))
            return 0.0 if batches is not None and len(calls) >= batches else 60.0

        with patch.object(
            self.registry["ir.cron"], "_commit_progress", commit_progress
        ):
            yield calls

    def _bill(self, run, post=True):
        """Compute, invoice (and post) ``run`` as the cron would."""
        with self._cron_budget(None):
            run.action_compute()
            run._process()
            run.action_invoice()
            run._process()
            if post:
                run.action_post()
                run._process()
        return run
