/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A property manager closes the January 2026 period of Site A: open it,
// collect the costs (the vendor bill of 1000.00 and the caretaker's 120.00),
// allocate them, issue the two statements (A1 542.50, A2 577.50), close.
function stateIs(state) {
    return {
        content: `Period is ${state}`,
        trigger: `.o_statusbar_status .o_arrow_button_current:contains(${state})`,
    };
}

// Every step waits up to a minute: each one is a server round trip (collect,
// allocate, post), slow on a loaded CI machine.
const SLOW = 60000;

registry.category("web_tour.tours").add("meter_expenses_tour", {
    url: "/odoo",
    steps: () =>
        [
            stepUtils.showAppsMenuItem(),
            {
                content: "Open Metering",
                trigger: ".o_app[data-menu-xmlid='meter_base.meter_base_menu_root']",
                run: "click",
            },
            {
                content: "Expense Statements menu",
                trigger: ".dropdown-toggle[data-menu-xmlid='meter_expenses.meter_expenses_menu']",
                run: "click",
            },
            {
                content: "Expense Periods",
                trigger: ".dropdown-item[data-menu-xmlid='meter_expenses.meter_expense_period_menu']",
                run: "click",
            },
            {
                content: "Open January 2026",
                trigger: ".o_list_view .o_data_row:contains(January 2026) td.o_data_cell",
                run: "click",
            },
            stateIs("Draft"),
            {
                content: "Collect costs",
                trigger: ".o_form_view button[name='action_collect_costs']",
                run: "click",
            },
            stateIs("Costs collected"),
            {
                content: "The vendor bill and the manual cost: 1,120.00",
                trigger: ".o_form_view .o_field_widget[name='cost_total']:contains(1,120.00)",
            },
            {
                content: "Calculate statements",
                trigger: ".o_form_view button[name='action_allocate']",
                run: "click",
            },
            stateIs("Allocated"),
            {
                content: "Two statements",
                trigger: ".o_form_view button[name='action_open_statements']:contains(2)",
            },
            {
                content: "Issue statements",
                trigger: ".o_form_view button[name='action_issue']",
                run: "click",
            },
            {
                content: "Confirm posting",
                trigger: ".modal-footer button.btn-primary",
                run: "click",
            },
            stateIs("Statements issued"),
            {
                content: "Close",
                trigger: ".o_form_view button[name='action_close']",
                run: "click",
            },
            stateIs("Closed"),
            {
                content: "Open the statements",
                trigger: ".o_form_view button[name='action_open_statements']",
                run: "click",
            },
            {
                content: "A2's statement: 577.50",
                trigger: ".o_list_view .o_data_row:contains(Tenant Two):contains(577.50)",
            },
        ].map((step) => ({ timeout: SLOW, ...step })),
});
