/**
 * The demo host page (/widget/demo): a page on one origin embedding the widget from another, the way the Thotis
 * site does, with the copy-paste snippet and a live log of the events the host receives. `?mentor=<profile id>` picks
 * the mentor shown; the page's picker (a plain GET form) sets it.
 */
export function demoPage(o: { widgetOrigin: string; studentProfileId: string; token: string; nonce: string; mentors?: { id: string; name: string }[] }): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const snippet = `<div data-thotis-student="${o.studentProfileId}" data-thotis-token="WIDGET_TOKEN" data-locale="fr"></div>\n<script src="${o.widgetOrigin}/widget/embed.js" async></script>`;
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thotis widget – démo</title>
<link rel="icon" href="/console/icons/icon-192.png">
<style nonce="${o.nonce}">
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:760px;padding:16px;color:#14161b}
pre{background:#f1f3f7;padding:12px;overflow:auto;font-size:13px}
pre:focus-visible,select:focus-visible,button:focus-visible{outline:3px solid #b45309;outline-offset:2px}
#log{font:13px monospace;background:#14161b;color:#e6e6e6;padding:12px;min-height:3em;white-space:pre-wrap;overflow-wrap:anywhere}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:12px 0}
.pick{display:flex;flex-direction:column;gap:4px;font-size:14px;max-width:100%}
select,button{font:inherit;padding:6px 10px;max-width:100%}
</style>
</head>
<body>
<main>
<h1>Widget de réservation Thotis – page de démonstration</h1>
<p>Cette page (origine <code id="host-origin"></code>) intègre le widget servi par <code>${esc(o.widgetOrigin)}</code>, une autre origine, comme le site Thotis.
Jeton <em>widget</em> de démonstration, créé par le serveur (mode embarqué). Intégration :</p>
<pre tabindex="0" aria-label="Code d'intégration">${esc(snippet)}</pre>
<form method="get" action="/widget/demo">
<div class="pick"><label for="mentor">Mentor affiché (paramètre <code>?mentor=</code>)</label>
<select id="mentor" name="mentor">${(o.mentors ?? []).map((m) => `<option value="${esc(m.id)}"${m.id === o.studentProfileId ? " selected" : ""}>${esc(m.name)}</option>`).join("")}</select></div>
<button type="submit">Afficher</button>
</form>
<div id="widget" data-thotis-student="${esc(o.studentProfileId)}" data-thotis-token="${esc(o.token)}"></div>
<h2>Événements reçus par la page hôte</h2>
<div id="log" role="log" aria-live="polite" aria-label="Événements reçus"></div>
</main>
<script nonce="${o.nonce}">
document.getElementById("host-origin").textContent = location.origin;
for (const type of ["widget.ready", "slots.loaded", "booking.submitted", "booking.complete", "booking.error"]) {
  document.addEventListener("thotis:" + type, (e) => {
    document.getElementById("log").textContent += type + " " + JSON.stringify(e.detail) + "\\n";
  });
}
</script>
<script src="${esc(o.widgetOrigin)}/widget/embed.js" async></script>
</body>
</html>`;
}
