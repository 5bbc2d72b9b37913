import { A, useNavigate, useSearchParams } from "@solidjs/router";
import { createSignal, type JSX, onMount } from "solid-js";
import { ApiError, api } from "../../lib/api.ts";
import { type Locale, locale, setLocale, t } from "../../lib/i18n.ts";
import { session, startSession } from "../../lib/session.ts";
import { m } from "./i18n.ts";

interface Verified {
  token: string;
  role: string;
  expiresAt: string;
  userId: number;
  studentProfileId?: string;
}
interface Me {
  user: { id: number; email: string; name: string; role: string } | null;
}

/** Where an e-mailed link lands (?token=...), and the form asking for one. */
export function SignIn(): JSX.Element {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [email, setEmail] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [message, setMessage] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const home = (role: string) => navigate(role === "mentor" ? "/me" : "/", { replace: true });

  onMount(async () => {
    const token = typeof params.token === "string" ? params.token : undefined;
    if (!token) {
      const s = session();
      if (s) home(s.user.role);
      return;
    }
    // The token leaves the address bar at once (history, screenshots, shoulder surfing).
    setParams({ token: undefined }, { replace: true });
    setBusy(true);
    setMessage(m().signIn.verifying);
    try {
      const v = await api<Verified>("/auth/magic-link/verify", { method: "POST", json: { token } });
      const me = await api<Me>("/auth/me", { headers: { authorization: `Bearer ${v.token}` } });
      startSession({
        token: v.token,
        expiresAt: v.expiresAt,
        user: me.user ?? { id: v.userId, email: "", name: "", role: v.role },
        ...(v.studentProfileId ? { studentProfileId: v.studentProfileId } : {}),
      });
      home(v.role);
    } catch (err) {
      setMessage(null);
      const code = err instanceof ApiError ? err.code : "";
      setError(
        code === "MAGIC_LINK_USED" ? m().signIn.used : code === "MAGIC_LINK_EXPIRED" ? m().signIn.expired : err instanceof ApiError && err.status === 0 ? m().signIn.offline : m().signIn.invalid,
      );
    } finally {
      setBusy(false);
    }
  });

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await api("/auth/magic-link", { method: "POST", json: { email: email().trim(), locale: locale() } });
      setMessage(m().signIn.sent);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError(m().signIn.throttled);
      else if (err instanceof ApiError && err.status === 0) setError(m().signIn.offline);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <form class="card login-card" onSubmit={submit}>
        <div class="brand">
          <img src="/console/icons/icon-192.png" alt="" width="40" height="40" />
          <h1>{m().signIn.title}</h1>
        </div>
        <p class="muted">{m().signIn.intro}</p>
        <p classList={{ notice: Boolean(message()) }} role="status" data-testid="sign-in-status">
          {message() ?? ""}
        </p>
        <label for="ml-email">{m().signIn.email}</label>
        <input id="ml-email" name="email" type="email" autocomplete="username" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
        <p class="error-text" role="alert" data-testid="sign-in-error">
          {error() ?? ""}
        </p>
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? m().signIn.sending : m().signIn.send}
        </button>
        <A href="/login">{m().signIn.admin}</A>
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
