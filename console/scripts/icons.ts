/**
 * Generates the console's PNG icons from one SVG drawing (run once; the PNGs are committed so builds need no sharp
 * step): 192 and 512 px "any" icons, and a 512 px maskable one whose mark stays inside the central safe zone
 * (a circle of 80% of the size) so launchers may crop it to any shape.
 *   bun console/scripts/icons.ts
 */
import sharp from "sharp";
import { join } from "node:path";

const out = join(import.meta.dir, "..", "public", "icons");
const brand = "#1d4ed8";

/** A rounded square with a stylised "T" and a rising bar chart; `inset` shrinks the mark for the maskable variant. */
function drawing(size: number, { maskable }: { maskable: boolean }): string {
  const pad = maskable ? size * 0.2 : size * 0.06;
  const inner = size - 2 * pad;
  const u = inner / 10;
  const bg = maskable
    ? `<rect width="${size}" height="${size}" fill="${brand}"/>`
    : `<rect x="${size * 0.02}" y="${size * 0.02}" width="${size * 0.96}" height="${size * 0.96}" rx="${size * 0.2}" fill="${brand}"/>`;
  const x = (v: number) => pad + v * u;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  ${bg}
  <rect x="${x(1)}" y="${x(1.2)}" width="${8 * u}" height="${1.6 * u}" rx="${0.4 * u}" fill="#fff"/>
  <rect x="${x(4.2)}" y="${x(1.2)}" width="${1.6 * u}" height="${4.2 * u}" rx="${0.4 * u}" fill="#fff"/>
  <rect x="${x(1.4)}" y="${x(6.6)}" width="${1.6 * u}" height="${2.2 * u}" rx="${0.3 * u}" fill="#93c5fd"/>
  <rect x="${x(4.2)}" y="${x(5.8)}" width="${1.6 * u}" height="${3 * u}" rx="${0.3 * u}" fill="#bfdbfe"/>
  <rect x="${x(7)}" y="${x(4.6)}" width="${1.6 * u}" height="${4.2 * u}" rx="${0.3 * u}" fill="#fff"/>
</svg>`;
}

const variants = [
  { file: "icon-192.png", size: 192, maskable: false },
  { file: "icon-512.png", size: 512, maskable: false },
  { file: "maskable-512.png", size: 512, maskable: true },
  { file: "apple-touch-icon.png", size: 180, maskable: true },
];
for (const v of variants) {
  await sharp(Buffer.from(drawing(v.size, v))).png({ compressionLevel: 9, palette: true }).toFile(join(out, v.file));
  console.log(`wrote ${v.file}`);
}
