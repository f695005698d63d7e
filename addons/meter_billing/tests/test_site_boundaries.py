# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.meter_base.tests.site_sweep import SiteSweepMixin

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestSiteBoundaries(SiteSweepMixin, MeterBillingCommon):
    """Users limited to site A (reader, technician, billing officer) against
    every record of site B: metering, billing and the ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_a = cls._user(
            "tech_a", "meter_base.meter_base_group_technician", cls.site_a
        )
        cls.roles = cls.reader_a | cls.tech_a | cls.billing_a
        env = cls.env
        cls.tariff_b = env["meter.tariff"].create(
            {
                "name": "Site B tariff",
                "site_id": cls.site_b.id,
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                Command.create(
                                    {
                                        "name": "Energy",
                                        "product_id": cls.product_energy.id,
                                        "component_type": "tiered",
                                        "tier_ids": [
                                            Command.create({"up_to": 0, "price": 0.2})
                                        ],
                                    }
                                )
                            ],
                        }
                    )
                ],
            }
        )
        cls.calendar_b = cls._calendar()
        cls.calendar_b.write(
            {
                "site_id": cls.site_b.id,
                "holiday_ids": [Command.create({"date": "2026-01-01"})],
            }
        )
        cls.calendar.holiday_ids = [Command.create({"date": "2026-01-01"})]

    def _site_b_records(self):
        """One record set of site B per model (a billed, paid month included)."""
        env = self.env
        run = self._bill(self._run(sites=self.site_b))
        invoice = run.move_ids
        payment = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
            ._create_payments()
        )
        prepaid = self._prepaid_b()
        job = env["meter.exchange.job"].create(
            {"name": "Site B job", "host": "127.0.0.1", "site_id": self.site_b.id}
        )
        interval_b = env["meter.interval"].create(
            {"meter_id": self.meter_b1.id, "start": "2026-01-05 10:00:00", "value": 1.5}
        )
        community = env["meter.solar.community"].create(
            {
                "name": "Site B ZEV",
                "site_id": self.site_b.id,
                "participant_ids": [
                    Command.create({"billing_point_id": self.point_b1.id})
                ],
            }
        )
        community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        return [
            community,
            community.participant_ids,
            community.month_ids,
            community.month_ids.share_ids,
            community.month_ids.participant_month_ids,
            env["meter.solar.statement"].create(
                {
                    "community_id": community.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-01-31",
                }
            ),
            self.site_b,
            self.building_b,
            self.unit_b1,
            env["meter.unit.basis"].create(
                {
                    "unit_id": self.unit_b1.id,
                    "kind": "area",
                    "value": 60.0,
                    "date_from": "2025-01-01",
                }
            ),
            self.unit_b1.occupancy_ids,
            self.meter_b1,
            self.meter_b1.reading_ids,
            env["meter.rule"].create(
                {"site_id": self.site_b.id, "resource_id": self.electricity.id}
            ),
            env["meter.reading.issue"].create(
                {
                    "site_id": self.site_b.id,
                    "meter_id": self.meter_b1.id,
                    "code": "gap_too_long",
                    "severity": "warning",
                    "message": "Gap",
                }
            ),
            job,
            env["meter.exchange.log"].create({"job_id": job.id, "kind": "import"}),
            interval_b,
            env["meter.interval.pack"].search([("meter_id", "=", self.meter_b1.id)]),
            self.tariff_b,
            self.tariff_b.version_ids,
            self.tariff_b.version_ids.component_ids,
            self.tariff_b.version_ids.component_ids.tier_ids,
            self.calendar_b,
            self.calendar_b.band_ids,
            self.calendar_b.season_ids,
            self.calendar_b.switch_ids,
            self.calendar_b.holiday_ids,
            self.point_b1,
            self.point_b1.tariff_line_ids,
            run,
            run.result_ids,
            run.result_ids.line_ids,
            self._usage_billed_b(run),
            prepaid,
            prepaid.move_ids,
            prepaid.move_ids.line_ids,
            env["meter.prepaid.reconciliation"].search(
                [("account_id", "=", prepaid.id)]
            ),
            invoice,
            invoice.line_ids,
            payment,
            payment.move_id,
            payment.move_id.line_ids,
        ]

    def _usage_billed_b(self, run):
        """A usage session of site B linked to one of its billing lines."""
        charge_point = self.env["meter.charge.point"].create(
            {"name": "CP B", "identity": "CP-B-SWEEP", "site_id": self.site_b.id}
        )
        session = self.env["meter.usage.session"].create(
            {
                "charge_point_id": charge_point.id,
                "transaction_id": "1",
                "start_at": "2026-01-05 10:00:00",
            }
        )
        return self.env["meter.usage.billing"].create(
            {"session_id": session.id, "line_id": run.result_ids.line_ids[:1].id}
        )

    def _prepaid_b(self):
        """A prepaid account of site B with a top-up and a deduction."""
        env = self.env
        account = env["meter.prepaid.account"].create(
            {"billing_point_id": self.point_b1.id, "partner_id": self.tenant3.id}
        )
        account.action_open()
        env["meter.prepaid.move"]._create_posted(
            [
                {
                    "account_id": account.id,
                    "move_type": "top_up",
                    "date": "2026-01-01",
                    "amount": 50.0,
                    "journal_id": self.company_data["default_journal_cash"].id,
                },
                {
                    "account_id": account.id,
                    "move_type": "deduction",
                    "date": "2026-01-01",
                    "line_ids": [
                        Command.create(
                            {
                                "name": "Energy",
                                "product_id": self.product_energy.id,
                                "amount": 1.0,
                            }
                        )
                    ],
                },
            ]
        )
        env.flush_all()
        return account

    def _shared_records(self):
        """Records of no site: tariffs and calendars shared by several sites,
        and the resources."""
        return [
            self.electricity,
            self.tiered,
            self.tiered.version_ids,
            self.tiered.version_ids.component_ids,
            self.tiered.version_ids.component_ids.tier_ids,
            self.calendar,
            self.calendar.band_ids,
            self.calendar.season_ids,
            self.calendar.switch_ids,
            self.calendar.holiday_ids,
        ]

    def test_sweep_no_cross_site_access(self):
        """No site-limited role reads, finds, changes, creates or deletes a
        record of site B, in any metering model or in the ledger; shared
        tariffs, calendars and resources are changed by managers only."""
        foreign = self._site_b_records()
        shared = self._shared_records()
        self._assert_sweep_covers({"meter_base", "meter_billing"}, foreign, shared)
        self.assertEqual(
            {"account.move", "account.move.line", "account.payment"}
            - {r._name for r in foreign},
            set(),
        )
        self.assertTrue(foreign[-3].reconciled_invoice_ids, "the invoice is paid")
        for user in self.roles:
            for records in foreign:
                self._assert_refused(user, records)
            for records in shared:
                self._assert_refused(user, records, ("write", "create", "unlink"))

    def test_billing_officer_ledger_of_own_site(self):
        """The officer of site A keeps the invoices of site A and every move not
        issued for a billing point; site B's invoice is refused to him."""
        run_a = self._bill(self._run(sites=self.site_a))
        run_b = self._bill(self._run(sites=self.site_b), post=False)
        bill = self.init_invoice("in_invoice", amounts=[100.0], post=True)
        Move = self.env["account.move"].with_user(self.billing_a)
        visible = Move.search([("id", "in", (run_a.move_ids | run_b.move_ids).ids)])
        self.assertEqual(visible, run_a.move_ids)
        self.assertEqual(Move.search([("id", "=", bill.id)]), bill)
        run_a.move_ids.with_user(self.billing_a).read(["amount_total"])
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            run_b.move_ids.with_user(self.billing_a).write({"ref": "changed"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            run_b.move_ids.with_user(self.billing_a).unlink()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            run_b.move_ids.line_ids.with_user(self.billing_a).read(["balance"])
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.point_b1.tariff_line_ids.with_user(self.billing_a).write(
                {"date_from": "2025-02-01"}
            )

    def test_accountants_see_the_whole_ledger(self):
        """Accountants (Accounting: Administrator), metering managers and
        Invoicing users outside metering see site B's invoice, even when they
        are also billing officers of site A."""
        run_b = self._bill(self._run(sites=self.site_b))
        accountant = self._user(
            "accountant_a", "meter_base.meter_base_group_billing", self.site_a
        )
        accountant.group_ids = [
            Command.link(self.env.ref("account.group_account_manager").id)
        ]
        invoicing = new_test_user(
            self.env, login="invoicing", groups="account.group_account_invoice"
        )
        manager = self._user("meter_mgr", "meter_base.meter_base_group_manager", None)
        for user in accountant | invoicing | manager:
            Move = self.env["account.move"].with_user(user)
            with self.subTest(user=user.login):
                self.assertEqual(
                    Move.search([("id", "in", run_b.move_ids.ids)]), run_b.move_ids
                )
                self.assertTrue(
                    self.env["account.move.line"]
                    .with_user(user)
                    .search_count([("move_id", "in", run_b.move_ids.ids)])
                )

    def test_site_tariff_changed_by_its_officers(self):
        """A tariff of site A is changed by site A's officer; a shared tariff
        and a tariff of site B are not."""
        tariff_a = self.tariff_b.copy({"site_id": self.site_a.id})
        tariff_a.with_user(self.billing_a).write({"name": "Site A tariff"})
        tariff_a.version_ids.component_ids.with_user(self.billing_a).write(
            {"name": "Energy A"}
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.tiered.with_user(self.billing_a).write({"name": "Changed"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["meter.tariff"].with_user(self.billing_a).create(
                {"name": "Shared", "site_id": False}
            )
        Tariff = self.env["meter.tariff"].with_user(self.billing_a)
        self.assertIn(self.tiered, Tariff.search([]))
        self.assertNotIn(self.tariff_b, Tariff.search([]))
