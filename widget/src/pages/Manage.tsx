import { createResource, createSignal, Match, Show, Switch } from "solid-js";
import { api, codeOf, type Booking, type BookingResult, type Slot } from "../api.ts";
import { errorText, type Locale, type Texts } from "../i18n.ts";
import { SlotPicker } from "../SlotPicker.tsx";
import { formatWhen } from "../time.ts";
import { Field, focusOnShow } from "../ui.tsx";
import MyData from "./MyData.tsx";

/** /widget/manage#<manage token>: the prospective student views, cancels or moves their booking. */
export default function ManagePage(props: { token: string; bookingId: number; t: Texts; locale: Locale; detectedZone: string }) {
  const t = () => props.t;
  const [booking, { mutate }] = createResource(() =>
    Number.isInteger(props.bookingId) && props.bookingId > 0 ? api<Booking>(`/bookings/${props.bookingId}`, props.token) : Promise.reject(new Error("BAD_LINK")),
  );
  const [mode, setMode] = createSignal<"view" | "cancel" | "reschedule" | "confirm">("view");
  const [zone, setZone] = createSignal(props.detectedZone);
  const [reason, setReason] = createSignal("");
  const [picked, setPicked] = createSignal<Slot | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const run = async (action: () => Promise<void>) => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(t(), codeOf(e)));
    } finally {
      setBusy(false);
    }
  };
  const cancel = (event: Event) => {
    event.preventDefault();
    if (!reason().trim()) return setError(t().required);
    void run(async () => {
      mutate(await api<Booking>(`/bookings/${props.bookingId}`, props.token, { method: "DELETE", json: { reason: reason().trim(), cancelledBy: "student" } }));
      setNotice(t().cancelled);
      setMode("view");
    });
  };
  const reschedule = () =>
    run(async () => {
      const moved = await api<BookingResult>(`/bookings/${props.bookingId}/reschedule`, props.token, { method: "PATCH", json: { dateTime: picked()!.start } });
      mutate(await api<Booking>(`/bookings/${moved.bookingId}`, props.token));
      setNotice(t().rescheduled(formatWhen(moved.booking.startTime, zone(), props.locale)));
      setMode("view");
    });

  return (
    <main class="card">
      <h1 tabindex="-1" ref={focusOnShow}>
        {t().manageTitle}
      </h1>
      <Show when={notice()}>
        <p role="status" class="notice">
          {notice()}
        </p>
      </Show>
      <Show when={error()}>
        <p role="alert" class="error">
          {error()}
        </p>
      </Show>
      <Show when={booking()} fallback={<Show when={booking.error} fallback={<p aria-live="polite">{t().loading}</p>}><p role="alert" class="error">{errorText(t(), booking.error instanceof Error && booking.error.message === "BAD_LINK" ? "BAD_LINK" : codeOf(booking.error))}</p></Show>}>
        {(b) => (
          <Switch>
            <Match when={mode() === "view"}>
              <p>
                <strong>{formatWhen(b().startTime, zone(), props.locale)}</strong> – {t().status[b().status]}
              </p>
              <Show when={b().status === "ACCEPTED"}>
                <p>
                  {t().videoLink}{" "}
                  <a href={b().meetingUrl} target="_blank" rel="noopener">
                    {b().meetingUrl}
                  </a>
                </p>
                <div class="actions">
                  <button type="button" class="primary" onClick={() => setMode("reschedule")}>
                    {t().reschedule}
                  </button>
                  <button type="button" onClick={() => setMode("cancel")}>
                    {t().cancel}
                  </button>
                </div>
              </Show>
            </Match>
            <Match when={mode() === "cancel"}>
              <form onSubmit={cancel} noValidate>
                <h2 tabindex="-1" ref={focusOnShow}>
                  {t().cancel}
                </h2>
                <Field id="reason" label={t().cancelReason}>
                  {(a) => <textarea {...a} rows="3" maxLength={500} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />}
                </Field>
                <div class="actions">
                  <button type="submit" class="primary" aria-disabled={busy()}>
                    {t().confirmCancel}
                  </button>
                  <button type="button" onClick={() => setMode("view")}>
                    {t().back}
                  </button>
                </div>
              </form>
            </Match>
            <Match when={mode() === "reschedule"}>
              <SlotPicker
                profileId={b().studentProfileId}
                token={props.token}
                t={t()}
                locale={props.locale}
                zone={zone()}
                detectedZone={props.detectedZone}
                onZone={setZone}
                rescheduleBookingId={b().id}
                focusHeading
                onPick={(s) => {
                  setPicked(s);
                  setMode("confirm");
                }}
              />
              <button type="button" onClick={() => setMode("view")}>
                {t().back}
              </button>
            </Match>
            <Match when={mode() === "confirm"}>
              <h2 tabindex="-1" ref={focusOnShow}>
                {formatWhen(picked()!.start, zone(), props.locale)}
              </h2>
              <div class="actions">
                <button type="button" class="primary" aria-disabled={busy()} onClick={reschedule}>
                  {t().confirmReschedule}
                </button>
                <button type="button" onClick={() => setMode("reschedule")}>
                  {t().back}
                </button>
              </div>
            </Match>
          </Switch>
        )}
      </Show>
      <Show when={booking() && mode() === "view"}>
        <MyData token={props.token} locale={props.locale} t={t()} />
      </Show>
    </main>
  );
}
