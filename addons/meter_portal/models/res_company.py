# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _meter_demo_setup_companies(self):
        """Demo only: the residents with a confirmed portal access follow
        their homes to the Swiss and German companies (the company rules of
        the portal would hide the moved sites from them otherwise)."""
        companies = super()._meter_demo_setup_companies()
        accesses = self.env["meter.portal.access"].search(
            [("state", "=", "confirmed"), ("user_id", "!=", False)]
        )
        for company, company_accesses in accesses.grouped("company_id").items():
            company_accesses.user_id.write(
                {"company_ids": [Command.link(company.id)], "company_id": company.id}
            )
        return companies
