/** @odoo-module **/
// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

const PASSWORD = "c-portal-pw-2026";
const card = (meter) => `.o_meter_portal_card[data-meter='${meter}']`;

const submit = (meter, value) => [
    { content: `Value of ${meter}`, trigger: `${card(meter)} .o_meter_portal_value`, run: `edit ${value}` },
    { content: `Submit ${meter}`, trigger: `${card(meter)} .o_meter_portal_send`, run: "click", expectUnloadPage: true },
];

/**
 * Fetch the link of the anchor as the logged-in resident and mark the page
 * when the answer is a PDF download (status 200, application/pdf, a .pdf
 * file name); a failed check fails the tour.
 */
async function checkPdfDownload() {
    const response = await fetch(this.anchor.getAttribute("href"));
    const type = response.headers.get("Content-Type") || "";
    const disposition = response.headers.get("Content-Disposition") || "";
    if (!response.ok || !type.startsWith("application/pdf") || !disposition.includes(".pdf")) {
        throw new Error(`No PDF download: ${response.status} ${type} ${disposition}`);
    }
    document.body.classList.add("o_meter_portal_test_pdf_ok");
}

// Resident C opens the registration link of their invitation e-mail, sets a
// password, logs in, submits three readings (confirming the unusual heat
// value), opens the heat meter's chart and downloads their expense
// statement (the same steps run at 1366 px and at 375 px).
registry.category("web_tour.tours").add("meter_portal_onboarding_tour", {
    steps: () => [
        { content: "The code of the e-mail is filled in", trigger: ".o_meter_portal_register input[name='code'][value]:not([value=''])" },
        { trigger: ".o_meter_portal_register input[name='password']", run: `edit ${PASSWORD}` },
        { trigger: ".o_meter_portal_register input[name='password2']", run: `edit ${PASSWORD}` },
        {
            content: "Register",
            trigger: ".o_meter_portal_register button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        { content: "Log in with the new password", trigger: "form.oe_login_form input[name='password']", run: `edit ${PASSWORD}` },
        { trigger: "form.oe_login_form button[type='submit']", run: "click", expectUnloadPage: true },
        { content: "In the portal: a tile per resource", trigger: ".o_meter_portal_tile:contains(Heat)" },
        ...submit("HW-P3", "12,5"),
        { trigger: ".o_meter_portal_done_alert" },
        ...submit("EL-P3", "1500"),
        { trigger: ".o_meter_portal_done_alert" },
        ...submit("HEAT-P3", "5000"),
        {
            content: "Unusual consumption: the value is kept, a confirmation asked",
            trigger: `${card("HEAT-P3")} .o_meter_portal_unusual input[name='confirm']`,
            run: "click",
        },
        { trigger: `${card("HEAT-P3")} .o_meter_portal_send`, run: "click", expectUnloadPage: true },
        { trigger: ".o_meter_portal_done_alert" },
        { content: "Open the meter", trigger: `${card("HEAT-P3")} .o_meter_portal_open`, run: "click", expectUnloadPage: true },
        { content: "The chart is drawn", trigger: ".o_meter_portal_chart_ready canvas" },
        { content: "Back to the portal home", trigger: ".breadcrumb a[href='/my/home']", run: "click", expectUnloadPage: true },
        { content: "The documents: expense statements", trigger: "a[href='/my/statements']", run: "click", expectUnloadPage: true },
        { content: "Download the statement", trigger: ".o_meter_portal_statement_row a.o_meter_portal_statement_pdf", run: checkPdfDownload },
        { content: "The download is a PDF", trigger: "body.o_meter_portal_test_pdf_ok" },
    ],
});

// Resident A tops up their prepaid balance by 40.00 with the demo provider:
// amount, payment form, payment status page, back on the account's page with
// the new balance and the top-up in the moves.
registry.category("web_tour.tours").add("meter_portal_top_up_tour", {
    steps: () => [
        { content: "Amount of the top-up", trigger: "#o_meter_top_up_amount", run: "edit 40" },
        { trigger: ".o_meter_portal_top_up button[type='submit']", run: "click", expectUnloadPage: true },
        { content: "The payment form of 40.00", trigger: ".o_meter_portal_prepaid form#o_payment_form" },
        {
            content: "Pay with the demo provider",
            trigger: "input[name='o_payment_radio'][data-payment-method-code='demo']",
            run: "click",
        },
        { content: "A successful simulated payment", trigger: "select#simulated_payment_state", run: "select done" },
        { trigger: "button[name='o_payment_submit_button']:enabled", run: "click", expectUnloadPage: true },
        {
            content: "Back on the account once the payment is processed",
            // the payment status page polls, then sends the browser back to
            // the account by itself: the tour waits here across that load
            trigger: ".o_meter_portal_prepaid .o_meter_portal_balance:contains(40.00)",
        },
        { trigger: ".o_meter_portal_prepaid_move:contains(40.00)" },
    ],
});
