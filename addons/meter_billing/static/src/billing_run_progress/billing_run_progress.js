// Copyright 2026 Meter Suite contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { Component, onWillUnmount, useEffect, useState } from "@odoo/owl";

const ACTIVE_STATES = ["computing", "invoicing", "posting"];
/** Pause between two calls while another worker (the cron) holds the run. */
const WAIT_MS = 1000;

/**
 * Progress of a billing run's step (computing, invoicing, posting).
 *
 * Compute, Create invoices and Post invoices put the run in its step and wake
 * the cron; while the form is open this widget advances the run batch after
 * batch (``action_process_batch``, one short request each), shows the percent
 * done and reloads the form when the step is over: one click per step. When
 * the cron already holds the run, the widget just waits and shows its progress.
 */
export class BillingRunProgress extends Component {
    static template = "meter_billing.BillingRunProgress";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ progress: null, running: false });
        this.alive = true;
        onWillUnmount(() => {
            this.alive = false;
        });
        useEffect(
            (state, resId) => {
                if (resId && ACTIVE_STATES.includes(state)) {
                    this.drive();
                }
            },
            () => [this.props.record.data.state, this.props.record.resId]
        );
    }

    get active() {
        return ACTIVE_STATES.includes(this.props.record.data.state);
    }

    get percent() {
        const progress = this.state.progress ?? this.props.record.data.progress ?? 0;
        return Math.round(progress);
    }

    get stepLabel() {
        const selection = this.props.record.fields.state.selection || [];
        const current = selection.find(([value]) => value === this.props.record.data.state);
        return current ? current[1] : "";
    }

    async drive() {
        if (this.state.running) {
            return;
        }
        this.state.running = true;
        let step = { state: this.props.record.data.state, progress: null };
        try {
            while (this.alive && ACTIVE_STATES.includes(step.state)) {
                const before = step.progress;
                step = await this.orm.call("meter.billing.run", "action_process_batch", [
                    [this.props.record.resId],
                ]);
                this.state.progress = step.progress;
                if (ACTIVE_STATES.includes(step.state) && step.progress === before) {
                    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
                }
            }
        } finally {
            this.state.running = false;
        }
        if (this.alive) {
            this.state.progress = null;
            await this.props.record.load();
        }
    }
}

registry.category("view_widgets").add("meter_billing_run_progress", {
    component: BillingRunProgress,
});
