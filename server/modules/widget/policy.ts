import type { Config } from "../../config.ts";

// IPv6 literals are not valid CSP host sources (Chromium logs an error for "http://[::1]:*" on every load), so the
// browser's rule cannot name [::1]; ours matches it so the two agree.
const loopback = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

/**
 * Which host pages may frame the widget. FRAME_ANCESTORS when set; otherwise, in embedded mode, pages on this machine
 * (localhost, 127.0.0.1, any port: development and the demo; not [::1], which CSP cannot express), and with DATABASE_URL only our own PUBLIC_URL.
 * One rule feeds both the CSP frame-ancestors header (the browser's check) and the `parentOrigin` check (ours).
 */
export function framingPolicy(config: Pick<Config, "frameAncestors" | "embedded" | "publicUrl">) {
  const own = new URL(config.publicUrl).origin;
  const list = config.frameAncestors;
  const sources = list.length > 0 ? list.join(" ") : config.embedded ? "'self' http://localhost:* http://127.0.0.1:*" : "'self'";
  return {
    frameAncestors: sources,
    mayFrame(origin: string): boolean {
      if (list.length > 0) return list.includes(origin) || list.includes("*");
      return config.embedded ? loopback.test(origin) || origin === own : origin === own;
    },
  };
}

/** The widget page's CSP: its own scripts and styles, API calls to its own origin, photos from the media origin. */
export function widgetPageCsp(frameAncestors: string, publicUrl: string): string {
  const media = new URL(publicUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: https: ${media}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}
