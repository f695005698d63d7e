#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of a billing run (meter_billing).

Run by ``./scripts/test bench`` on the test database (meter_billing installed).
Measured side by side in one run, in one database:

* a billing run over N billing points (one meter, two readings, a tariff with two
  components: energy and a monthly fee): computation (readings, meterkit tariff
  evaluation, results and explained lines), invoicing (one draft invoice per
  partner, linked back to the lines) and posting, in batches as the cron does;
* the baseline: the same N invoices (same partners, products, quantities and
  prices) created directly with one batched ``account.move.create(vals_list)``
  and posted with one ``action_post()``.

Everything is rolled back at the end. Prints invoices/s of both, their ratio
(goal >= 0.90), the time projected for 50,000 invoices on this machine and the
peak memory of the process.
"""

import argparse
import resource
import time
from datetime import date

#: the run (compute + invoice + post) against the bare create + post
GOAL = 0.9
#: invoices of the projection printed (linear in the invoices measured)
PROJECTED = 50_000


def make_portfolio(env, count):
    """N units with a tenant, a meter with two readings and a billing point."""
    from odoo.fields import Command

    site = env["meter.site"].create(
        {"name": "Bench Site", "code": "BBILL", "tz": "UTC"}
    )
    building = env["meter.building"].create({"name": "Bench", "site_id": site.id})
    owner = env["res.partner"].create({"name": "Bench owner"})
    partners = env["res.partner"].create(
        [{"name": f"Bench tenant {i:06d}"} for i in range(count)]
    )
    units = env["meter.unit"].create(
        [
            {"name": f"U{i:06d}", "building_id": building.id, "owner_id": owner.id}
            for i in range(count)
        ]
    )
    env["meter.occupancy"].create(
        [
            {
                "unit_id": unit.id,
                "partner_id": partner.id,
                "role": "tenant",
                "date_start": "2025-01-01",
            }
            for unit, partner in zip(units, partners, strict=True)
        ]
    )
    electricity = env.ref("meter_base.resource_electricity")
    meters = env["meter.meter"].create(
        [
            {"name": f"BB-{i:06d}", "unit_id": unit.id, "resource_id": electricity.id}
            for i, unit in enumerate(units)
        ]
    )
    rows = []
    for i, meter in enumerate(meters):
        start = 1000 + i % 500
        rows.append((meter.id, "T1", "2026-01-01 00:00:00", start))
        rows.append((meter.id, "T1", "2026-02-01 00:00:00", start + 100 + i % 300))
    env["meter.reading"]._bulk_ingest(rows)
    product = env["product.product"].create(
        {"name": "Bench energy", "type": "service", "taxes_id": [Command.clear()]}
    )
    fee = env["product.product"].create(
        {"name": "Bench fee", "type": "service", "taxes_id": [Command.clear()]}
    )
    tariff = env["meter.tariff"].create(
        {
            "name": "Bench tariff",
            "version_ids": [
                Command.create(
                    {
                        "date_from": "2025-01-01",
                        "component_ids": [
                            Command.create(
                                {
                                    "sequence": 10,
                                    "name": "Energy",
                                    "product_id": product.id,
                                    "component_type": "energy",
                                    "price": 0.2735,
                                }
                            ),
                            Command.create(
                                {
                                    "sequence": 20,
                                    "name": "Meter fee",
                                    "product_id": fee.id,
                                    "component_type": "fixed",
                                    "price": 7.5,
                                }
                            ),
                        ],
                    }
                )
            ],
        }
    )
    env["meter.billing.point"].create(
        [
            {
                "unit_id": unit.id,
                "meter_ids": [Command.set(meter.ids)],
                "tariff_line_ids": [
                    Command.create({"tariff_id": tariff.id, "date_from": "2025-01-01"})
                ],
            }
            for unit, meter in zip(units, meters, strict=True)
        ]
    )
    return site


def ensure_chart(env):
    if not env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
    ):
        env["account.chart.template"].try_loading(
            "generic_coa", company=env.company, install_demo=False
        )


def warm_up(env, count):
    """Invoices that exist before the run, as in a database in use."""
    from odoo.fields import Command

    product = env["product.product"].create({"name": "Warm-up", "type": "service"})
    partner = env["res.partner"].create({"name": "Warm-up customer"})
    for _batch in range(0, count, 100):
        env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "quantity": 1, "price_unit": 9}
                        )
                    ],
                }
                for _i in range(min(100, count - _batch))
            ]
        )
        env.flush_all()
        env.cr.execute(
            "ANALYZE account_move, account_move_line, account_partial_reconcile, "
            "account_payment"
        )


def baseline_vals(run):
    """The run's invoices as plain ``account.move`` values (no run link)."""
    from odoo.fields import Command

    vals_list = []
    for move in run.move_ids:
        vals_list.append(
            {
                "move_type": "out_invoice",
                "partner_id": move.partner_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "name": line.name,
                            "quantity": line.quantity,
                            "price_unit": line.price_unit,
                        }
                    )
                    for line in move.invoice_line_ids
                ],
            }
        )
    return vals_list


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--warm-up", type=int, default=1_000)
    args = parser.parse_args()

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.fields import Command
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        ensure_chart(env)
        t0 = time.perf_counter()
        site = make_portfolio(env, args.points)
        warm_up(env, args.warm_up)
        env.flush_all()
        # The planner must see the rows created in this transaction: a fresh
        # database without invoices gets nested-loop plans in account's payment
        # queries that grow with the square of the invoices.
        cr.execute("ANALYZE")
        setup_s = time.perf_counter() - t0
        run = env["meter.billing.run"].create(
            {
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 1, 31),
                "site_ids": [Command.set(site.ids)],
            }
        )
        env.flush_all()
        t0 = time.perf_counter()
        run.write({"state": "computing"})
        run._process(commit=False)
        env.flush_all()
        compute_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        run.write({"state": "invoicing"})
        run._process(commit=False)
        env.flush_all()
        invoice_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        run.write({"state": "posting"})
        run._process(commit=False)
        env.flush_all()
        post_s = time.perf_counter() - t0
        assert set(run.move_ids.mapped("state")) == {"posted"}
        invoices = len(run.move_ids)
        assert invoices == args.points, (invoices, run.blocked_count)
        vals_list = baseline_vals(run)
        env.invalidate_all()
        t0 = time.perf_counter()
        baseline = env["account.move"].create(vals_list)
        env.flush_all()
        baseline_create_s = time.perf_counter() - t0
        baseline.action_post()
        env.flush_all()
        baseline_s = time.perf_counter() - t0
        assert len(baseline) == invoices
        assert round(sum(baseline.mapped("amount_untaxed")), 2) == round(
            sum(run.move_ids.mapped("amount_untaxed")), 2
        )
        cr.rollback()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run_s = compute_s + invoice_s + post_s
    print(
        f"bench billing: {args.points} billing points, 2 components each, "
        f"{invoices} invoices (setup {setup_s:.1f} s)"
    )
    rows = [
        ("run: compute (readings, tariffs, lines)", compute_s),
        ("run: invoice (one invoice per partner)", invoice_s),
        ("run: post", post_s),
        ("run: compute + invoice + post", run_s),
        ("baseline: one account.move.create(vals_list)", baseline_create_s),
        ("baseline: create + action_post()", baseline_s),
    ]
    for label, seconds in rows:
        print(f"  {label:<46} {invoices / seconds:>9,.0f} invoices/s  {seconds:7.2f} s")
    ratio = baseline_s / run_s
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(f"  {'run / baseline':<46} {ratio:>9.2f}  (goal >= {GOAL:.2f}: {verdict})")
    projected, bare = (s * PROJECTED / invoices / 60 for s in (run_s, baseline_s))
    print(
        f"  {f'projected run for {PROJECTED:,} invoices':<46} "
        f"{projected:>9.1f} min  (baseline {bare:.1f} min)"
    )
    print(f"  {'peak RSS of this process':<46} {peak_mb:>9,.0f} MB")
    return 0 if ratio >= GOAL else 3  # 3: the goal is missed (not a crash)


if __name__ == "__main__":
    raise SystemExit(main())
