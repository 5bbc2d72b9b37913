/**
 * One message model, two renderings: inline-styled HTML (tables, 600 px wide, the Thotis header) and plain text
 * carrying the same facts. Every string of the model is escaped here, once.
 */
import { brand } from "./brand.ts";
import { escapeHtml as esc, type Locale, safeUrl } from "./format.ts";

export interface Row {
  label: string;
  value: string;
  /** Shown struck through (a time that no longer holds). */
  struck?: boolean;
  /** The value is a link. */
  href?: string;
}

export interface Message {
  locale: Locale;
  subject: string;
  greeting: string;
  heading: string;
  paragraphs: string[];
  rows: Row[];
  button?: { label: string; url: string };
  /** A sentence followed by a link (manage the booking). */
  aside?: { text: string; label: string; url: string };
  notes: string[];
  footer: string;
}

const text = "#1F2933";
const muted = "#52606D";

export function renderHtml(m: Message, publicUrl: string): string {
  const logo = `${publicUrl}${brand.logoPath}`;
  const rows = m.rows
    .map((r) => {
      const href = safeUrl(r.href);
      let value = esc(r.value);
      if (href) value = `<a href="${esc(href)}" style="color:${brand.secondary};word-break:break-all;">${value}</a>`;
      if (r.struck) value = `<s style="color:${muted};">${value}</s>`;
      return (
        `<tr><td style="padding:6px 12px 6px 0;color:${muted};font-size:14px;vertical-align:top;white-space:nowrap;">${esc(r.label)}</td>` +
        `<td style="padding:6px 0;font-size:14px;font-weight:600;color:${text};white-space:pre-line;">${value}</td></tr>`
      );
    })
    .join("");
  const buttonUrl = safeUrl(m.button?.url);
  const button =
    m.button && buttonUrl
      ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:24px 0;"><tr><td style="background:${brand.primary};border-radius:6px;">` +
        `<a href="${esc(buttonUrl)}" style="display:inline-block;padding:12px 24px;font-family:${brand.fontFamily};font-size:16px;font-weight:700;color:#FFFFFF;text-decoration:none;">${esc(m.button.label)}</a>` +
        `</td></tr></table>`
      : "";
  const asideUrl = safeUrl(m.aside?.url);
  const aside =
    m.aside && asideUrl
      ? `<p style="margin:16px 0;font-size:14px;color:${text};">${esc(m.aside.text)}<br>` +
        `<a href="${esc(asideUrl)}" style="color:${brand.primary};font-weight:700;">${esc(m.aside.label)}</a></p>`
      : "";
  const paragraphs = m.paragraphs.map((p) => `<p style="margin:0 0 12px;font-size:16px;line-height:1.5;color:${text};">${esc(p)}</p>`).join("");
  const notes = m.notes.map((n) => `<p style="margin:8px 0 0;font-size:13px;color:${muted};">${esc(n)}</p>`).join("");
  return `<!DOCTYPE html>
<html lang="${m.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${esc(m.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#F4F6F8;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#F4F6F8;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#FFFFFF;border-radius:8px;overflow:hidden;font-family:${brand.fontFamily};color:${text};">
<tr><td style="background:${brand.secondary};padding:16px 24px;">
<table role="presentation" cellpadding="0" cellspacing="0"><tr>
<td style="vertical-align:middle;"><img src="${esc(logo)}" width="48" height="48" alt="${brand.name}" style="display:block;border:0;border-radius:10px;"></td>
<td style="vertical-align:middle;padding-left:12px;font-family:${brand.fontFamily};font-size:24px;font-weight:700;color:#FFFFFF;letter-spacing:0.5px;">${brand.name}</td>
</tr></table>
</td></tr>
<tr><td style="height:4px;line-height:4px;font-size:0;background:${brand.primary};">&nbsp;</td></tr>
<tr><td style="padding:28px 24px 8px;">
<h1 style="margin:0 0 16px;font-family:${brand.fontFamily};font-size:22px;font-weight:700;color:${brand.secondary};">${esc(m.heading)}</h1>
<p style="margin:0 0 12px;font-size:16px;color:${text};">${esc(m.greeting)}</p>
${paragraphs}
<table role="presentation" cellpadding="0" cellspacing="0" style="margin:12px 0;border-left:4px solid ${brand.primary};padding-left:12px;">${rows}</table>
${button}${aside}${notes}
</td></tr>
<tr><td style="padding:16px 24px 24px;border-top:1px solid #E4E7EB;font-size:12px;line-height:1.5;color:${muted};">${esc(m.footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

export function renderText(m: Message): string {
  const lines: string[] = [brand.name.toUpperCase(), "", m.heading, "", m.greeting, ""];
  for (const p of m.paragraphs) lines.push(p, "");
  const colon = m.locale === "fr" ? " : " : ": ";
  for (const r of m.rows) lines.push(`${r.label}${colon}${r.struck ? `~~${r.value}~~` : r.value}${r.href && r.href !== r.value ? ` <${r.href}>` : ""}`);
  lines.push("");
  if (m.button) lines.push(`${m.button.label}${colon}${m.button.url}`, "");
  if (m.aside) lines.push(m.aside.text, `${m.aside.label}${colon}${m.aside.url}`, "");
  for (const n of m.notes) lines.push(n);
  if (m.notes.length) lines.push("");
  lines.push("--", m.footer, "");
  return lines.join("\n");
}
