import { AppError, ErrorCode } from "../../lib/errors.ts";

export const PHOTO_SIZE = 400;
const acceptedFormats = new Set(["jpeg", "png", "webp", "gif", "avif", "heif", "tiff"]);

/**
 * Any common image in, a 400x400 centre-cropped WebP out (Property 2). EXIF orientation is applied and metadata
 * (GPS and the like) dropped. sharp is loaded on first use so a server that never receives a photo never loads it.
 */
export async function normalizePhoto(input: Uint8Array): Promise<Uint8Array> {
  const { default: sharp } = await import("sharp");
  let format: string | undefined;
  try {
    // limitInputPixels guards against decompression bombs (a tiny file that decodes to gigapixels).
    format = (await sharp(input, { limitInputPixels: 40_000_000 }).metadata()).format;
  } catch {
    format = undefined;
  }
  if (!format || !acceptedFormats.has(format)) {
    throw new AppError(400, ErrorCode.INVALID_IMAGE, "The file is not a supported image (JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF)");
  }
  try {
    const out = await sharp(input, { limitInputPixels: 40_000_000, animated: false })
      .rotate()
      .resize(PHOTO_SIZE, PHOTO_SIZE, { fit: "cover", position: "centre" })
      .webp({ quality: 82 })
      .toBuffer();
    return new Uint8Array(out);
  } catch {
    throw new AppError(400, ErrorCode.INVALID_IMAGE, "The image could not be read; it may be damaged or too large in pixels");
  }
}
