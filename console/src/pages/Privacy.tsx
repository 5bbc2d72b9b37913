import { batch, createEffect, createSignal, For, type JSX, on, Show } from "solid-js";
import { Async, useApi } from "../components/Async.tsx";
import { ApiError, api, rawRequest, withQuery } from "../lib/api.ts";
import { announce, announceError, useScreen } from "../lib/focus.ts";
import { formatDateTime, formatNumber, locale, t } from "../lib/i18n.ts";
import { saveFile } from "../lib/save-file.ts";

interface SubjectExport {
  email: string;
  bookings: { id: number; startTime: string; status: string; name: string; mentorProfileId: string }[];
  ratings: unknown[];
  emails: unknown[];
  analyticsEvents: unknown[];
  webhookDeliveries: unknown[];
  queuedJobs: unknown[];
  account: { id: number; role: string } | null;
}
interface Receipt {
  futureSessionsCancelled: number[];
  bookingsAnonymised: number;
  ratingsAnonymised: number;
  emailsDeleted: number;
  analyticsEventsAnonymised: number;
  webhookDeliveriesScrubbed: number;
  jobsDeleted: number;
}
interface AuditItem {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
}
interface AuditPage {
  items: AuditItem[];
  total: number;
  page: number;
  limit: number;
}

const messageOf = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

/** What this screen says through the live regions (kept beside it so the shared i18n table stays untouched). */
const spoken = {
  fr: {
    found: (email: string, parts: string) => `${email} : ${parts}.`,
    nothing: (email: string) => `Rien n'est conservé sur ${email}.`,
    exported: (name: string) => `Fichier ${name} téléchargé.`,
    exportFailed: (status: number) => `Le téléchargement a échoué (HTTP ${status}).`,
    auditPage: (rows: number, page: string) => `Journal d'audit : ${rows} entrée(s), ${page}.`,
  },
  en: {
    found: (email: string, parts: string) => `${email}: ${parts}.`,
    nothing: (email: string) => `Nothing is held about ${email}.`,
    exported: (name: string) => `File ${name} downloaded.`,
    exportFailed: (status: number) => `The download failed (HTTP ${status}).`,
    auditPage: (rows: number, page: string) => `Audit log: ${rows} entries, ${page}.`,
  },
};
const say = () => spoken[locale()];
/**
 * Focus a control of this screen once Solid has rendered the change (a microtask: before the layout's focus guard
 * looks, a frame later, for a focus lost with a removed button and would send it to the heading).
 */
const focusLater = (selector: string, fallback?: string) =>
  queueMicrotask(() => {
    const el = document.querySelector<HTMLElement>(selector) ?? (fallback ? document.querySelector<HTMLElement>(fallback) : null);
    el?.focus();
  });

