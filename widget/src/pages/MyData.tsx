import { createSignal, Show } from "solid-js";
import { api, codeOf } from "../api.ts";
import { errorText, type Locale, type Texts } from "../i18n.ts";

/** This section's own strings (kept beside it so the shared i18n table stays untouched). */
const copy = {
  fr: {
    title: "Vos données",
    intro: "Téléchargez tout ce que Thotis conserve sur vous, ou demandez son effacement.",
    download: "Télécharger mes données",
    erase: "Effacer mes données",
    eraseWarning: "L'effacement est définitif : vos réservations seront anonymisées et vos sessions à venir annulées. Nous vous envoyons un lien de confirmation par e-mail.",
    sendLink: "M'envoyer le lien de confirmation",
    sent: (to: string) => `C'est envoyé : ouvrez le lien reçu à ${to} (valable 24 heures) pour confirmer l'effacement.`,
    downloaded: (name: string) => `Fichier ${name} téléchargé.`,
  },
  en: {
    title: "Your data",
    intro: "Download everything Thotis holds about you, or ask for it to be erased.",
    download: "Download my data",
    erase: "Erase my data",
    eraseWarning: "Erasure cannot be undone: your bookings will be anonymised and your upcoming sessions cancelled. We will e-mail you a confirmation link.",
    sendLink: "Send me the confirmation link",
    sent: (to: string) => `Sent: open the link we e-mailed to ${to} (valid 24 hours) to confirm the erasure.`,
    downloaded: (name: string) => `File ${name} downloaded.`,
  },
};

/** GDPR self-service on the manage page: the booking's manage token opens the person's own data. */
export default function MyData(props: { token: string; locale: Locale; t: Texts }) {
  const c = () => copy[props.locale];
  const [asking, setAsking] = createSignal(false);
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  // The section's two live regions exist from the first paint and are only updated (a region created together with
  // its text is often not read); the visible messages below carry no role, so nothing is read twice.
  const [polite, setPolite] = createSignal("");
  const [assertive, setAssertive] = createSignal("");
  const fail = (text: string) => {
    setError(text);
    setAssertive(text);
  };
  // The buttons that come and go with the erasure question: the focus moves to what replaced the pressed one.
  let downloadButton: HTMLButtonElement | undefined;
  let eraseButton: HTMLButtonElement | undefined;
  let sendButton: HTMLButtonElement | undefined;
  const focusSoon = (target: () => HTMLElement | undefined) => queueMicrotask(() => target()?.focus());
  const ask = (yes: boolean) => {
    setError(null);
    setAssertive("");
    setAsking(yes);
    focusSoon(() => (yes ? sendButton : eraseButton?.isConnected ? eraseButton : downloadButton));
  };

  const download = async () => {
    setError(null);
    setAssertive("");
    setPolite("");
    try {
      const res = await fetch("/api/v2/privacy/me?download=true", { headers: { authorization: `Bearer ${props.token}` } });
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "thotis-my-data.json";
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setPolite(c().downloaded(name));
    } catch {
      fail(errorText(props.t, "INTERNAL_ERROR"));
    }
  };
  const requestErasure = async () => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    setAssertive("");
    try {
      const r = await api<{ sentTo: string }>("/privacy/me/erasure", props.token, { method: "POST" });
      setSentTo(r.sentTo);
      setAsking(false);
      setPolite(c().sent(r.sentTo));
      // The question and its buttons are gone: the focus goes back to the section's remaining action.
      focusSoon(() => downloadButton);
    } catch (e) {
      fail(errorText(props.t, codeOf(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="my-data" aria-labelledby="my-data-title">
      <h2 id="my-data-title">{c().title}</h2>
      <p>{c().intro}</p>
      <Show when={error()}>
        <p class="error" data-testid="my-data-error">
          {error()}
        </p>
      </Show>
      <Show when={sentTo()}>
        <p class="notice" data-testid="my-data-sent">
          {c().sent(sentTo()!)}
        </p>
      </Show>
      <p class="sr" role="status" aria-atomic="true" data-testid="my-data-polite">
        {polite()}
      </p>
      <p class="sr" role="alert" aria-atomic="true" data-testid="my-data-assertive">
        {assertive()}
      </p>
      <Show
        when={asking()}
        fallback={
          <div class="actions">
            <button type="button" ref={downloadButton} onClick={download} data-testid="my-data-download">
              {c().download}
            </button>
            <Show when={!sentTo()}>
              <button type="button" ref={eraseButton} onClick={() => ask(true)} data-testid="my-data-erase">
                {c().erase}
              </button>
            </Show>
          </div>
        }
      >
        <p>{c().eraseWarning}</p>
        <div class="actions">
          <button type="button" class="primary" ref={sendButton} aria-disabled={busy()} onClick={requestErasure} data-testid="my-data-send">
            {c().sendLink}
          </button>
          <button type="button" onClick={() => ask(false)} data-testid="my-data-back">
            {props.t.back}
          </button>
        </div>
      </Show>
    </section>
  );
}
