import { isWidgetMessage, type WidgetMessage } from "./protocol.ts";

/**
 * The loader host pages include with a script tag. It creates the widget's iframe, sizes it to its content, and turns
 * the widget's messages into callbacks and DOM events (`thotis:<type>` on the container, bubbling). Only messages
 * from the widget's own origin AND from its own iframe are believed.
 */
export interface MountOptions {
  studentProfileId: string;
  /** Short-lived widget token minted by your backend (POST /api/v2/widget/token). */
  token: string;
  theme?: "light" | "dark";
  primaryColor?: string;
  locale?: "fr" | "en";
  prefillData?: { name?: string; email?: string };
  onBookingComplete?: (bookingId: number, details: { bookingId: number; startTime: string; meetingUrl: string }) => void;
  onError?: (error: Error & { code?: string }) => void;
  onReady?: () => void;
}

const script = document.currentScript as HTMLScriptElement | null;
// The widget lives where this script came from.
const widgetOrigin = new URL(script?.src || location.href).origin;

export function mount(element: HTMLElement, options: MountOptions) {
  const params = new URLSearchParams({ studentProfileId: options.studentProfileId, parentOrigin: location.origin });
  if (options.theme) params.set("theme", options.theme);
  if (options.primaryColor) params.set("primaryColor", options.primaryColor);
  if (options.locale) params.set("locale", options.locale);
  if (options.prefillData?.name) params.set("name", options.prefillData.name);
  if (options.prefillData?.email) params.set("email", options.prefillData.email);
  const title = options.locale === "en" ? "Book a session with a Thotis mentor" : "Réserver un échange avec un mentor Thotis";
  return attach(element, `/widget/?${params}`, options.token, title, options);
}

/** The mentor directory (issue 17): cards of a field's or university's mentors, each opening its booking form. */
export interface DirectoryOptions extends Omit<MountOptions, "studentProfileId" | "prefillData"> {
  field?: string;
  university?: string;
  pageSize?: number;
  /** "event": the book button only emits mentor.selected (onMentorSelected), the host opens the booking itself. */
  book?: "widget" | "event";
  onMentorSelected?: (studentProfileId: string) => void;
}

export function mountDirectory(element: HTMLElement, options: DirectoryOptions) {
  const params = new URLSearchParams({ parentOrigin: location.origin });
  for (const key of ["field", "university", "pageSize", "book", "theme", "primaryColor", "locale"] as const) {
    if (options[key]) params.set(key, String(options[key]));
  }
  return attach(element, `/widget/directory?${params}`, options.token, options.locale === "en" ? "Thotis mentors" : "Mentors Thotis", options);
}

function attach(element: HTMLElement, path: string, token: string, title: string, options: Omit<DirectoryOptions, "token">) {
  const iframe = document.createElement("iframe");
  // The token travels in the fragment, which never reaches a server log.
  iframe.src = `${widgetOrigin}${path}#token=${encodeURIComponent(token)}`;
  iframe.title = title;
  iframe.style.cssText = "width:100%;min-width:280px;border:0;height:480px;display:block;color-scheme:normal";
  iframe.setAttribute("allow", "clipboard-write");

  const onMessage = (event: MessageEvent) => {
    if (event.origin !== widgetOrigin || event.source !== iframe.contentWindow || !isWidgetMessage(event.data)) return;
    const message = event.data as WidgetMessage;
    const payload = message.payload as never as Record<string, unknown>;
    if (message.type === "widget.resize") iframe.style.height = `${Math.ceil(Number(payload.height) || 0)}px`;
    if (message.type === "widget.ready") options.onReady?.();
    if (message.type === "booking.complete") options.onBookingComplete?.(payload.bookingId as number, payload as never);
    if (message.type === "mentor.selected") options.onMentorSelected?.(payload.studentProfileId as string);
    if (message.type === "booking.error") {
      const error = Object.assign(new Error(String(payload.message)), { code: String(payload.code) });
      options.onError?.(error);
    }
    element.dispatchEvent(new CustomEvent(`thotis:${message.type}`, { detail: payload, bubbles: true }));
  };
  window.addEventListener("message", onMessage);
  element.appendChild(iframe);
  return {
    iframe,
    destroy() {
      window.removeEventListener("message", onMessage);
      iframe.remove();
    },
  };
}

/** `<div data-thotis-student="ID" data-thotis-token="JWT" data-theme data-locale data-primary-color data-name data-email>` */
function autoMount() {
  for (const el of document.querySelectorAll<HTMLElement>("[data-thotis-student]")) {
    if (el.dataset.thotisMounted) continue;
    el.dataset.thotisMounted = "1";
    const d = el.dataset;
    mount(el, {
      studentProfileId: d.thotisStudent!,
      token: d.thotisToken || "",
      theme: d.theme === "dark" ? "dark" : "light",
      primaryColor: d.primaryColor,
      locale: d.locale === "en" ? "en" : d.locale === "fr" ? "fr" : undefined,
      prefillData: { name: d.name, email: d.email },
    });
  }
  /** `<div data-thotis-directory data-thotis-token data-field data-university data-page-size data-book data-locale data-theme data-primary-color>` */
  for (const el of document.querySelectorAll<HTMLElement>("[data-thotis-directory]")) {
    if (el.dataset.thotisMounted) continue;
    el.dataset.thotisMounted = "1";
    const d = el.dataset;
    mountDirectory(el, {
      token: d.thotisToken || "",
      field: d.field,
      university: d.university,
      pageSize: Number(d.pageSize) || undefined,
      book: d.book === "event" ? "event" : "widget",
      theme: d.theme === "dark" ? "dark" : "light",
      primaryColor: d.primaryColor,
      locale: d.locale === "en" ? "en" : d.locale === "fr" ? "fr" : undefined,
    });
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
else autoMount();
