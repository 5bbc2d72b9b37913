import { A, useNavigate } from "@solidjs/router";
import { m as mentorText } from "./mentor/i18n.ts";
import { createEffect, createSignal, type JSX, Show } from "solid-js";
import { ApiError, api } from "../lib/api.ts";
import { useScreen } from "../lib/focus.ts";
import { type Locale, locale, setLocale, t } from "../lib/i18n.ts";
import { loginNotice, offlineView, type Session, session, startSession } from "../lib/session.ts";

export function Login(): JSX.Element {
  const navigate = useNavigate();
  useScreen(() => t().login.title);
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  createEffect(() => {
    if (session() || offlineView()) navigate("/", { replace: true });
  });

  const notice = () => {
    const n = loginNotice();
    return n ? t().login[n] : null;
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      const data = await api<Session>("/auth/login", { method: "POST", json: { email: email().trim(), password: password() } });
      if (data.user?.role !== "admin") {
        setError(t().login.notAdmin);
        return;
      }
      startSession(data);
      navigate("/", { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError(t().login.locked(err.retryAfter ?? 900));
      else if (err instanceof ApiError && err.status === 0) setError(t().login.offline);
      else if (err instanceof ApiError && err.status === 401) setError(t().login.invalid);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <form class="card login-card" onSubmit={submit} aria-describedby="login-status">
        <div class="brand">
          <img src="/console/icons/icon-192.png" alt="" width="40" height="40" />
          <h1>{t().login.title}</h1>
        </div>
        <Show when={notice()}>
          <p class="notice" role="status">
            {notice()}
          </p>
        </Show>
        <label for="email">{t().login.email}</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="password">{t().login.password}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
        <p id="login-status" class="error-text" role="alert">
          {error() ?? ""}
        </p>
        <button type="submit" class="primary" aria-disabled={busy()}>
          {busy() ? t().login.busy : t().login.submit}
        </button>
        <A href="/sign-in">{mentorText().signIn.title} — {mentorText().signIn.send}</A>
        <label class="inline">
          <span>{t().language}</span>
          <select value={locale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
            <option value="fr">Français</option>
            <option value="en">English</option>
          </select>
        </label>
      </form>
    </main>
  );
}
