import { createResource, createSignal, For, type JSX, Show } from "solid-js";
import { Async } from "../../components/Async.tsx";
import { formatDateTime } from "../../lib/i18n.ts";
import { api, getSchedule, getSessions, getSlots, myProfileId, type SessionItem } from "./api.ts";
import { m } from "./i18n.ts";

/** Cancelling or moving closes 2 hours before the start (the API answers CANCELLATION_TOO_LATE after). */
const NOTICE_MS = 2 * 3_600_000;

function SessionCard(props: { s: SessionItem; upcoming: boolean; zone: string; onChanged: (message: string) => void }): JSX.Element {
  const [mode, setMode] = createSignal<"none" | "cancel" | "move">("none");
  const [reason, setReason] = createSignal("");
  const [slot, setSlot] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const tooLate = () => new Date(props.s.startTime).getTime() - Date.now() < NOTICE_MS;
  const [alternatives] = createResource(
    () => (mode() === "move" ? props.s.id : false),
    (bookingId) => getSlots(props.zone, 30, bookingId),
  );
  const act = async () => {
    setBusy(true);
    setError(null);
    try {
      if (mode() === "cancel") {
        await api(`/bookings/${props.s.id}`, { method: "DELETE", json: { reason: reason().trim(), cancelledBy: "mentor" } });
        props.onChanged(m().sessions.cancelled);
      } else {
        await api(`/bookings/${props.s.id}/reschedule`, { method: "PATCH", json: { dateTime: slot() } });
        props.onChanged(m().sessions.moved);
      }
      setMode("none");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-testid="session">
      <strong>{formatDateTime(props.s.startTime)}</strong> — {props.s.prospectiveName} <span class="pill">{m().sessions.status[props.s.status] ?? props.s.status}</span>
      <Show when={props.s.question}>
        <p>
          {m().sessions.question} {props.s.question}
        </p>
      </Show>
      <Show when={props.upcoming}>
        <p>
          <a href={props.s.meetingUrl} target="_blank" rel="noopener noreferrer">
            {m().sessions.join}
          </a>
        </p>
        <Show when={!tooLate()} fallback={<p class="muted">{m().sessions.tooLate}</p>}>
          <Show when={mode() === "none"}>
            <button type="button" onClick={() => setMode("cancel")}>
              {m().sessions.cancel}
            </button>{" "}
            <button type="button" onClick={() => setMode("move")}>
              {m().sessions.reschedule}
            </button>
          </Show>
          <Show when={mode() !== "none"}>
            <form
              class="form"
              onSubmit={(e) => {
                e.preventDefault();
                void act();
              }}
            >
              <Show when={mode() === "cancel"}>
                <label for={`reason-${props.s.id}`}>{m().sessions.reason}</label>
                <textarea id={`reason-${props.s.id}`} required maxLength={500} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
              </Show>
              <Show when={mode() === "move"}>
                <label for={`slot-${props.s.id}`}>{m().sessions.newSlot}</label>
                <select id={`slot-${props.s.id}`} required value={slot()} onChange={(e) => setSlot(e.currentTarget.value)}>
                  <option value="">—</option>
                  <For each={(alternatives()?.slots ?? []).filter((x) => x.available)}>
                    {(x) => <option value={x.start}>{x.localStart.replace("T", " ")}</option>}
                  </For>
                </select>
              </Show>
              <p class="error-text" role="alert">
                {error() ?? ""}
              </p>
              <button type="submit" class="primary" disabled={busy()}>
                {mode() === "cancel" ? m().sessions.confirmCancel : m().sessions.confirmMove}
              </button>{" "}
              <button type="button" onClick={() => setMode("none")}>
                {m().sessions.back}
              </button>
            </form>
          </Show>
        </Show>
      </Show>
    </li>
  );
}

export function MentorSessions(): JSX.Element {
  const id = () => myProfileId() || false;
  const [upcoming, { refetch: refetchUpcoming }] = createResource(id, () => getSessions("upcoming"));
  const [past, { refetch: refetchPast }] = createResource(id, () => getSessions("past"));
  const [schedule] = createResource(id, getSchedule);
  const [status, setStatus] = createSignal<string | null>(null);
  const changed = (message: string) => {
    setStatus(message);
    void refetchUpcoming();
    void refetchPast();
  };
  const zone = () => schedule()?.timeZone ?? "Europe/Paris";
  return (
    <div class="page">
      <h1>{m().sessions.title}</h1>
      <p role="status" class="muted" data-testid="sessions-status">
        {status() ?? ""}
      </p>
      <div class="grid-2">
        <section class="card" aria-labelledby="upcoming-title" data-testid="upcoming">
          <h2 id="upcoming-title">{m().sessions.upcoming}</h2>
          <Async resource={upcoming}>
            {(r) => (
              <ul class="list">
                <For each={r.items} fallback={<li class="muted">{m().sessions.none}</li>}>
                  {(s) => <SessionCard s={s} upcoming zone={zone()} onChanged={changed} />}
                </For>
              </ul>
            )}
          </Async>
        </section>
        <section class="card" aria-labelledby="past-title" data-testid="past">
          <h2 id="past-title">{m().sessions.past}</h2>
          <Async resource={past}>
            {(r) => (
              <ul class="list">
                <For each={r.items} fallback={<li class="muted">{m().sessions.none}</li>}>
                  {(s) => <SessionCard s={s} upcoming={false} zone={zone()} onChanged={changed} />}
                </For>
              </ul>
            )}
          </Async>
        </section>
      </div>
    </div>
  );
}
