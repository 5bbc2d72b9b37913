import type { Chart as ChartType, ChartConfiguration } from "chart.js";
import { createEffect, createSignal, For, type JSX, onCleanup, onMount } from "solid-js";
import { cssVar, isDark } from "../lib/theme.ts";

export interface ChartTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

/**
 * A chart.js canvas whose configuration follows `config()` (data, language and theme). The canvas is decorative for
 * assistive technology: the same numbers are in a visually hidden table, which the browser tests read too.
 */
export function ChartCanvas(props: { label: string; config: () => ChartConfiguration; table: ChartTable; height?: number; testId: string }): JSX.Element {
  let canvas!: HTMLCanvasElement;
  let chart: ChartType | undefined;
  const [lib, setLib] = createSignal<typeof import("./charts.ts") | null>(null);

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
      <div class="sr-only">
      <table data-testid={`${props.testId}-data`}>
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
                <For each={row}>{(cell) => <td>{cell}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      </div>
    </figure>
  );
}
