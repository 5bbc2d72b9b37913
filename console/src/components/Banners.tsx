import { type JSX, Show } from "solid-js";
import { useRegisterSW } from "virtual:pwa-register/solid";
import { online, staleSince } from "../lib/api.ts";
import { formatDateTime, t } from "../lib/i18n.ts";

/**
 * Offline banner ("offline, data from <time>") whenever the shown data came from the service worker's cache or the
 * browser is offline, and the update prompt when a new service worker (a new deployment) is waiting.
 */
export function Banners(): JSX.Element {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, reg) {
      // A console left open for days still learns about new deployments.
      if (reg) setInterval(() => void reg.update().catch(() => {}), 60 * 60_000);
    },
  });
  // workbox-window reloads by itself only when the page was already controlled at registration; on a first visit the
  // new worker's takeover is caught here.
  const applyUpdate = () => {
    navigator.serviceWorker?.addEventListener("controllerchange", () => window.location.reload(), { once: true });
    void updateServiceWorker(true);
  };
  return (
    <>
      <Show when={staleSince() || !online()}>
        <div class="banner offline" role="status" data-testid="offline-banner">
          {staleSince() ? t().offline(formatDateTime(staleSince())) : t().offlineNow}
        </div>
      </Show>
      <Show when={needRefresh()}>
        <div class="toast" role="alertdialog" aria-live="polite" aria-labelledby="update-text" data-testid="update-toast">
          <p id="update-text">{t().update.available}</p>
          <button type="button" class="primary" onClick={applyUpdate}>
            {t().update.reload}
          </button>
          <button type="button" onClick={() => setNeedRefresh(false)}>
            {t().update.later}
          </button>
        </div>
      </Show>
    </>
  );
}
