import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, normalize, sep } from "node:path";

/** Where uploaded media lives. Local disk by default; an object store would implement the same port. */
export interface MediaStorage {
  /** Stores bytes under a key like "photos/abc.webp" and returns the public path ("/media/photos/abc.webp"). */
  put(key: string, bytes: Uint8Array): Promise<string>;
  get(key: string): Promise<Uint8Array | null>;
  /** Deletes what a public path returned by put points to; unknown paths are ignored. */
  remove(publicPath: string): Promise<void>;
}

export function localMediaStorage(root: string): MediaStorage {
  const resolveKey = (key: string): string | null => {
    const path = normalize(join(root, key));
    // Refuse anything that would step outside the media folder (../ tricks).
    return path.startsWith(normalize(root) + sep) ? path : null;
  };
  return {
    async put(key, bytes) {
      const path = resolveKey(key);
      if (!path) throw new Error(`invalid media key ${key}`);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, bytes);
      return `/media/${key}`;
    },
    async get(key) {
      const path = resolveKey(key);
      if (!path) return null;
      return readFile(path).then(
        (b) => new Uint8Array(b),
        () => null,
      );
    },
    async remove(publicPath) {
      if (!publicPath.startsWith("/media/")) return;
      const path = resolveKey(publicPath.slice("/media/".length));
      if (path) await rm(path, { force: true });
    },
  };
}
