# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL


class MeterPrepaidReconciliation(models.Model):
    """Proof that prepaid balances are the ledger's, per account: the balance
    shown, the sum of its moves, the posted entries of those moves on the
    customer prepayment account, and, per occupant, everything posted on that
    account for them (a manual entry or a reversal shows up there)."""

    _name = "meter.prepaid.reconciliation"
    _description = "Prepaid Ledger Reconciliation"
    _auto = False
    _order = "difference desc, account_id"

    account_id = fields.Many2one("meter.prepaid.account", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    site_id = fields.Many2one("meter.site", readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    balance = fields.Monetary(readonly=True)
    moves_total = fields.Monetary(string="Sum of moves", readonly=True)
    ledger_balance = fields.Monetary(string="Ledger (its entries)", readonly=True)
    partner_balances = fields.Monetary(string="Occupant's balances", readonly=True)
    partner_ledger = fields.Monetary(string="Occupant's ledger", readonly=True)
    difference = fields.Monetary(
        readonly=True,
        help="Absolute sum of every gap: balance vs moves, balance vs its "
        "entries, the occupant's balances vs the occupant's ledger.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH moves AS (
                SELECT account_id, SUM(balance_change) AS total
                  FROM meter_prepaid_move GROUP BY account_id
            ), entries AS (
                SELECT pm.account_id, -SUM(aml.balance) AS ledger
                  FROM meter_prepaid_move pm
                  JOIN res_company c ON c.id = pm.company_id
                  JOIN account_move_line aml
                    ON aml.move_id = pm.account_move_id
                   AND aml.account_id = c.meter_prepaid_account_id
                 WHERE aml.parent_state = 'posted'
                 GROUP BY pm.account_id
            ), partner_balances AS (
                SELECT company_id, partner_id, SUM(balance) AS total
                  FROM meter_prepaid_account GROUP BY company_id, partner_id
            ), partner_ledger AS (
                SELECT aml.company_id, aml.partner_id, -SUM(aml.balance) AS ledger
                  FROM account_move_line aml
                  JOIN res_company c
                    ON c.id = aml.company_id
                   AND aml.account_id = c.meter_prepaid_account_id
                 WHERE aml.parent_state = 'posted'
                 GROUP BY aml.company_id, aml.partner_id
            )
            SELECT a.id, a.id AS account_id, a.company_id, a.site_id, a.partner_id,
                   a.balance,
                   COALESCE(m.total, 0) AS moves_total,
                   COALESCE(e.ledger, 0) AS ledger_balance,
                   COALESCE(pb.total, 0) AS partner_balances,
                   COALESCE(pl.ledger, 0) AS partner_ledger,
                   ABS(a.balance - COALESCE(m.total, 0))
                   + ABS(a.balance - COALESCE(e.ledger, 0))
                   + ABS(COALESCE(pb.total, 0) - COALESCE(pl.ledger, 0))
                   AS difference
              FROM meter_prepaid_account a
              LEFT JOIN moves m ON m.account_id = a.id
              LEFT JOIN entries e ON e.account_id = a.id
              LEFT JOIN partner_balances pb
                ON pb.company_id = a.company_id AND pb.partner_id = a.partner_id
              LEFT JOIN partner_ledger pl
                ON pl.company_id = a.company_id AND pl.partner_id = a.partner_id
            """
        )
