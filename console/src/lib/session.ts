import { createSignal } from "solid-js";
import { online } from "./network.ts";

/**
 * The admin session. The JWT lives in sessionStorage (mirrored in a signal): it survives a reload of the tab, which
 * the offline mode needs, but not the closing of the tab, and other tabs or origins cannot read it. localStorage
 * would keep a 7-day admin credential on disk after the browser closes; a cookie would need CSRF protection the API
 * does not otherwise need. The token never goes into a URL.
 *
 * An installed console opened offline starts in a new window, without the tab's session. So that it still shows the
 * last data, localStorage keeps who signed in and until when (never the token): while offline and before that time,
 * the console shows the service worker's cached answers read-only ("offline view"); once online, it asks for a sign-in.
 */
export interface Session {
  token: string;
  expiresAt: string;
  user: { id: number | string; email: string; name: string; role: string };
  /** Mentors (signed in by an e-mailed link): the profile their token may change. */
  studentProfileId?: string;
}

const KEY = "thotis.console.session";
const LAST_KEY = "thotis.console.last-admin";

interface LastAdmin {
  email: string;
  name: string;
  expiresAt: string;
  /** Mentors: their role and profile id, so their own cached pages open offline too. */
  role?: string;
  studentProfileId?: string;
}

function loadLast(): LastAdmin | null {
  try {
    const last = JSON.parse(localStorage.getItem(LAST_KEY) ?? "null") as LastAdmin | null;
    return last && Date.parse(last.expiresAt) > Date.now() ? last : null;
  } catch {
    return null;
  }
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.token === "string" && s.token.length > 0 ? s : null;
  } catch {
    return null;
  }
}

const [session, setSessionSignal] = createSignal<Session | null>(load());
/** Why the admin is on the login page (expired, signed out…), shown there once. */
const [loginNotice, setLoginNotice] = createSignal<"expired" | "loggedOut" | "notAdmin" | null>(null);

export { session, loginNotice, setLoginNotice };

/** Offline, without this tab's session, but a session of this browser had not expired yet: show the cached data. */
export const offlineView = () => !session() && !online() && loadLast() !== null;
/** Who signed in last on this browser (no token), for the offline view. */
export const lastSignedIn = () => loadLast();


let expiryTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleExpiry(s: Session | null) {
  clearTimeout(expiryTimer);
  if (!s) return;
  const ms = Date.parse(s.expiresAt) - Date.now();
  if (!Number.isFinite(ms)) return;
  // setTimeout caps at ~24.8 days; a longer delay would fire at once.
  if (ms <= 0) endSession("expired");
  else expiryTimer = setTimeout(() => endSession("expired"), Math.min(ms, 2_000_000_000));
}
scheduleExpiry(session());

export function startSession(s: Session) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
  localStorage.setItem(
    LAST_KEY,
    JSON.stringify({ email: s.user.email, name: s.user.name, expiresAt: s.expiresAt, role: s.user.role, studentProfileId: s.studentProfileId } satisfies LastAdmin),
  );
  setLoginNotice(null);
  setSessionSignal(s);
  scheduleExpiry(s);
}

/** Forgets the token and the cached admin data (kept by the service worker for offline use). */
export function endSession(reason: "expired" | "loggedOut" | "notAdmin") {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(LAST_KEY);
  clearTimeout(expiryTimer);
  setLoginNotice(reason);
  setSessionSignal(null);
  if ("caches" in window) void caches.delete("console-api").catch(() => {});
}
