import { createSignal, For, type JSX } from "solid-js";
import { rawRequest, withQuery } from "../lib/api.ts";
import { rangeQuery } from "../lib/filters.ts";
import { announce, announceError } from "../lib/focus.ts";
import { formatNumber, t } from "../lib/i18n.ts";
import { saveFile } from "../lib/save-file.ts";

type Kind = "mentors" | "sessions" | "ratings";

/**
 * CSV downloads honouring the filters. The export needs the Bearer header, so a plain link cannot do: the file is
 * fetched, turned into a Blob and handed to the browser through a temporary object URL.
 */
export function ExportButtons(): JSX.Element {
  const [busy, setBusy] = createSignal<Kind | null>(null);
  const [status, setStatus] = createSignal("");

  const download = async (kind: Kind) => {
    if (busy() !== null) return;
    setBusy(kind);
    setStatus(t().exports.busy);
    try {
      const res = await rawRequest(withQuery(`/admin/export/${kind}.csv`, rangeQuery()));
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      const name = `thotis-${kind}-${new Date().toISOString().slice(0, 10)}.csv`;
      saveFile(new Blob([blob], { type: "text/csv;charset=utf-8" }), name);
      setStatus(t().exports.done(name, formatNumber(blob.size / 1024, 1)));
      announce(status());
    } catch {
      setStatus(t().exports.failed);
      announceError(status());
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="card exports" aria-labelledby="exports-title">
      <h2 id="exports-title">{t().exports.title}</h2>
      <div class="row">
        <For each={["mentors", "sessions", "ratings"] as Kind[]}>
          {(kind) => (
            <button type="button" aria-disabled={busy() !== null} aria-busy={busy() === kind} onClick={() => void download(kind)} data-testid={`export-${kind}`}>
              {t().exports[kind]}
            </button>
          )}
        </For>
      </div>
      <p class="muted" data-testid="export-status">
        {status()}
      </p>
    </section>
  );
}