/** GDPR requests: find everything held about an address, hand it over as a file, erase it; and the audit log. */
export function Privacy(): JSX.Element {
  const [email, setEmail] = createSignal("");
  const [found, setFound] = createSignal<SubjectExport | null>(null);
  const [receipt, setReceipt] = createSignal<Receipt | null>(null);
  const [error, setError] = createSignal("");
  const [confirming, setConfirming] = createSignal(false);
  const [reason, setReason] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [auditVersion, setAuditVersion] = createSignal(0);
  useScreen(() => t().privacy.title);

  const fail = (message: string) => {
    setError(message);
    announceError(message);
  };

  const search = async (e: Event) => {
    e.preventDefault();
    setError("");
    setReceipt(null);
    setConfirming(false);
    announceError("");
    try {
      const d = await api<SubjectExport>("/admin/privacy/subjects", { query: { email: email().trim() } });
      setFound(d);
      // The result appears below the form; the focus stays on the search button and the counts are read out.
      const parts = counts(d).filter(([, n]) => n > 0);
      announce(parts.length ? say().found(d.email, parts.map(([label, n]) => `${label} ${formatNumber(n)}`).join(", ")) : say().nothing(d.email));
    } catch (err) {
      setFound(null);
      fail(messageOf(err));
    }
    setAuditVersion(auditVersion() + 1);
  };
  const download = async () => {
    setError("");
    const res = await rawRequest(withQuery("/admin/privacy/subjects", { email: found()!.email, download: true }));
    if (!res.ok) return fail(say().exportFailed(res.status));
    const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "personal-data.json";
    saveFile(await res.blob(), name);
    announce(say().exported(name));
    setAuditVersion(auditVersion() + 1);
  };
  const erase = async (e: Event) => {
    e.preventDefault();
    if (busy()) return;
    if (reason().trim().length < 3) {
      fail(t().privacy.reasonRequired);
      document.querySelector<HTMLInputElement>('[data-testid="privacy-confirm"] input[name="reason"]')?.focus();
      return;
    }
    setBusy(true);
    setError("");
    try {
      const subject = found()!.email;
      const r = await api<Receipt>(withQuery("/admin/privacy/subjects", { email: subject }), { method: "DELETE", json: { reason: reason().trim() } });
      // What is held now, read before anything is shown: the receipt never stands beside the erased data. If that read
      // fails, the erasure still happened: the receipt is shown alone.
      const after = await api<SubjectExport>("/admin/privacy/subjects", { query: { email: subject } }).catch(() => null);
      batch(() => {
        setReceipt(r);
        setConfirming(false);
        setReason("");
        setFound(after);
      });
      // The confirmation form is gone with its button: the focus returns to the result's first action, the receipt is read.
      focusLater('[data-testid="privacy-download"]', 'input[name="email"]');
      announce(t().privacy.erased(r.bookingsAnonymised, r.emailsDeleted, r.futureSessionsCancelled.length));
    } catch (err) {
      fail(messageOf(err));
    } finally {
      setBusy(false);
      setAuditVersion(auditVersion() + 1);
    }
  };

  const openConfirm = () => {
    setError("");
    setConfirming(true);
    focusLater('[data-testid="privacy-confirm"] input[name="reason"]');
  };
  const cancelConfirm = () => {
    setError("");
    announceError("");
    setConfirming(false);
    focusLater('[data-testid="privacy-erase"]', '[data-testid="privacy-download"]');
  };

  const counts = (d: SubjectExport) => [
    [t().privacy.bookings, d.bookings.length],
    [t().privacy.emails, d.emails.length],
    [t().privacy.ratings, d.ratings.length],
    [t().privacy.analytics, d.analyticsEvents.length],
    [t().privacy.webhooks, d.webhookDeliveries.length],
    [t().privacy.jobs, d.queuedJobs.length],
  ] as const;

  return (
    <div class="page">
      <h1>{t().privacy.title}</h1>
      <section class="card page" aria-labelledby="privacy-search-h">
        <h2 id="privacy-search-h">{t().privacy.searchTitle}</h2>
        <p class="muted">{t().privacy.searchHelp}</p>
        <form class="filters" onSubmit={search} data-testid="privacy-search">
          <label>
            <span>{t().privacy.email}</span>
            <input type="email" name="email" size={34} required autocomplete="off" value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <button type="submit">{t().privacy.search}</button>
        </form>
        {/* Shown for the eye; assistive technology hears it once, through the layout's live regions. */}
        <Show when={error() && !confirming()}>
          <p class="notice error" data-testid="privacy-error">
            {error()}
          </p>
        </Show>
        <Show when={receipt()}>
          {(r) => (
            <p class="notice" data-testid="privacy-receipt">
              {t().privacy.erased(r().bookingsAnonymised, r().emailsDeleted, r().futureSessionsCancelled.length)}
            </p>
          )}
        </Show>
      </section>

      <Show when={found()}>
        {(d) => (
          <section class="card page" aria-labelledby="privacy-result-h" data-testid="privacy-result">
            <h2 id="privacy-result-h">
              {t().privacy.heldAbout(d().email)}
            </h2>
            <Show when={d().account}>
              <p class="notice">{t().privacy.isAccount}</p>
            </Show>
            <div class="cards" data-testid="privacy-counts">
              <For each={counts(d())}>
                {([label, n]) => (
                  <div class="card stat">
                    <span class="stat-label">{label}</span>
                    <span class="stat-value">{formatNumber(n)}</span>
                  </div>
                )}
              </For>
            </div>
            <Show when={d().bookings.length > 0}>
              <div class="table-wrap" tabindex="0" role="region" aria-label={t().privacy.bookings}>
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{t().privacy.when}</th>
                      <th scope="col">{t().privacy.status}</th>
                      <th scope="col">{t().privacy.name}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={d().bookings}>
                      {(b) => (
                        <tr>
                          <td class="num">{b.id}</td>
                          <td>{formatDateTime(b.startTime)}</td>
                          <td>{b.status}</td>
                          <td>{b.name}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
            <div class="row">
              <button type="button" onClick={() => void download()} data-testid="privacy-download">
                {t().privacy.download}
              </button>
              <Show when={!confirming() && !d().account && counts(d()).some(([, n]) => n > 0)}>
                <button type="button" class="danger" onClick={openConfirm} data-testid="privacy-erase">
                  {t().privacy.erase}
                </button>
              </Show>
            </div>
            <Show when={confirming()}>
              <form class="card page" onSubmit={erase} noValidate aria-labelledby="privacy-confirm-h" data-testid="privacy-confirm">
                <h3 id="privacy-confirm-h">{t().privacy.confirmTitle}</h3>
                <p>{t().privacy.confirmText}</p>
                <Show when={error()}>
                  <p class="notice error" id="privacy-reason-error" data-testid="privacy-error">
                    {error()}
                  </p>
                </Show>
                <div class="filters">
                  <label>
                    <span>{t().privacy.reason}</span>
                    <input
                      type="text"
                      name="reason"
                      size={40}
                     
                      required
                      minLength={3}
                      maxLength={500}
                      aria-invalid={error() ? true : undefined}
                      aria-describedby={error() ? "privacy-reason-error" : undefined}
                      value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
                  </label>
                  <button type="submit" class="danger" aria-disabled={busy()}>
                    {t().privacy.confirmErase}
                  </button>
                  <button type="button" onClick={cancelConfirm} data-testid="privacy-cancel">
                    {t().close}
                  </button>
                </div>
              </form>
            </Show>
          </section>
        )}
      </Show>

      <AuditLog version={auditVersion()} />
    </div>
  );
}

function AuditLog(props: { version: number }): JSX.Element {
  const [page, setPage] = createSignal(1);
  const [action, setAction] = createSignal("");
  const [list, { refetch }] = useApi(
    () => ({ page: page(), limit: 20, action: action(), v: props.version }),
    ({ v: _v, ...query }) => api<AuditPage>("/admin/audit", { query }),
  );
  const pages = (d: AuditPage) => Math.max(1, Math.ceil(d.total / d.limit));
  // A page or a filter the user chose is announced once its rows are in; the log's own refresh after a search is not.
  let chosen = false;
  createEffect(
    on(
      () => (list.loading || list.error ? null : list.latest),
      (d) => {
        if (!d || !chosen) return;
        chosen = false;
        announce(say().auditPage(d.total, t().mentors.page(d.page, pages(d))));
      },
    ),
  );
  const goTo = (n: number, d: AuditPage) => {
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus to <body> on the first or last page.
    if (n < 1 || n > pages(d) || list.loading) return;
    chosen = true;
    setPage(n);
  };
  return (
    <section class="card page" aria-labelledby="audit-h">
      <h2 id="audit-h">{t().privacy.auditTitle}</h2>
      <p class="muted">{t().privacy.auditHelp}</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t().privacy.action}</span>
          <select name="action" value={action()} onChange={(e) => ((chosen = true), setPage(1), setAction(e.currentTarget.value))} data-testid="audit-action">
            <option value="">{t().filters.any}</option>
            <For each={["privacy.export", "privacy.erase", "privacy.erase-requested", "privacy.retention", "csv.export", "email.list", "email.read", "rating.moderate", "webhook.delivery.read", "token.exchange", "auth.login"]}>
              {(a) => <option value={a}>{a}</option>}
            </For>
          </select>
        </label>
      </form>
      <Async resource={list} refetch={refetch}>
        {(d) => (
          <>
            {/* Not the section's own name: two regions both called "Audit log" could not be told apart. */}
            <div class="table-wrap" tabindex="0" role="region" aria-label={t().a11y.tableOf(t().privacy.auditTitle)}>
              <table class="data" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">{t().privacy.when}</th>
                    <th scope="col">{t().privacy.who}</th>
                    <th scope="col">{t().privacy.action}</th>
                    <th scope="col">{t().privacy.target}</th>
                    <th scope="col">{t().privacy.from}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={d.items} fallback={<tr><td colSpan={5}>{t().none}</td></tr>}>
                    {(e) => (
                      <tr data-testid="audit-row">
                        <td>{formatDateTime(e.at)}</td>
                        <td>{e.actor}</td>
                        <td>
                          <code>{e.action}</code>
                        </td>
                        <td>{e.target ?? "—"}</td>
                        <td>{e.ip ?? "—"}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <Show when={pages(d) > 1}>
              <nav class="pager" aria-label={t().mentors.page(d.page, pages(d))}>
                <button type="button" aria-disabled={d.page <= 1} onClick={() => goTo(d.page - 1, d)} data-testid="audit-previous">
                  {t().mentors.previous}
                </button>
                <span>{t().mentors.page(d.page, pages(d))}</span>
                <button type="button" aria-disabled={d.page >= pages(d)} onClick={() => goTo(d.page + 1, d)} data-testid="audit-next">
                  {t().mentors.next}
                </button>
              </nav>
            </Show>
          </>
        )}
      </Async>
    </section>
  );
}
