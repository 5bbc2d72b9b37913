import { describe, expect, test } from "bun:test";
import { brotliDecompressSync, gunzipSync, zstdDecompressSync } from "node:zlib";
import { Elysia } from "elysia";
import { COMPRESS_MIN_BYTES, compressionPlugin, negotiate, textResponse } from "./compression.ts";

const big = { status: "success", data: { text: "Créneau disponible ".repeat(200) } };
const app = new Elysia()
  .onRequest(({ set }) => {
    set.headers["x-content-type-options"] = "nosniff";
  })
  .use(compressionPlugin())
  .get("/big", () => big)
  .get("/small", () => ({ ok: true }))
  .get("/created", ({ set }) => {
    set.status = 201;
    set.headers.location = "/big";
    return big;
  })
  .get("/stored", ({ request }) => textResponse(request, JSON.stringify(big)))
  .get("/stored-with-set", ({ request, set }) => {
    set.headers.vary = "Origin";
    set.headers["ratelimit-remaining"] = 41;
    return textResponse(request, JSON.stringify(big), true, set);
  })
  .get("/stream", () => new Response(new Blob(["a,b\n".repeat(2000)]).stream(), { headers: { "content-type": "text/csv" } }));

async function get(path: string, acceptEncoding?: string) {
  const res = await app.handle(new Request(`http://localhost${path}`, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} }));
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("negotiate", () => {
  test("zstd first, then brotli, then gzip; q=0 refuses; identity or nothing gives null", () => {
    expect(negotiate("gzip, deflate, br, zstd")).toBe("zstd");
    expect(negotiate("gzip, deflate, br")).toBe("br");
    expect(negotiate("zstd;q=0, br")).toBe("br");
    expect(negotiate("gzip")).toBe("gzip");
    expect(negotiate("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(negotiate("gzip;q=0")).toBeNull();
    expect(negotiate("identity")).toBeNull();
    expect(negotiate(null)).toBeNull();
    expect(negotiate("*")).toBe("br");
  });
});

describe("compressionPlugin", () => {
  test("a JSON answer above the threshold is gzipped when gzip is accepted, with Vary, and decodes to the same JSON", async () => {
    const { res, bytes } = await get("/big", "gzip");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toBe("Accept-Encoding");
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(bytes.length).toBeLessThan(JSON.stringify(big).length / 5);
    expect(JSON.parse(text(gunzipSync(bytes)))).toEqual(big);
  });

  test("brotli when accepted; identity when nothing is accepted (still with Vary)", async () => {
    const br = await get("/big", "gzip, br");
    expect(br.res.headers.get("content-encoding")).toBe("br");
    expect(JSON.parse(text(brotliDecompressSync(br.bytes)))).toEqual(big);
    const plain = await get("/big");
    expect(plain.res.headers.get("content-encoding")).toBeNull();
    expect(plain.res.headers.get("vary")).toBe("Accept-Encoding");
    expect(JSON.parse(text(plain.bytes))).toEqual(big);
  });

  test("zstd when accepted, for handler results and stored texts alike", async () => {
    for (const path of ["/big", "/stored"]) {
      const { res, bytes } = await get(path, "gzip, deflate, br, zstd");
      expect(res.headers.get("content-encoding")).toBe("zstd");
      expect(res.headers.get("vary")).toBe("Accept-Encoding");
      expect(JSON.parse(text(zstdDecompressSync(bytes)))).toEqual(big);
    }
  });

  test("small answers are sent as they are", async () => {
    const { res, bytes } = await get("/small", "gzip");
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(bytes.length).toBeLessThan(COMPRESS_MIN_BYTES);
    expect(JSON.parse(text(bytes))).toEqual({ ok: true });
  });

  test("status and headers set by the handler survive", async () => {
    const { res, bytes } = await get("/created", "gzip");
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/big");
    expect(JSON.parse(text(gunzipSync(bytes)))).toEqual(big);
  });

  test("stored text (textResponse) is compressed once and the same bytes are sent again", async () => {
    const first = await get("/stored", "gzip");
    const second = await get("/stored", "gzip");
    expect(first.res.headers.get("content-encoding")).toBe("gzip");
    expect(first.res.headers.get("vary")).toBe("Accept-Encoding");
    expect(second.bytes).toEqual(first.bytes);
    expect(JSON.parse(text(gunzipSync(second.bytes)))).toEqual(big);
    expect(JSON.parse(text((await get("/stored", "identity")).bytes))).toEqual(big);
  });

  test("with the request's set, the hooks' headers go out with the stored answer, and Vary names Origin and Accept-Encoding", async () => {
    for (const encoding of ["gzip", "identity"]) {
      const { res, bytes } = await get("/stored-with-set", encoding);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("ratelimit-remaining")).toBe("41");
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      // Without set, the answer's own Vary hid the CORS hook's (Elysia keeps the answer's header when both have one).
      expect(res.headers.get("vary")).toBe("Origin, Accept-Encoding");
      expect(JSON.parse(text(encoding === "gzip" ? gunzipSync(bytes) : bytes))).toEqual(big);
    }
  });

  test("streamed answers (CSV exports) are left uncompressed", async () => {
    const { res, bytes } = await get("/stream", "gzip");
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(text(bytes)).toBe("a,b\n".repeat(2000));
  });
});
