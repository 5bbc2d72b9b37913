/**
 * The host's primaryColor, made accessible: text on the colour is black or white (whichever contrasts more), and the
 * colour used as text or outline on the page background is darkened (light theme) or lightened (dark theme) until it
 * reaches WCAG AA contrast (4.5:1).
 */
type Rgb = [number, number, number];

export function parseHex(color: string | null): Rgb | null {
  const m = color?.trim().match(/^#?([0-9a-f]{3}|[0-9a-f]{6})$/i);
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join("") : m[1]!;
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

const luminance = (rgb: Rgb) => {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

export const contrast = (a: Rgb, b: Rgb) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

const hex = (rgb: Rgb) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgb;

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
export const LIGHT_BG: Rgb = [255, 255, 255];
export const DARK_BG: Rgb = [24, 26, 32];

export function accentVariables(color: string | null, dark: boolean): Record<string, string> {
  const base = parseHex(color) ?? (dark ? ([138, 180, 255] as Rgb) : ([29, 78, 216] as Rgb));
  const background = dark ? DARK_BG : LIGHT_BG;
  // Filled buttons: the background is the accent itself, adjusted so black or white text on it reaches 4.5:1.
  let fill = base;
  for (let t = 0; t <= 1 && Math.max(contrast(fill, WHITE), contrast(fill, BLACK)) < 4.5; t += 0.05) fill = mix(base, dark ? WHITE : BLACK, t);
  const onFill = contrast(fill, WHITE) >= contrast(fill, BLACK) ? WHITE : BLACK;
  // Accent as text or outline on the page background.
  let ink = base;
  for (let t = 0; t <= 1 && contrast(ink, background) < 4.5; t += 0.05) ink = mix(base, dark ? WHITE : BLACK, t);
  return { "--accent": hex(fill), "--on-accent": hex(onFill), "--accent-ink": hex(ink) };
}
