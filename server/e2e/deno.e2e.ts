import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The same server under Deno (the `deno` npm package's binary) on embedded PGlite: start it, use a few routes. */
let child: ChildProcess;
let dataDir: string;
let baseUrl = "";
let adminToken = "";
let output = "";

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "thotis-deno-"));
  // Run exactly the package.json start:deno script, with the binary the `deno` npm package installs.
  const script = JSON.parse(readFileSync("package.json", "utf8")).scripts["start:deno"] as string;
  const [binary, ...args] = script.split(/\s+/);
  child = spawn(`node_modules/.bin/${binary}`, args, {
    env: { ...process.env, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "", THOTIS_JWT_SECRET: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Deno server did not start:\n${output}`)), 150_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = output.match(/listening on port (\d+) \(deno, pglite/)?.[1];
      const token = output.match(/embedded mode only\):\s+(\S+\.\S+\.\S+)/)?.[1];
      if (port && token) {
        baseUrl = `http://127.0.0.1:${port}`;
        adminToken = token;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`Deno server exited with ${code}:\n${output}`)));
  });
}, 180_000);

afterAll(() => {
  child?.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json", ...init.headers } });

test("Deno: /health and /ready answer", async () => {
  const health = await fetch(`${baseUrl}/health`);
  expect(health.status).toBe(200);
  const ready = await fetch(`${baseUrl}/ready`);
  expect(ready.status).toBe(200);
  expect((await ready.json()).checks.database.ok).toBe(true);
});

test("Deno: demo data is listed by field, and a token is required", async () => {
  const anonymous = await fetch(`${baseUrl}/api/v2/students/by-field/LAW`);
  expect(anonymous.status).toBe(401);
  const res = await api("/api/v2/students/by-field/LAW?pageSize=5");
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("success");
  expect(body.data.total).toBeGreaterThan(0);
  expect(body.data.profiles.every((p: { field: string }) => p.field === "LAW")).toBe(true);
});

test("Deno: create a mentor user and profile, then read it back", async () => {
  const user = await api("/api/v2/users", { method: "POST", body: JSON.stringify({ email: "deno.smoke@etu.example.fr", name: "Deno Smoke" }) });
  expect(user.status).toBe(201);
  const userId = (await user.json()).data.id;
  const bio = "Étudiante en licence, j'aime expliquer le droit constitutionnel aux lycéens curieux.";
  const created = await api(`/api/v2/students/${userId}/profile`, {
    method: "POST",
    body: JSON.stringify({ university: "Université de Lille", degree: "Licence de Droit", field: "LAW", currentYear: 2, bio }),
  });
  expect(created.status).toBe(201);
  const id = (await created.json()).data.id;
  const read = await api(`/api/v2/students/${id}`);
  expect((await read.json()).data.bio).toBe(bio);
  const invalid = await api(`/api/v2/students/${userId}/profile`, { method: "PUT", body: JSON.stringify({ currentYear: 11 }) });
  expect(invalid.status).toBe(400);
});

test("Deno: OpenAPI document is served", async () => {
  const res = await fetch(`${baseUrl}/docs/json`);
  expect(res.status).toBe(200);
  expect(Object.keys((await res.json()).paths)).toContain("/api/v2/students/by-field/{field}");
});
