import type { Chart as ChartType, ChartConfiguration } from "chart.js";
import { createEffect, createSignal, For, type JSX, onCleanup, onMount } from "solid-js";
import { t } from "../lib/i18n.ts";
import { cssVar, isDark } from "../lib/theme.ts";

export interface ChartTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

let next = 0;

/**
 * A chart.js canvas whose configuration follows `config()` (data, language and theme). The canvas is decorative for
 * assistive technology: the same numbers are in a table, visually hidden until the "show as table" toggle beside the
 * chart reveals it for sighted users too (the browser tests read it either way).
 */
export function ChartCanvas(props: { label: string; config: () => ChartConfiguration; table: ChartTable; height?: number; testId: string }): JSX.Element {
  let canvas!: HTMLCanvasElement;
  let chart: ChartType | undefined;
  const [lib, setLib] = createSignal<typeof import("./charts.ts") | null>(null);
  const [asTable, setAsTable] = createSignal(false);
  const tableId = `chart-table-${++next}`;

  const themed = (config: ChartConfiguration): ChartConfiguration => {
    void isDark(); // re-run when the theme changes
    const text = cssVar("--text") || "#111";
    const grid = cssVar("--border") || "#ddd";
    const options = (config.options ?? {}) as Record<string, any>;
    options.color = text;
    options.borderColor = grid;
    for (const scale of Object.values((options.scales ?? {}) as Record<string, any>)) {
      scale.ticks = { ...(scale.ticks ?? {}), color: text };
      scale.grid = { ...(scale.grid ?? {}), color: grid };
    }
    options.plugins = { ...(options.plugins ?? {}), legend: { ...(options.plugins?.legend ?? {}), labels: { color: text } } };
    return { ...config, options } as ChartConfiguration;
  };

  onMount(() => void import("./charts.ts").then(setLib));
  // Created with the component (not after the import's await), so it is disposed with it.
  createEffect(() => {
    const Chart = lib()?.Chart;
    if (!Chart) return;
    const config = themed(props.config());
    if (!chart || (chart.config as { type?: string }).type !== config.type) {
      chart?.destroy();
      chart = new Chart(canvas, config);
    } else {
      chart.data = config.data;
      chart.options = config.options ?? {};
      chart.update();
    }
  });
  onCleanup(() => {
    chart?.destroy();
    chart = undefined;
  });

  return (
    <figure class="chart" data-testid={props.testId}>
      <div class="chart-box" style={{ height: `${props.height ?? 280}px` }}>
        <canvas ref={canvas} role="img" aria-label={props.label} />
      </div>
      <button
        type="button"
        class="chart-toggle"
        aria-expanded={asTable()}
        aria-controls={tableId}
        onClick={() => setAsTable(!asTable())}
        data-testid={`${props.testId}-toggle`}
      >
        {asTable() ? t().a11y.hideTable : t().a11y.showTable}
      </button>
      <div
        id={tableId}
        classList={{ "sr-only": !asTable(), "table-wrap": asTable() }}
        tabindex={asTable() ? 0 : undefined}
        role={asTable() ? "region" : undefined}
        aria-label={asTable() ? t().a11y.tableOf(props.table.caption) : undefined}
      >
      <table class="data" data-testid={`${props.testId}-data`}>
        <caption>{props.table.caption}</caption>
        <thead>
          <tr>
            <For each={props.table.columns}>{(c) => <th scope="col">{c}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={props.table.rows}>
            {(row) => (
              <tr>
                <For each={row}>{(cell, i) => <td classList={{ num: i() > 0 }}>{cell}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      </div>
    </figure>
  );
}
