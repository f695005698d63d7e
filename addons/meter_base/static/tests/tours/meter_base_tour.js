/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A back-office user creates a site, a building, a unit and a meter, then
// enters the meter's first two readings (dated: the default is now) and sees
// the consumption.
registry.category("web_tour.tours").add("meter_base_tour", {
    url: "/odoo/meter-sites",
    steps: () => [
        { content: "New site", trigger: ".o-kanban-button-new", run: "click" },
        { trigger: ".o_field_widget[name='name'] input", run: "edit Tour Residence" },
        { trigger: ".o_field_widget[name='code'] input", run: "edit TOUR" },
        ...stepUtils.saveForm(),
        { content: "Buildings", trigger: "button[name='action_open_buildings']", run: "click" },
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name='name'] input", run: "edit Tour Building" },
        { trigger: ".o_field_widget[name='site_id'] input:value(Tour Residence)" },
        ...stepUtils.saveForm(),
        { content: "Units", trigger: "button[name='action_open_units']", run: "click" },
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name='name'] input", run: "edit Tour Flat 1" },
        ...stepUtils.saveForm(),
        { content: "Meters", trigger: "button[name='action_open_meters']", run: "click" },
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name='name'] input", run: "edit TOUR-EL-1" },
        { trigger: ".o_field_widget[name='resource_id'] input", run: "edit Electricity" },
        {
            trigger: ".o-autocomplete--dropdown-menu li a:contains(Electricity)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "First reading",
            trigger: "div[name='reading_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_data_row.o_selected_row .o_field_widget[name='read_at'] input",
            run: "edit 01/31/2026 12:00:00",
        },
        { trigger: ".o_data_row .o_field_widget[name='value'] input", run: "edit 100" },
        ...stepUtils.saveForm(),
        {
            content: "Second reading",
            trigger: "div[name='reading_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_data_row.o_selected_row .o_field_widget[name='read_at'] input",
            run: "edit 02/28/2026 12:00:00",
        },
        {
            trigger: ".o_data_row.o_selected_row .o_field_widget[name='value'] input",
            run: "edit 142.5",
        },
        ...stepUtils.saveForm(),
        {
            content: "Consumption computed",
            trigger: "div[name='reading_ids'] .o_data_row td[name='consumption']:contains(42.5)",
        },
    ],
});
