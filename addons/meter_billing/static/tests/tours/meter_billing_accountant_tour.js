/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";

// An accountant opens the posted invoice of a billing run from the customer
// invoices and downloads its PDF (the download is watched: the step after the
// click waits until the server has answered with the invoice document).
registry.category("web_tour.tours").add("meter_billing_accountant_tour", {
    url: "/odoo/action-account.action_move_out_invoice_type",
    steps: () => [
        {
            content: "Open the tenant's invoice of 159.49",
            trigger: ".o_list_view .o_data_row:contains(Tour Tenant):contains(159.49) td.o_data_cell",
            run: "click",
        },
        {
            content: "Invoice total 159.49",
            trigger: ".o_form_view .o_field_widget[name='tax_totals']:contains(159.49)",
        },
        {
            content: "Watch the download, then print",
            trigger: ".o_form_view button[name='action_print_pdf']",
            run(helpers) {
                const original = download._download;
                download._download = async (options) => {
                    const result = await original(options);
                    document.body.dataset.meterDownload = JSON.stringify(options.data || {});
                    return result;
                };
                return helpers.click();
            },
        },
        {
            content: "The invoice PDF is downloaded",
            trigger: "body[data-meter-download*='account.report_invoice']",
            // the first report of a database builds its assets
            timeout: 60000,
        },
    ],
});
