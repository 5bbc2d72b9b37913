/** A Jitsi room nobody can guess: 128 random bits (Property 30: every booking gets its own link). */
export function jitsiRoomUrl(baseUrl: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${baseUrl.replace(/\/+$/, "")}/Thotis-${token}`;
}
