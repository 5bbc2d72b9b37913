import { createSignal } from "solid-js";

/** The browser's idea of being online, as a signal. */
const [online, setOnline] = createSignal(navigator.onLine);
window.addEventListener("online", () => setOnline(true));
window.addEventListener("offline", () => setOnline(false));
export { online };
