import type { ErasureReceipt } from "./service.ts";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "lucas.martin@lycee.fr" → "l***@lycee.fr": enough for the person to recognise, not for a bystander to read. */
export const maskAddress = (email: string) => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}***@${domain}`;
};

const copy = {
  fr: {
    subject: "Confirmez l'effacement de vos données Thotis",
    hello: (name: string) => `Bonjour ${name},`,
    body: "Vous avez demandé l'effacement de vos données personnelles (réservations, questions, e-mails, avis). Ouvrez ce lien pour confirmer ; il est valable 24 heures. Vos sessions à venir seront annulées et votre mentor prévenu.",
    ignore: "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : rien ne sera effacé.",
    action: "Confirmer l'effacement",
  },
  en: {
    subject: "Confirm the erasure of your Thotis data",
    hello: (name: string) => `Hello ${name},`,
    body: "You asked us to erase your personal data (bookings, questions, e-mails, ratings). Open this link to confirm; it is valid for 24 hours. Your upcoming sessions will be cancelled and your mentor told.",
    ignore: "If you did not ask for this, ignore this e-mail: nothing will be erased.",
    action: "Confirm the erasure",
  },
};

export function confirmationEmail(locale: "fr" | "en", name: string, link: string) {
  const c = copy[locale];
  return {
    subject: c.subject,
    text: `${c.hello(name)}\n\n${c.body}\n\n${link}\n\n${c.ignore}\n`,
    html:
      `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif;line-height:1.5">` +
      `<p>${escape(c.hello(name))}</p><p>${escape(c.body)}</p>` +
      `<p><a href="${escape(link)}" style="display:inline-block;padding:10px 16px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none">${escape(c.action)}</a></p>` +
      `<p style="color:#555">${escape(c.ignore)}</p></body></html>`,
  };
}

type PageState = { step: "confirm"; token: string } | { step: "invalid" } | { step: "done"; receipt: ErasureReceipt } | { step: "refused"; message: string };

/** A small bilingual page of its own (no script): confirming is a plain form POST. */
export function erasurePage(set: { headers: Record<string, unknown>; status?: unknown }, state: PageState): Response {
  let inner: string;
  let status = 200;
  if (state.step === "confirm") {
    inner =
      `<h1>Effacer mes données · Erase my data</h1>` +
      `<p>Cette action est définitive : vos réservations, questions, e-mails et avis seront anonymisés ou supprimés, vos sessions à venir annulées.</p>` +
      `<p lang="en">This cannot be undone: your bookings, questions, e-mails and ratings will be anonymised or deleted and your upcoming sessions cancelled.</p>` +
      `<form method="post" action="/privacy/erase"><input type="hidden" name="token" value="${escape(state.token)}">` +
      `<button type="submit">Confirmer l'effacement · Confirm erasure</button></form>`;
  } else if (state.step === "done") {
    const r = state.receipt;
    inner =
      `<h1>Données effacées · Data erased</h1>` +
      `<p>Vos données ont été effacées le ${escape(r.erasedAt.slice(0, 10))}. Sessions annulées : ${r.futureSessionsCancelled.length}. ` +
      `Réservations anonymisées : ${r.bookingsAnonymised}. E-mails supprimés : ${r.emailsDeleted}.</p>` +
      `<p lang="en">Your data was erased. Sessions cancelled: ${r.futureSessionsCancelled.length}; bookings anonymised: ${r.bookingsAnonymised}; e-mails deleted: ${r.emailsDeleted}.</p>`;
  } else if (state.step === "refused") {
    status = 409;
    inner = `<h1>Pas encore · Not yet</h1><p>${escape(state.message)}</p>`;
  } else {
    status = 400;
    inner = `<h1>Lien invalide · Invalid link</h1><p>Ce lien a expiré ou n'est pas valable. Demandez-en un nouveau depuis le lien de gestion de votre réservation.</p><p lang="en">This link has expired or is not valid. Ask for a new one from your booking's manage link.</p>`;
  }
  set.status = status;
  return new Response(
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Thotis</title>` +
      `<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.6rem 1rem;background:#b91c1c;color:#fff;border:0;border-radius:6px;cursor:pointer}</style></head>` +
      `<body><main>${inner}</main></body></html>`,
    {
      status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      },
    },
  );
}
