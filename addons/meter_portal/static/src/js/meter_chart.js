/** Chart of a meter's monthly consumption in the resident portal: Chart.js
 * is loaded lazily from Odoo's own bundle, the data comes from the portal's
 * JSON route (meter.consumption, clipped to the resident's periods). */
import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { loadBundle } from "@web/core/assets";
import { rpc } from "@web/core/network/rpc";

export class MeterPortalChart extends Interaction {
    static selector = ".o_meter_portal_chart";

    async willStart() {
        const meterId = this.el.dataset.meterId;
        const [data] = await Promise.all([
            rpc(`/my/meters/${meterId}/chart`, {}),
            loadBundle("web.chartjs_lib"),
        ]);
        this.data = data;
    }

    start() {
        const canvas = this.el.querySelector("canvas");
        this.chart = new window.Chart(canvas, {
            type: "bar",
            data: {
                labels: this.data.labels,
                datasets: [
                    {
                        label: `${this.data.title} (${this.data.unit})`,
                        data: this.data.data,
                        backgroundColor: "rgba(113, 75, 103, 0.7)",
                    },
                ],
            },
            options: {
                responsive: true,
                maintainAspectRatio: false,
                scales: { y: { beginAtZero: true } },
            },
        });
        this.el.classList.add("o_meter_portal_chart_ready");
    }

    destroy() {
        this.chart?.destroy();
    }
}

registry.category("public.interactions").add("meter_portal.chart", MeterPortalChart);
