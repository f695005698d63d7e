# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Meter Expenses",
    "summary": "Annual heating, hot-water, water and ancillary cost statements "
    "allocated to occupants and posted in the ledger",
    "version": "19.0.1.0.0",
    "category": "Services/Metering",
    "author": "Meter Suite contributors",
    "website": "https://github.com/meter-suite/meter-suite",
    "license": "LGPL-3",
    "depends": ["meter_billing", "mail"],
    "external_dependencies": {"python": ["meterkit>=1.0"]},
    "data": [
        "security/ir.model.access.csv",
        "security/meter_expenses_security.xml",
        "report/meter_expense_report.xml",
        "data/meter_expenses_mail.xml",
        "views/meter_expense_statement_views.xml",
        "views/meter_expense_period_views.xml",
        "views/meter_expenses_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["meter_expenses/static/tests/tours/*.js"],
    },
    "application": False,
}
