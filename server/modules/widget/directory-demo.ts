/**
 * The directory demo host page (/widget/demo/directory, issue 17): a page on one origin embedding the mentor directory
 * from another, with its snippet and a live log of the events the host receives. `book=event` shows the mode where
 * the host opens the booking itself.
 */
export function directoryDemoPage(o: { widgetOrigin: string; token: string; nonce: string; field: string; locale: "fr" | "en"; book: "widget" | "event" }): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const attrs = `data-field="${esc(o.field)}" data-page-size="4" data-locale="${o.locale}"${o.book === "event" ? ' data-book="event"' : ""}`;
  const snippet = `<div data-thotis-directory data-thotis-token="WIDGET_TOKEN" ${attrs}></div>\n<script src="${o.widgetOrigin}/widget/embed.js" async></script>`;
  return `<!doctype html>
<html lang="${o.locale}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thotis – ${o.locale === "en" ? "mentor directory demo" : "démo de l'annuaire des mentors"}</title>
<style nonce="${o.nonce}">
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1140px;padding:16px;color:#14161b}
pre{background:#f1f3f7;padding:12px;overflow:auto;font-size:13px}
#log{font:13px monospace;background:#14161b;color:#e6e6e6;padding:12px;min-height:3em;white-space:pre-wrap}
</style>
</head>
<body>
<h1>${o.locale === "en" ? "Thotis mentor directory – demo page" : "Annuaire des mentors Thotis – page de démonstration"}</h1>
<pre>${esc(snippet)}</pre>
<div id="directory" data-thotis-directory data-thotis-token="${esc(o.token)}" ${attrs}></div>
<h2>${o.locale === "en" ? "Events the host page received" : "Événements reçus par la page hôte"}</h2>
<div id="log" role="log" aria-live="polite"></div>
<script nonce="${o.nonce}">
for (const type of ["widget.ready", "mentor.selected", "slots.loaded", "slot.held", "slot.released", "slot.taken", "booking.submitted", "booking.complete", "booking.error"]) {
  document.addEventListener("thotis:" + type, (e) => {
    document.getElementById("log").textContent += type + " " + JSON.stringify(e.detail) + "\\n";
  });
}
</script>
<script src="${esc(o.widgetOrigin)}/widget/embed.js" async></script>
</body>
</html>`;
}
