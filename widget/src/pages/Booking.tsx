import { createEffect, createResource, createSignal, Match, on, onCleanup, onMount, Show, Switch } from "solid-js";
import { api, ApiError, availabilityPath, codeOf, type Availability, type BookingResult, type Profile, type Slot } from "../api.ts";
import type { Bridge } from "../bridge.ts";
import { errorText, type Locale, type Texts } from "../i18n.ts";
import { createSlotHold } from "../holds.ts";
import { followSlots } from "../live.ts";
import { SlotPicker } from "../SlotPicker.tsx";
import { formatTime, formatWhen, icsFile } from "../time.ts";
import { counterAnnouncer, Field, focusOnShow, MentorHeader, newKey } from "../ui.tsx";

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The booking flow: pick a slot, give name and e-mail, see the confirmation. A booking is never lost or doubled. */
export function BookingPage(props: {
  profileId: string;
  token: string;
  t: Texts;
  locale: Locale;
  detectedZone: string;
  prefill: { name: string; email: string };
  bridge: Bridge;
  /** The visit's anonymous id, also the distinctId of its analytics events. */
  visitorId: string;
  track: (name: string, properties?: Record<string, unknown>) => void;
}) {
  const t = () => props.t;
  const [zone, setZone] = createSignal(props.detectedZone);
  const [step, setStep] = createSignal<"pick" | "form" | "done">("pick");
  const [slot, setSlot] = createSignal<Slot | null>(null);
  const [returning, setReturning] = createSignal(false);
  const [profile] = createResource(() => api<Profile>(`/students/${encodeURIComponent(props.profileId)}`, props.token));
  const [name, setName] = createSignal(props.prefill.name);
  const [email, setEmail] = createSignal(props.prefill.email);
  const [question, setQuestion] = createSignal("");
  const [touched, setTouched] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [alternatives, setAlternatives] = createSignal<Slot[] | null>(null);
  const [result, setResult] = createSignal<BookingResult | null>(null);
  // One key per booking attempt: a double click or a retry of the same attempt replays it instead of booking twice.
  let attemptKey = newKey();

  onMount(() => props.track("widget_opened"));
  // Issue 17: the chosen slot is held while the form is filled, and open widgets follow the mentor's slots live.
  const hold = createSlotHold(props);
  const [refresh, setRefresh] = createSignal(0);
  const reread = () => {
    setRefresh((n) => n + 1);
    const chosen = slot();
    // On the form: a slot taken meanwhile is said at once, with other slots, rather than on submit.
    if (step() === "form" && chosen && !busy() && hold.heldStart() !== chosen.start) void offerOthers(chosen, true);
  };
  onMount(() => onCleanup(followSlots([props.profileId], props.token, { onChange: reread, onOpen: reread })));
  createEffect(on(profile, (p) => p && props.track("profile_viewed")));

  const choose = (s: Slot, fromAlternatives = false) => {
    if (s.start !== slot()?.start) attemptKey = newKey();
    setSlot(s);
    setError(null);
    setAlternatives(null);
    setStep("form");
    props.track("slot_chosen", { start: s.start });
    // The alternatives (and the button just pressed) are gone: the focus moves to the new choice, not to <body>.
    if (fromAlternatives) queueMicrotask(() => document.getElementById("chosen")?.focus());
    void hold.take(s.start).then((outcome) => {
      if (outcome === "taken" && slot()?.start === s.start) void offerOthers(s, false);
    });
  };
  // The question counter is visible all the time but announced only at thresholds, not at every keystroke.
  const counter = counterAnnouncer(t);
  const onQuestion = (value: string) => {
    setQuestion(value);
    counter.update(value);
  };

  /** The chosen slot went to someone else: say so and offer the next free ones (only if it really is gone when `check`). */
  const offerOthers = async (chosen: Slot, check: boolean) => {
    const fresh = await api<Availability>(availabilityPath(props.profileId, zone(), undefined, props.visitorId), props.token).catch(() => null);
    if (check && (!fresh || fresh.slots.some((s) => s.start === chosen.start))) return;
    if (check) props.bridge.post("slot.taken", { studentProfileId: props.profileId, start: chosen.start });
    attemptKey = newKey();
    setError(t().taken);
    setAlternatives(fresh ? fresh.slots.filter((s) => s.start > chosen.start).slice(0, 3) : []);
  };

  const nameError = () => (touched() && !name().trim() ? t().required : undefined);
  const emailError = () => (touched() ? (!email().trim() ? t().required : !emailPattern.test(email().trim()) ? t().badEmail : undefined) : undefined);
  const questionError = () => ([...question()].length > 500 ? t().tooLong : undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setTouched(true);
    const chosen = slot();
    if (busy() || !chosen) return;
    if (nameError() || emailError() || questionError()) {
      (document.querySelector("[aria-invalid=true]") as HTMLElement | null)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    props.bridge.post("booking.submitted", { dateTime: chosen.start });
    try {
      const booked = await api<BookingResult>("/bookings", props.token, {
        method: "POST",
        headers: { "idempotency-key": attemptKey },
        json: {
          studentProfileId: props.profileId,
          dateTime: chosen.start,
          prospectiveStudent: { name: name().trim(), email: email().trim(), question: question().trim() || undefined, timeZone: zone(), locale: props.locale },
          visitorId: props.visitorId,
        },
      });
      setResult(booked);
      hold.booked();
      setStep("done");
      props.bridge.post("booking.complete", { bookingId: booked.bookingId, startTime: booked.booking.startTime, meetingUrl: booked.meetingUrl });
    } catch (e) {
      const code = codeOf(e);
      if (e instanceof ApiError && e.status === 409) {
        // Taken between loading and submitting: offer the next free slots; a new choice is a new attempt.
        attemptKey = newKey();
        setError(t().taken);
        const fresh = await api<Availability>(availabilityPath(props.profileId, zone()), props.token).catch(() => null);
        setAlternatives(fresh ? fresh.slots.filter((s) => s.start > chosen.start).slice(0, 3) : []);
      } else {
        setError(errorText(t(), code));
      }
      props.bridge.post("booking.error", { code, message: e instanceof ApiError && e.status === 409 ? t().taken : errorText(t(), code) });
    } finally {
      setBusy(false);
    }
  };

  const calendarHref = () => {
    const r = result();
    if (!r) return "";
    const ics = icsFile({ uid: `booking-${r.bookingId}`, start: r.booking.startTime, end: r.booking.endTime, title: `Thotis – ${profile()?.name ?? ""}`, url: r.meetingUrl });
    return `data:text/calendar;charset=utf-8,${encodeURIComponent(ics)}`;
  };

  return (
    <main class="card">
      <Show when={profile()} fallback={<Show when={profile.error} fallback={<p aria-live="polite">{t().loading}</p>}><p role="alert" class="error">{errorText(t(), codeOf(profile.error))}</p></Show>}>
        {(p) => <MentorHeader profile={p()} t={t()} />}
      </Show>
      <Switch>
        <Match when={step() === "pick"}>
          <SlotPicker
            profileId={props.profileId}
            token={props.token}
            t={t()}
            locale={props.locale}
            zone={zone()}
            detectedZone={props.detectedZone}
            onZone={setZone}
            onPick={choose}
            focusHeading={returning()}
            refresh={refresh()}
            visitorId={props.visitorId}
            onLoaded={(count) => {
              props.bridge.post("slots.loaded", { count });
              props.track("availability_viewed", { count });
            }}
          />
        </Match>
        <Match when={step() === "form"}>
          <form class="form" onSubmit={submit} noValidate aria-labelledby="form-title">
            <h2 id="form-title" tabindex="-1" ref={focusOnShow}>
              {t().yourDetails}
            </h2>
            <p class="chosen" id="chosen" tabindex="-1">
              <strong>{t().chosen(formatWhen(slot()!.start, zone(), props.locale))}</strong>{" "}
              <button
                type="button"
                class="link"
                onClick={() => {
                  hold.release();
                  setReturning(true);
                  setStep("pick");
                }}
              >
                {t().change}
              </button>
            </p>
            <Show when={error()}>
              <div role="alert" class="error">
                <p>{error()}</p>
                <Show when={alternatives()?.length}>
                  <ul class="slots">
                    {alternatives()!.map((s) => (
                      <li>
                        <button type="button" class="slot" onClick={() => choose(s, true)}>
                          {formatWhen(s.start, zone(), props.locale)}
                        </button>
                      </li>
                    ))}
                  </ul>
                </Show>
              </div>
            </Show>
            <Field id="name" label={t().name} error={nameError()}>
              {(a) => <input {...a} name="name" autocomplete="name" required value={name()} onInput={(e) => setName(e.currentTarget.value)} />}
            </Field>
            <Field id="email" label={t().email} error={emailError()}>
              {(a) => <input {...a} name="email" type="email" autocomplete="email" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />}
            </Field>
            <Field id="question" label={t().question} error={questionError()} hint={t().counter([...question()].length)} quietHint>
              {(a) => <textarea {...a} name="question" rows="3" maxLength={500} value={question()} onInput={(e) => onQuestion(e.currentTarget.value)} />}
            </Field>
            <p class="sr" role="status" data-testid="counter-status">
              {counter.note()}
            </p>
            <button type="submit" class="primary" aria-disabled={busy()} aria-busy={busy()}>
              {busy() ? t().submitting : t().submit}
            </button>
          </form>
        </Match>
        <Match when={step() === "done" && result()}>
          {(r) => (
            <section class="done" aria-labelledby="done-title">
              <h2 id="done-title" tabindex="-1" ref={focusOnShow}>
                {t().confirmed}
              </h2>
              <p>{t().confirmText(`${formatWhen(r().booking.startTime, zone(), props.locale)} – ${formatTime(r().booking.endTime, zone(), props.locale)}`)}</p>
              <p>
                {t().videoLink}{" "}
                <a href={r().meetingUrl} target="_blank" rel="noopener" data-testid="meeting-url">
                  {r().meetingUrl}
                </a>
              </p>
              <a class="button" href={calendarHref()} download={`thotis-${r().bookingId}.ics`}>
                {t().addToCalendar}
              </a>
            </section>
          )}
        </Match>
      </Switch>
    </main>
  );
}
