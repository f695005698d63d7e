# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Meter Hardware",
    "summary": "Gateways polled on a schedule (Modbus, M-Bus, Shelly), alarms, relays, "
    "commissioning",
    "version": "19.0.1.0.0",
    "category": "Services/Metering",
    "author": "Meter Suite contributors",
    "website": "https://github.com/meter-suite/meter-suite",
    "license": "LGPL-3",
    "depends": ["meter_base", "mail"],
    "external_dependencies": {
        "python": [
            "meterkit>=1.0",
            "pymodbus>=3.10",
            "pyserial",
            "requests",
            "ocpp",
            "websockets",
        ]
    },
    "data": [
        "security/ir.model.access.csv",
        "security/meter_hardware_security.xml",
        "data/meter_register_map_data.xml",
        "data/meter_alarm_route_data.xml",
        "data/meter_hardware_data.xml",
        "data/meter_ocpp_data.xml",
        "wizards/meter_gateway_assign_views.xml",
        "wizards/meter_gateway_probe_views.xml",
        "wizards/meter_supply_set_views.xml",
        "views/meter_register_map_views.xml",
        "views/meter_gateway_views.xml",
        "views/meter_gateway_device_views.xml",
        "views/meter_poll_log_views.xml",
        "views/meter_alarm_views.xml",
        "views/meter_relay_command_views.xml",
        "views/meter_meter_views.xml",
        "views/meter_hardware_menus.xml",
        "views/meter_ocpp_views.xml",
    ],
    "demo": ["demo/meter_hardware_demo.xml"],
    "application": False,
}
