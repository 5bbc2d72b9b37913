import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { deflatePiece, GZIP_PIECES, gzipPieces, joinPieces, type Piece } from "./gzip-pieces.ts";

const decoded = (bytes: Uint8Array) => new TextDecoder().decode(gunzipSync(bytes));
/** What a browser does with the answer: the web platform's own gzip decoder. */
const webDecoded = (bytes: Uint8Array<ArrayBuffer>) => new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();

describe("gzipPieces", () => {
  test("this runtime frames pieces (its zlib has crc32)", () => {
    expect(GZIP_PIECES).toBe(true);
  });

  test("plain and deflated pieces in any order decode to the joined text, with zlib and the web platform's decoder", async () => {
    const piece = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: "binary", maxLength: 3000 }).map(deflatePiece),
      fc.constantFrom("", '{"start":"2026-12-08T10:00:00.000Z"}', "é".repeat(40_000)).map((s) => (s.length > 100 ? s : deflatePiece(s))),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece as fc.Arbitrary<Piece>, { maxLength: 8 }), async (pieces) => {
        const gzip = gzipPieces(pieces);
        const text = joinPieces(pieces);
        expect(decoded(gzip)).toBe(text);
        expect(await webDecoded(gzip)).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  test("a plain piece longer than one stored block (64 KiB) is split across blocks", () => {
    const long = "Créneau libre, ".repeat(9000); // 144,000 UTF-8 bytes
    const gzip = gzipPieces(["[", long, deflatePiece("fin"), "]"]);
    expect(decoded(gzip)).toBe(`[${long}fin]`);
  });

  test("deflated pieces are what makes the answer small: a tenth of the same pieces sent stored", () => {
    const day = Array.from({ length: 30 }, (_, i) => `{"start":"2026-12-08T${String(8 + (i >> 2)).padStart(2, "0")}:${String((i % 4) * 15).padStart(2, "0")}:00.000Z","available":true}`).join(",");
    const days = Array.from({ length: 30 }, () => deflatePiece(day));
    const framed = gzipPieces(days);
    const stored = gzipPieces(days.map((d) => d.text));
    expect(decoded(framed)).toBe(day.repeat(30));
    expect(framed.length).toBeLessThan(stored.length / 10);
  });
});
