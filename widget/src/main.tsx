import { lazy } from "solid-js";
import { render } from "solid-js/web";
import { claimsOf } from "./api.ts";
import { createBridge } from "./bridge.ts";
import { pickLocale, textsFor } from "./i18n.ts";
import { BookingPage } from "./pages/Booking.tsx";
import { accentVariables } from "./theme.ts";
import { detectedZone } from "./time.ts";
import "./styles.css";

// The e-mail pages load only when opened, so the booking flow's bundle stays small.
const ManagePage = lazy(() => import("./pages/Manage.tsx"));
const RatePage = lazy(() => import("./pages/Rate.tsx"));
// The mentor directory (issue 17) is its own chunk too: a booking-only page never downloads it.
const Directory = lazy(() => import("./directory/Directory.tsx"));

const query = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const locale = pickLocale(query.get("locale"));
const t = textsFor(locale);
const dark = query.get("theme") === "dark" || (!query.get("theme") && matchMedia("(prefers-color-scheme: dark)").matches);
const root = document.documentElement;
root.lang = locale;
root.dataset.theme = dark ? "dark" : "light";
for (const [name, value] of Object.entries(accentVariables(query.get("primaryColor"), dark))) root.style.setProperty(name, value);
document.title = locale === "en" ? "Thotis – book a chat" : "Thotis – réserver un échange";

const bridge = createBridge(query.get("parentOrigin"));
const zone = detectedZone();
const page = location.pathname.replace(/\/+$/, "").split("/").pop();
// Links in e-mails carry their token after the "#": never sent to a server, never in logs.
const hashToken = location.hash.slice(1);

function track(token: string, studentProfileId: string, distinctId: string) {
  // Events wait until the first slots are shown (or 3 s), so they never compete with the requests the visitor waits for.
  let release!: () => void;
  const afterFirstSlots = new Promise<void>((resolve) => (release = resolve));
  setTimeout(() => release(), 3000);
  return (name: string, properties?: Record<string, unknown>) => {
    if (name === "availability_viewed") release();
    // Fire and forget: analytics never slow down or break a booking.
    void afterFirstSlots.then(() => fetch("/api/v2/analytics/events", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name, studentProfileId, distinctId, properties }),
      keepalive: true,
    }).catch(() => {}));
  };
}

function sessionStorageId(): string {
  try {
    let id = sessionStorage.getItem("thotis-id");
    if (!id) sessionStorage.setItem("thotis-id", (id = crypto.getRandomValues(new Uint32Array(4)).join("-")));
    return id;
  } catch {
    return crypto.getRandomValues(new Uint32Array(4)).join("-");
  }
}

const app = document.getElementById("app")!;
if (page === "manage") {
  const bookingId = Number(claimsOf(hashToken)?.bookingId);
  render(() => <ManagePage token={hashToken} bookingId={bookingId} t={t} locale={locale} detectedZone={zone} />, app);
} else if (page === "rate") {
  const claims = claimsOf(hashToken);
  render(() => <RatePage token={hashToken} bookingId={Number(claims?.bookingId)} email={String(claims?.email ?? "")} t={t} />, app);
} else if (page === "directory") {
  const token = fragment.get("token") ?? "";
  const visitorId = sessionStorageId();
  render(
    () => (
      <Directory
        token={token}
        t={t}
        locale={locale}
        detectedZone={zone}
        bridge={bridge}
        visitorId={visitorId}
        options={{
          field: query.get("field"),
          university: query.get("university"),
          pageSize: Math.min(24, Math.max(1, Number(query.get("pageSize")) || 6)),
          book: query.get("book") === "event" ? "event" : "widget",
        }}
        track={(profileId) => track(token, profileId, visitorId)}
      />
    ),
    app,
  );
  bridge.post("widget.ready", { studentProfileId: "" });
  observeHeight();
} else {
  const profileId = query.get("studentProfileId") ?? "";
  const token = fragment.get("token") ?? "";
  // One id for the visit: on its analytics events and on the booking, so the admin funnel follows the visitor.
  const visitorId = sessionStorageId();
  render(
    () => (
      <BookingPage
        profileId={profileId}
        token={token}
        t={t}
        locale={locale}
        detectedZone={zone}
        prefill={{ name: query.get("name") ?? "", email: query.get("email") ?? "" }}
        bridge={bridge}
        visitorId={visitorId}
        track={track(token, profileId, visitorId)}
      />
    ),
    app,
  );
  bridge.post("widget.ready", { studentProfileId: profileId });
  observeHeight();
}

/** The host sizes the iframe to the content, so the widget never shows a scrollbar of its own. */
function observeHeight() {
  let last = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) bridge.post("widget.resize", { height: (last = height) });
  }).observe(document.body);
}
