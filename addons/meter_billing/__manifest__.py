# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Meter Billing",
    "summary": "Tariffs, billing points and idempotent billing runs that post invoices",
    "version": "19.0.1.0.0",
    "category": "Services/Metering",
    "author": "Meter Suite contributors",
    "website": "https://github.com/meter-suite/meter-suite",
    "license": "LGPL-3",
    "depends": ["meter_base", "account"],
    "external_dependencies": {"python": ["meterkit>=1.0"]},
    "data": [
        "security/ir.model.access.csv",
        "wizards/meter_interval_import_views.xml",
        "security/meter_billing_security.xml",
        "data/meter_billing_data.xml",
        "report/meter_billing_report.xml",
        "wizards/meter_billing_move_views.xml",
        "views/meter_tariff_views.xml",
        "views/meter_tou_calendar_views.xml",
        "views/meter_billing_point_views.xml",
        "views/meter_billing_result_views.xml",
        "views/meter_billing_run_views.xml",
        "views/res_config_settings_views.xml",
        "views/meter_billing_menus.xml",
    ],
    "demo": ["demo/meter_billing_demo.xml"],
    "assets": {
        "web.assets_tests": ["meter_billing/static/tests/tours/*.js"],
    },
    "application": False,
}
