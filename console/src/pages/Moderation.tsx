import { createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import { Async, useApi } from "../components/Async.tsx";
import { TableWrap } from "../components/TableWrap.tsx";
import { ApiError, api } from "../lib/api.ts";
import { announce, announceError, useScreen } from "../lib/focus.ts";
import { formatDateTime, formatNumber, t } from "../lib/i18n.ts";
import type { Delivery, DeliveryDetail, EmailItem, Page, Rating } from "../lib/types.ts";

type Tab = "ratings" | "webhooks" | "emails";

/** Flagged low ratings (hide or keep), webhook deliveries with replay, and the e-mail outbox. */
export function Moderation(): JSX.Element {
  useScreen(() => t().moderation.title);
  const [tab, setTab] = createSignal<Tab>("ratings");
  return (
    <div class="page">
      <h1>{t().moderation.title}</h1>
      <div class="segmented" role="group" aria-label={t().moderation.title}>
        <For each={["ratings", "webhooks", "emails"] as Tab[]}>
          {(name) => (
            <button type="button" aria-pressed={tab() === name} onClick={() => setTab(name)} data-testid={`tab-${name}`}>
              {t().moderation[name]}
            </button>
          )}
        </For>
      </div>
      <Switch>
        <Match when={tab() === "ratings"}>
          <FlaggedRatings />
        </Match>
        <Match when={tab() === "webhooks"}>
          <WebhookDeliveries />
        </Match>
        <Match when={tab() === "emails"}>
          <EmailOutbox />
        </Match>
      </Switch>
    </div>
  );
}

function FlaggedRatings(): JSX.Element {
  const [page, setPage] = createSignal(1);
  const [list, { refetch, mutate }] = useApi(
    () => ({ review: "pending", flagged: true, page: page(), limit: 20 }),
    (query) => api<Page<Rating>>("/admin/ratings", { query }),
  );
  const [message, setMessage] = createSignal("");
  const decide = async (r: Rating, review: "kept" | "hidden") => {
    try {
      await api(`/admin/ratings/${encodeURIComponent(String(r.id))}`, { method: "PATCH", json: { review } });
      const current = list();
      if (current) mutate({ ...current, items: current.items.filter((x) => x.id !== r.id), total: current.total - 1 });
      setMessage(review === "hidden" ? t().moderation.hidden : t().moderation.kept);
      announce(message());
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
      announceError(message());
    }
  };
  return (
    <section class="card" aria-labelledby="ratings-h">
      <h2 id="ratings-h">{t().moderation.ratings}</h2>
      <p class="muted" data-testid="rating-status">
        {message()}
      </p>
      <Async resource={list} refetch={refetch}>
        {(data) => (
          <>
            <ul class="list" data-testid="flagged-ratings">
              <For each={data.items} fallback={<li class="muted">{t().moderation.noFlagged}</li>}>
                {(r) => (
                  <li class="rating-item" data-testid="flagged-rating" data-id={r.id}>
                    <div>
                      <strong class="stars">{t().moderation.stars(r.rating)}</strong>
                      <Show when={r.mentorName}>
                        <span> — {r.mentorName}</span>
                      </Show>
                      <span class="muted"> {formatDateTime(r.createdAt)}</span>
                    </div>
                    <Show when={r.feedback}>
                      <blockquote>{r.feedback}</blockquote>
                    </Show>
                    <div class="row">
                      <button type="button" class="danger" onClick={() => void decide(r, "hidden")} data-testid="hide-rating">
                        {t().moderation.hide}
                      </button>
                      <button type="button" onClick={() => void decide(r, "kept")} data-testid="keep-rating">
                        {t().moderation.keep}
                      </button>
                    </div>
                  </li>
                )}
              </For>
            </ul>
            <Pager page={data.page} total={data.total} limit={data.limit} onPage={setPage} />
          </>
        )}
      </Async>
    </section>
  );
}

function WebhookDeliveries(): JSX.Element {
  const [status, setStatus] = createSignal<"" | "pending" | "delivered" | "dead">("dead");
  const [page, setPage] = createSignal(1);
  const [list, { refetch }] = useApi(
    () => ({ status: status(), page: page(), limit: 20 }),
    (query) => api<Page<Delivery>>("/webhooks/deliveries", { query }),
  );
  const [endpoints] = useApi(
    () => true,
    () => api<unknown>("/webhooks"),
  );
  const [open, setOpen] = createSignal<string | number | null>(null);
  const [detail, { refetch: refetchDetail }] = useApi(
    () => open(),
    (id) => api<DeliveryDetail>(`/webhooks/deliveries/${encodeURIComponent(String(id))}`),
  );
  const [message, setMessage] = createSignal("");
  const replay = async (d: Delivery) => {
    try {
      await api(`/webhooks/deliveries/${encodeURIComponent(String(d.id))}/replay`, { method: "POST" });
      setMessage(t().moderation.replayed);
      announce(message());
      void refetch();
      if (open() === d.id) void refetchDetail();
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
      announceError(message());
    }
  };
  const endpointCount = () => {
    const e = endpoints() as unknown;
    if (Array.isArray(e)) return e.length;
    if (e && typeof e === "object" && Array.isArray((e as { items?: unknown[] }).items)) return (e as { items: unknown[] }).items.length;
    return null;
  };
  return (
    <section class="card" aria-labelledby="webhooks-h">
      <h2 id="webhooks-h">{t().moderation.deliveries}</h2>
      <Show when={endpointCount() !== null}>
        <p class="muted">
          {t().moderation.endpoints}: {endpointCount()}
        </p>
      </Show>
      <label>
        <span>{t().moderation.status} </span>
        <select
          value={status()}
          onChange={(e) => {
            setStatus(e.currentTarget.value as "dead");
            setPage(1);
          }}
        >
          <option value="">{t().moderation.all}</option>
          <option value="pending">{t().moderation.pending}</option>
          <option value="delivered">{t().moderation.delivered}</option>
          <option value="dead">{t().moderation.dead}</option>
        </select>
      </label>
      <p class="muted" data-testid="delivery-status">
        {message()}
      </p>
      <Async resource={list} refetch={refetch}>
        {(data) => (
          <>
            <TableWrap label={t().moderation.deliveries}>
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">{t().moderation.event}</th>
                    <th scope="col">{t().moderation.status}</th>
                    <th scope="col">{t().moderation.attempts}</th>
                    <th scope="col">{t().moderation.date}</th>
                    <th scope="col">
                      <span class="sr-only">{t().actions}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={data.items} fallback={<tr><td colSpan={5}>{t().none}</td></tr>}>
                    {(d) => (
                      <tr data-testid="delivery-row" data-id={d.id}>
                        <td>{d.event}</td>
                        <td>
                          <span class="pill" classList={{ off: d.status === "dead", ok: d.status === "delivered" }}>
                            {deliveryStatus(d.status)}
                          </span>
                        </td>
                        <td class="num">{d.attempts}</td>
                        <td>{formatDateTime(d.createdAt)}</td>
                        <td class="row">
                          <button
                            type="button"
                            onClick={() => setOpen(open() === d.id ? null : d.id)}
                            aria-expanded={open() === d.id}
                            aria-controls="delivery-detail"
                            data-testid="view-delivery"
                          >
                            {t().moderation.view}
                          </button>
                          <Show when={d.status !== "delivered"}>
                            <button type="button" onClick={() => void replay(d)} data-testid="replay-delivery">
                              {t().moderation.replay}
                            </button>
                          </Show>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </TableWrap>
            <div id="delivery-detail">
              <Show when={open() !== null && detail()}>{(d) => <DeliveryAttempts delivery={d()} />}</Show>
            </div>
            <Pager page={data.page} total={data.total} limit={data.limit} onPage={setPage} />
          </>
        )}
      </Async>
    </section>
  );
}

/** One delivery's attempts as a table (the receiver's answer or the network error per attempt), then its payload. */
function DeliveryAttempts(props: { delivery: DeliveryDetail }): JSX.Element {
  const caption = () => t().moderation.attemptsOf(props.delivery.id);
  return (
    <div class="delivery-detail" data-testid="delivery-detail" data-id={props.delivery.id}>
      <div class="table-wrap" tabindex="0" role="region" aria-label={caption()}>
        <table class="data attempts" data-testid="delivery-attempts">
          <caption>{caption()}</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                {t().moderation.attemptNumber}
              </th>
              <th scope="col">{t().moderation.attemptAt}</th>
              <th scope="col" class="num">
                {t().moderation.httpStatus}
              </th>
              <th scope="col" class="num">
                {t().moderation.latencyMs}
              </th>
              <th scope="col">{t().moderation.responseOrError}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.delivery.attempts} fallback={<tr><td colSpan={5}>{t().moderation.noAttempts}</td></tr>}>
              {(a) => (
                <tr data-testid="delivery-attempt">
                  <th scope="row" class="num">
                    {a.attempt}
                  </th>
                  <td>{formatDateTime(a.at)}</td>
                  <td class="num">
                    <span class="pill" classList={{ ok: a.statusCode !== null && a.statusCode < 300, off: a.statusCode === null || a.statusCode >= 300 }}>
                      {a.statusCode ?? "—"}
                    </span>
                  </td>
                  <td class="num">{formatNumber(a.latencyMs)}</td>
                  <td class="excerpt">
                    <Show when={a.error}>
                      <strong>{a.error}</strong>
                    </Show>
                    <Show when={a.responseExcerpt} fallback={<Show when={!a.error}><span class="muted">{t().moderation.noResponse}</span></Show>}>
                      <code>{a.responseExcerpt}</code>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <details>
        <summary>{t().moderation.payload}</summary>
        <pre class="code" tabindex="0" aria-label={t().moderation.payload}>
          {JSON.stringify(props.delivery.payload, null, 2)}
        </pre>
      </details>
    </div>
  );
}

function EmailOutbox(): JSX.Element {
  const [page, setPage] = createSignal(1);
  const [list, { refetch }] = useApi(
    () => ({ page: page(), limit: 20 }),
    (query) => api<Page<EmailItem>>("/admin/emails", { query }),
  );
  const [open, setOpen] = createSignal<string | number | null>(null);
  const [detail] = useApi(
    () => open(),
    (id) => api<{ text?: string; html?: string; subject?: string }>(`/admin/emails/${encodeURIComponent(String(id))}`),
  );
  return (
    <section class="card" aria-labelledby="emails-h">
      <h2 id="emails-h">{t().moderation.emails}</h2>
      <Async resource={list} refetch={refetch}>
        {(data) => (
          <>
            <TableWrap label={t().moderation.emails}>
              <table class="data emails">
                <thead>
                  <tr>
                    <th scope="col">{t().moderation.kind}</th>
                    <th scope="col">{t().moderation.to}</th>
                    <th scope="col">{t().moderation.subject}</th>
                    <th scope="col">{t().moderation.status}</th>
                    <th scope="col">{t().moderation.date}</th>
                    <th scope="col">
                      <span class="sr-only">{t().actions}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={data.items} fallback={<tr><td colSpan={6}>{t().none}</td></tr>}>
                    {(m) => (
                      <tr>
                        <td>{t().emailKinds[m.kind] ?? m.kind}</td>
                        <td>{m.to}</td>
                        <td class="subject">{m.subject}</td>
                        <td>
                          <span class="pill" classList={{ ok: m.status === "sent", off: m.status === "failed" || m.status === "dead" }} title={m.lastError ?? undefined}>
                            {t().emailStatuses[m.status] ?? m.status}
                          </span>
                        </td>
                        <td>{formatDateTime(m.sentAt ?? m.createdAt)}</td>
                        <td>
                          <button type="button" onClick={() => setOpen(open() === m.id ? null : m.id)} aria-expanded={open() === m.id}>
                            {t().moderation.view}
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </TableWrap>
            <Show when={open() !== null && detail()}>
              {/* The text part only: rendering a mail's HTML inside the admin console is not worth the risk. */}
              <pre class="code" tabindex="0">{detail()?.text ?? ""}</pre>
            </Show>
            <Pager page={data.page} total={data.total} limit={data.limit} onPage={setPage} />
          </>
        )}
      </Async>
    </section>
  );
}

const deliveryStatus = (status: string) =>
  status === "pending" || status === "delivered" || status === "dead" ? t().moderation[status] : status;

function Pager(props: { page: number; total: number; limit: number; onPage: (p: number) => void }): JSX.Element {
  const pages = () => Math.max(1, Math.ceil(props.total / Math.max(1, props.limit)));
  return (
    <Show when={pages() > 1}>
      <nav class="pager" aria-label={t().mentors.page(props.page, pages())}>
        <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
          {t().mentors.previous}
        </button>
        <span>{t().mentors.page(props.page, pages())}</span>
        <button type="button" disabled={props.page >= pages()} onClick={() => props.onPage(props.page + 1)}>
          {t().mentors.next}
        </button>
      </nav>
    </Show>
  );
}
