import { createSignal, For, Show } from "solid-js";
import { api, codeOf } from "../api.ts";
import { errorText, type Texts } from "../i18n.ts";
import { counterAnnouncer, Field, focusOnShow } from "../ui.tsx";

/** /widget/rate#<rating token>: 1 to 5 stars and an optional comment, once per session. */
export default function RatePage(props: { token: string; bookingId: number; email: string; t: Texts }) {
  const t = () => props.t;
  const [rating, setRating] = createSignal(0);
  const [feedback, setFeedback] = createSignal("");
  const counter = counterAnnouncer(() => props.t);
  const [busy, setBusy] = createSignal(false);
  const [done, setDone] = createSignal(false);
  const [error, setError] = createSignal<string | null>(Number.isInteger(props.bookingId) && props.bookingId > 0 ? null : errorText(props.t, "BAD_LINK"));

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy() || done()) return;
    if (rating() < 1) return setError(t().chooseRating);
    setBusy(true);
    setError(null);
    try {
      await api(`/bookings/${props.bookingId}/rating`, props.token, {
        method: "POST",
        json: { rating: rating(), feedback: feedback().trim() || undefined, prospectiveEmail: props.email },
      });
      setDone(true);
    } catch (e) {
      setError(errorText(t(), codeOf(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="card">
      <Show
        when={!done()}
        fallback={
          <h1 tabindex="-1" ref={focusOnShow} role="status">
            {t().thanks}
          </h1>
        }
      >
        <form onSubmit={submit} noValidate>
          <h1 tabindex="-1" ref={focusOnShow}>
            {t().rateTitle}
          </h1>
          <Show when={error()}>
            <p role="alert" class="error">
              {error()}
            </p>
          </Show>
          <fieldset class="stars">
            <legend>{t().chooseRating}</legend>
            <For each={[1, 2, 3, 4, 5]}>
              {(n) => (
                <label classList={{ on: rating() >= n }}>
                  <input type="radio" name="rating" value={n} checked={rating() === n} onChange={() => setRating(n)} aria-label={t().stars(n)} />
                  <span aria-hidden="true">★</span>
                </label>
              )}
            </For>
          </fieldset>
          <Field id="feedback" label={t().feedback} hint={t().counter([...feedback()].length)} quietHint>
            {(a) => (
              <textarea
                {...a}
                rows="4"
                maxLength={500}
                value={feedback()}
                onInput={(e) => {
                  setFeedback(e.currentTarget.value);
                  counter.update(e.currentTarget.value);
                }}
              />
            )}
          </Field>
          <p class="sr" role="status" data-testid="counter-status">
            {counter.note()}
          </p>
          <button type="submit" class="primary" aria-disabled={busy()}>
            {t().sendRating}
          </button>
        </form>
      </Show>
    </main>
  );
}
