/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

const card = (meter) => `.o_meter_portal_card[data-meter='${meter}']`;

const submit = (meter, value) => [
    { content: `Value of ${meter}`, trigger: `${card(meter)} .o_meter_portal_value`, run: `edit ${value}` },
    { content: `Submit ${meter}`, trigger: `${card(meter)} .o_meter_portal_send`, run: "click", expectUnloadPage: true },
];

// A resident submits three readings, confirms an unusual one and opens the
// chart of a meter (the same steps run at 1366 px and at 375 px).
registry.category("web_tour.tours").add("meter_portal_resident_tour", {
    url: "/my/meters",
    steps: () => [
        { content: "A tile per resource", trigger: ".o_meter_portal_tile:contains(Heat)" },
        ...submit("HW-P1", "12,5"),
        { trigger: ".o_meter_portal_done_alert" },
        ...submit("EL-P1", "1500"),
        { trigger: ".o_meter_portal_done_alert" },
        ...submit("HEAT-P1", "5000"),
        {
            content: "Unusual consumption: the value is kept, a confirmation asked",
            trigger: `${card("HEAT-P1")} .o_meter_portal_unusual input[name='confirm']`,
            run: "click",
        },
        {
            trigger: `${card("HEAT-P1")} .o_meter_portal_send`,
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_meter_portal_done_alert" },
        {
            content: "Open the meter",
            trigger: `${card("HEAT-P1")} .o_meter_portal_open`,
            run: "click",
            expectUnloadPage: true,
        },
        { content: "The chart is drawn", trigger: ".o_meter_portal_chart_ready canvas" },
        { trigger: ".o_meter_portal_month:contains(2026-03)" },
    ],
});
