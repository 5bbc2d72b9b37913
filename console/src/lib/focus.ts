import { createEffect, createSignal, onCleanup, onMount } from "solid-js";

/**
 * Focus and announcements, the one rule every screen follows (WCAG 2.4.3, 4.1.3):
 * - a screen names itself (`useScreen`): the document title becomes "<screen> — Thotis" and, when the screen was
 *   reached by navigation (not on the first load), its <h1> takes the focus so keyboard and screen-reader users start
 *   at the new content instead of the top of the page;
 * - `announce` writes into the one polite live region the layout keeps for the whole session (updated, never
 *   re-created, so assistive technology reads each change); `announceError` into the assertive one;
 * - `guardFocus` is the safety net for re-renders: when the focused control leaves the document (a list re-rendered
 *   under it), focus goes to its replacement (same data-testid/id/name) or, failing that, the screen's heading,
 *   never to <body>.
 */

const [polite, setPolite] = createSignal("");
const [assertive, setAssertive] = createSignal("");
export { assertive, polite };

let toggle = false;
/** Polite announcement. The same text twice in a row is still read: a zero-width marker makes it differ. */
export function announce(text: string) {
  toggle = !toggle;
  setPolite(text ? `${text}${toggle ? "\u200b" : ""}` : "");
}
export function announceError(text: string) {
  setAssertive(text);
}

let firstScreen = true;

/** The screen's <h1>, focusable by script only (tabindex -1). Waits for it while the screen loads its data. */
export function focusHeading(timeoutMs = 5000) {
  const started = performance.now();
  const attempt = () => {
    const h1 = document.querySelector<HTMLElement>("main h1");
    if (h1) {
      if (!h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
      h1.focus({ preventScroll: false });
      return;
    }
    if (performance.now() - started < timeoutMs) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

/** Call once at the top of each screen: the title follows `title()` (language, loaded name), focus moves on arrival. */
export function useScreen(title: () => string) {
  createEffect(() => {
    document.title = `${title()} — Thotis`;
  });
  onMount(() => {
    const arrivedByNavigation = !firstScreen;
    firstScreen = false;
    setAssertive("");
    setPolite("");
    if (arrivedByNavigation) focusHeading();
  });
}

/** A key naming a control well enough to find its re-rendered twin. */
function focusKey(el: Element): string | null {
  const testId = el.getAttribute("data-testid");
  if (testId) {
    const row = el.closest("[data-id]");
    return `[data-testid="${CSS.escape(testId)}"]${row ? `|${row.getAttribute("data-id")}` : ""}`;
  }
  if (el.id) return `#${CSS.escape(el.id)}`;
  const name = el.getAttribute("name");
  if (name) return `${el.tagName.toLowerCase()}[name="${CSS.escape(name)}"]`;
  return null;
}

function findByKey(key: string): HTMLElement | null {
  const [selector, rowId] = key.split("|");
  const all = [...document.querySelectorAll<HTMLElement>(selector as string)];
  return (rowId === undefined ? all[0] : all.find((e) => e.closest("[data-id]")?.getAttribute("data-id") === rowId)) ?? null;
}

/** Installed once by the signed-in layout. */
export function guardFocus() {
  const onFocusOut = (e: FocusEvent) => {
    const lost = e.target as Element | null;
    if (!lost || e.relatedTarget) return;
    const key = focusKey(lost);
    // Let the re-render finish, then judge: still in the document, or focus went somewhere on purpose: leave it.
    requestAnimationFrame(() => {
      if (lost.isConnected || (document.activeElement && document.activeElement !== document.body)) return;
      const twin = key ? findByKey(key) : null;
      if (twin) twin.focus();
      else focusHeading(0);
    });
  };
  onMount(() => document.addEventListener("focusout", onFocusOut));
  onCleanup(() => document.removeEventListener("focusout", onFocusOut));
}
