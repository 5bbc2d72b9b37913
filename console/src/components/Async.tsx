import { type Accessor, createComputed, createResource, type JSX, Match, type Resource, Show, Switch, untrack } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { ApiError } from "../lib/api.ts";
import { t } from "../lib/i18n.ts";

/** createResource over an API call whose inputs come from `source` (re-fetched whenever they change). */
export function useApi<S, T>(source: Accessor<S | false | null | undefined>, fetcher: (s: S) => Promise<T>) {
  return createResource(source, fetcher);
}

/**
 * Loading, error (with retry) and data states of a resource, the same on every screen.
 * The data reaches the screen as a store reconciled with each new answer (rows matched by `id`): a sort, a filter or
 * the health screen's refresh updates the text and moves rows in place instead of re-creating the markup, so the
 * control the user is on keeps the focus and live regions stay the same nodes.
 */
export function Async<T extends object>(props: { resource: Resource<T>; refetch?: () => void; children: (data: T) => JSX.Element }) {
  const [store, setStore] = createStore<{ value?: T }>({});
  createComputed(() => {
    if (props.resource.error) return;
    const latest = props.resource.latest;
    if (latest !== undefined) setStore("value", reconcile(latest as T, { key: "id", merge: false }) as never);
  });
  const message = () => {
    const e = props.resource.error as unknown;
    if (e instanceof ApiError && e.status === 0) return t().offlineNoData;
    return e instanceof Error ? e.message : String(e);
  };
  return (
    <Switch>
      <Match when={props.resource.error}>
        <div class="notice error" role="alert">
          <p>
            {t().error}: {message()}
          </p>
          <Show when={props.refetch}>
            <button type="button" onClick={() => props.refetch?.()}>
              {t().retry}
            </button>
          </Show>
        </div>
      </Match>
      <Match when={store.value !== undefined}>{untrack(() => props.children(store.value as T))}</Match>
      <Match when={props.resource.loading}>
        <p class="muted" aria-busy="true">
          {t().loading}
        </p>
      </Match>
    </Switch>
  );
}
