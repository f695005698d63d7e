/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A billing officer bills January 2026 of "Tour Residence": one flat, 300 kWh
// on the tiered tariff (240 x 0.4883 + 60 x 0.5383 + 10.00 fee = 159.49).
// Create the run, compute it, check the amount, create the invoice, open it,
// check its total, then post the run's invoices: one click per step.
function stepDone(state) {
    // One click per step: the form advances the run batch after batch and
    // reloads it when the step is over (no "Process now", no cron in tests).
    return [
        {
            content: `Run is ${state}`,
            trigger: `.o_statusbar_status .o_arrow_button_current:contains(${state})`,
        },
        {
            content: "No progress bar once the step is done",
            trigger: ".o_form_view:not(:has(.o_meter_billing_run_progress))",
        },
    ];
}

registry.category("web_tour.tours").add("meter_billing_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Metering",
            trigger: ".o_app[data-menu-xmlid='meter_base.meter_base_menu_root']",
            run: "click",
        },
        {
            content: "Billing menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='meter_billing.meter_billing_menu']",
            run: "click",
        },
        {
            content: "Billing Runs",
            trigger: ".dropdown-item[data-menu-xmlid='meter_billing.meter_billing_run_menu']",
            run: "click",
        },
        { content: "New run", trigger: ".o_list_button_add", run: "click" },
        {
            trigger: ".o_field_widget[name='date_from'] input",
            run: "click && edit 01/01/2026 && click body",
        },
        {
            trigger: ".o_field_widget[name='date_to'] input",
            run: "click && edit 01/31/2026 && click body",
        },
        { trigger: ".o_field_widget[name='site_ids'] input", run: "edit Tour" },
        {
            trigger: ".o-autocomplete--dropdown-menu li a:contains(Tour Residence)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='site_ids'] .o_tag:contains(Tour Residence)",
        },
        {
            content: "Compute",
            trigger: ".o_form_view button[name='action_compute']",
            run: "click",
        },
        ...stepDone("Computed"),
        {
            content: "The flat's amount: 159.49",
            trigger:
                "div[name='result_ids'] .o_data_row:contains(T1) td[name='amount_untaxed']:contains(159.49)",
        },
        {
            content: "Create invoices",
            trigger: ".o_form_view button[name='action_invoice']",
            run: "click",
        },
        ...stepDone("Invoiced"),
        {
            content: "Open the invoices",
            trigger: "button[name='action_open_moves']:contains(1)",
            run: "click",
        },
        {
            content: "Open the draft invoice of 159.49",
            trigger:
                ".o_list_view .o_data_row:contains(Tour Tenant):contains(Draft):contains(159.49) td.o_data_cell",
            run: "click",
        },
        {
            content: "Invoice total 159.49",
            trigger: ".o_form_view .o_field_widget[name='tax_totals']:contains(159.49)",
        },
        {
            content: "Billed to the tenant",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input:value(Tour Tenant)",
        },
        {
            content: "Back to the run",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(BILL/)",
            run: "click",
        },
        {
            content: "Back on the run form (not the invoice's Confirm button)",
            trigger: ".o_form_view div[name='result_ids'] .o_data_row:contains(159.49)",
        },
        {
            content: "Post invoices",
            trigger: ".o_form_view:has(div[name='result_ids']) button[name='action_post']",
            run: "click",
        },
        ...stepDone("Posted"),
    ],
});
