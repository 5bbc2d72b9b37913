import { Buffer } from "node:buffer";
import * as zlib from "node:zlib";

/**
 * gzip of a text made of pieces, where the pieces that recur (a day of availability slots) were deflated once, ahead
 * of time. A deflate stream may be cut into parts that were compressed independently, as long as each part ends on a
 * byte boundary without the "final block" bit: zlib's sync flush does exactly that. Answering is then a matter of
 * framing (header, the parts, the CRC-32 and length of the whole text) instead of compressing 100 KB again: on a
 * 30-day availability answer, about 20 µs instead of 0.19 ms for libdeflate at level 1 (server/bench/RESULTS.md).
 *
 * Pieces that were not deflated (a short head or tail) go out as stored blocks (RFC 1951 3.2.4): a few bytes of framing
 * around the text as it is.
 */

/** A piece compressed on its own: `raw` is a sync-flushed raw deflate of `text` that refers to nothing before it. */
export interface DeflatedPiece {
  readonly text: string;
  readonly raw: Uint8Array;
}

/** A text piece: deflated ahead of time, or plain (sent stored: keep plain pieces short). */
export type Piece = string | DeflatedPiece;

type Crc32 = (data: string | Uint8Array, value?: number) => number;
const crc32 = (zlib as unknown as { crc32?: Crc32 }).crc32;

/** Whether this runtime's zlib has crc32 (Bun, Node 22.2+, Deno 2): without it, callers compress the whole text. */
export const GZIP_PIECES = crc32 !== undefined;

/** Deflated pieces are compressed harder than whole answers (level 6 against 1): each is compressed once, then reused. */
export const PIECE_LEVEL = 6;

export function deflatePiece(text: string): DeflatedPiece {
  const raw = zlib.deflateRawSync(text, { level: PIECE_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return { text, raw };
}

const textOf = (piece: Piece) => (typeof piece === "string" ? piece : piece.text);

/** The text the pieces make, as one string (what the gzip below decompresses to). */
export function joinPieces(pieces: readonly Piece[]): string {
  let text = "";
  for (const piece of pieces) text += textOf(piece);
  return text;
}

// gzip member header (RFC 1952): magic, deflate, no flags, no time, no extra flags, OS unknown.
const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
const STORED_MAX = 65_535;
const encoder = new TextEncoder();

/** Stored blocks holding `bytes`; the last one marked final when `final` (an empty stored block when `bytes` is empty). */
function storedBlocks(bytes: Uint8Array, final: boolean, out: Uint8Array[]): void {
  let offset = 0;
  do {
    const length = Math.min(STORED_MAX, bytes.length - offset);
    const last = offset + length >= bytes.length;
    // BFINAL, BTYPE 00 (stored) and padding to the byte; then LEN and its one's complement, little-endian.
    out.push(new Uint8Array([last && final ? 1 : 0, length & 0xff, length >> 8, ~length & 0xff, (~length >> 8) & 0xff]));
    out.push(bytes.subarray(offset, offset + length));
    offset += length;
  } while (offset < bytes.length);
}

/** The gzip of joinPieces(pieces); needs GZIP_PIECES. */
export function gzipPieces(pieces: readonly Piece[]): Uint8Array<ArrayBuffer> {
  const out: Uint8Array[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  for (const piece of pieces) {
    if (typeof piece === "string") {
      if (piece.length === 0) continue;
      const bytes = encoder.encode(piece);
      crc = crc32!(bytes, crc);
      size += bytes.length;
      storedBlocks(bytes, false, out);
    } else {
      crc = crc32!(piece.text, crc);
      size += Buffer.byteLength(piece.text);
      out.push(piece.raw);
    }
  }
  storedBlocks(new Uint8Array(0), true, out);
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, size >>> 0, true); // ISIZE: the length modulo 2^32
  out.push(trailer);
  return Buffer.concat(out) as Uint8Array<ArrayBuffer>;
}
