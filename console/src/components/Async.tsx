import { type Accessor, createResource, type JSX, Match, type Resource, Show, Switch } from "solid-js";
import { ApiError } from "../lib/api.ts";
import { t } from "../lib/i18n.ts";

/** createResource over an API call whose inputs come from `source` (re-fetched whenever they change). */
export function useApi<S, T>(source: Accessor<S | false | null | undefined>, fetcher: (s: S) => Promise<T>) {
  return createResource(source, fetcher);
}

/** Loading, error (with retry) and data states of a resource, the same on every screen. */
export function Async<T>(props: { resource: Resource<T>; refetch?: () => void; children: (data: T) => JSX.Element }) {
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
      <Match when={props.resource() !== undefined}>{props.children(props.resource() as T)}</Match>
      <Match when={props.resource.loading}>
        <p class="muted" aria-busy="true">
          {t().loading}
        </p>
      </Match>
    </Switch>
  );
}
