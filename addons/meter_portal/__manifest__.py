# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Meter Portal",
    "summary": "Residents in the portal: access, readings, consumption, documents",
    "version": "19.0.1.0.0",
    "category": "Services/Metering",
    "author": "Meter Suite contributors",
    "website": "https://github.com/meter-suite/meter-suite",
    "license": "LGPL-3",
    "depends": ["meter_billing", "meter_expenses", "portal"],
    "external_dependencies": {"python": ["meterkit>=1.0"]},
    "data": [
        "security/ir.model.access.csv",
        "security/meter_portal_security.xml",
        "security/meter_portal_usage_security.xml",
        "data/meter_portal_mail_data.xml",
        "data/meter_portal_cron.xml",
        "report/meter_portal_letter_report.xml",
        "report/meter_portal_information_report.xml",
        "data/meter_portal_information_mail_data.xml",
        "views/meter_portal_access_views.xml",
        "views/meter_portal_information_views.xml",
        "views/meter_portal_templates.xml",
        "views/meter_portal_information_templates.xml",
        "views/meter_portal_document_templates.xml",
        "views/meter_portal_solar_templates.xml",
        "views/meter_portal_usage_templates.xml",
    ],
    "demo": ["demo/meter_portal_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "meter_portal/static/src/js/*.js",
            "meter_portal/static/src/scss/*.scss",
        ],
        "web.assets_tests": ["meter_portal/static/tests/tours/*.js"],
    },
    "application": False,
}
