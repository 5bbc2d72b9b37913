/**
 * Parts of a request URL without `new URL()` (these run on every request): Bun and Deno hand handlers absolute URLs,
 * so the path starts at the first "/" after the scheme's "//".
 */
export const pathStartOf = (url: string) => url.indexOf("/", url.indexOf("//") + 2);

/** The path and query ("/api/v2/x?y=1"). */
export const pathAndQueryOf = (url: string) => url.slice(pathStartOf(url));

/** The path alone ("/api/v2/x"); "/" when the URL has none. */
export function pathOf(url: string): string {
  const start = pathStartOf(url);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
