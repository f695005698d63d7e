/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

const saved = (text) => ({
    content: "Confirmation of what was stored",
    trigger: `.o_notification:contains(${text})`,
});

// A meter reader enters a reading from the readings list: Readings > New
// finds the meter and the form has an explicit save.
registry.category("web_tour.tours").add("meter_base_reader_list_tour", {
    url: "/odoo/meter-readings",
    steps: () => [
        { content: "New reading", trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name='meter_id'] input", run: "edit TR-EL-1" },
        {
            trigger: ".o-autocomplete--dropdown-menu li a:contains(TR-EL-1)",
            run: "click",
        },
        { trigger: ".o_field_widget[name='value'] input", run: "edit 100" },
        { content: "Save", trigger: "button[name='action_confirm_entry']", run: "click" },
        saved("TR-EL-1"),
    ],
});

// ... from a meter: its New Reading button opens a dialog with a save.
registry.category("web_tour.tours").add("meter_base_reader_meter_tour", {
    url: "/odoo/meters",
    steps: () => [
        { trigger: ".o_data_row td:contains(TR-HW-1)", run: "click" },
        { content: "New reading", trigger: "button[name='action_new_reading']", run: "click" },
        { trigger: ".modal .o_field_widget[name='value'] input", run: "edit 12.5" },
        {
            content: "Save",
            trigger: ".modal button[name='action_confirm_entry']",
            run: "click",
        },
        saved("TR-HW-1"),
    ],
});

// ... and in the batch form of a building, confirming an unusual consumption.
registry.category("web_tour.tours").add("meter_base_reader_batch_tour", {
    url: "/odoo/meter-buildings",
    steps: () => [
        { trigger: ".o_data_row td:contains(Tour House)", run: "click" },
        { content: "Batch form", trigger: "button:contains(Enter Readings)", run: "click" },
        {
            content: "Previous value shown",
            trigger: ".modal .o_data_row:contains(TR-HEAT-1) td[name='previous_value']:contains(900)",
        },
        {
            trigger: ".modal .o_data_row:contains(TR-HEAT-1) td[name='value']",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row.o_selected_row .o_field_widget[name='value'] input",
            run: "edit 9000",
        },
        { content: "Save", trigger: ".modal button[name='action_save']", run: "click" },
        {
            content: "Unusual consumption explained",
            trigger: ".modal .alert-danger:contains(times that)",
        },
        {
            content: "Confirm the unusual consumption on its line",
            trigger: ".modal .o_data_row:contains(TR-HEAT-1) td[name='confirm_anomaly']",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains(TR-HEAT-1) td[name='confirm_anomaly'] input:checked",
        },
        { content: "Save", trigger: ".modal button[name='action_save']", run: "click" },
        saved("Tour House"),
    ],
});
