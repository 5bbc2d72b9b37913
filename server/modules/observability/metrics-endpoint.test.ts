import { describe, expect, test } from "bun:test";
import { fixedClock } from "../../lib/clock.ts";
import { call, useTestApp } from "../../test-support/mentors.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  name: string;
  type: string;
  unit?: string;
  help?: string;
  samples: Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/;
const suffixes: Record<string, string[]> = {
  counter: ["_total", "_created"],
  gauge: [""],
  histogram: ["_bucket", "_sum", "_count", "_created"],
  unknown: [""],
};

/**
 * A strict reader of the OpenMetrics 1.0 text format (the parts we emit): TYPE/UNIT/HELP metadata before a family's
 * samples, families never interleaved, sample names matching their family's type, well-formed escaped labels, numeric
 * values, histogram buckets cumulative with a +Inf bucket equal to _count, and a final "# EOF" followed by nothing.
 */
function parseOpenMetrics(text: string): Map<string, Family> {
  expect(text.endsWith("# EOF\n")).toBe(true);
  const lines = text.slice(0, -"# EOF\n".length).split("\n");
  expect(lines.pop()).toBe("");
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of lines) {
    const meta = line.match(/^# (TYPE|UNIT|HELP) (\S+) (.*)$/);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      expect(name).toMatch(metricName);
      if (kind === "TYPE") {
        expect(families.has(name)).toBe(false); // no family twice (no interleaving)
        expect(Object.keys(suffixes)).toContain(rest);
        current = { name, type: rest, samples: [] };
        families.set(name, current);
      } else {
        expect(current?.name).toBe(name);
        expect(current!.samples).toHaveLength(0); // metadata comes before samples
        if (kind === "UNIT") {
          current!.unit = rest;
          expect(name.endsWith(`_${rest}`)).toBe(true);
        } else current!.help = rest;
      }
      continue;
    }
    expect(line.startsWith("#")).toBe(false);
    const m = line.match(sampleLine);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, , rawLabels, rawValue] = m as unknown as [string, string, string | undefined, string | undefined, string];
    expect(current).toBeDefined();
    const suffix = name.slice(current!.name.length);
    expect(name.startsWith(current!.name)).toBe(true);
    expect(suffixes[current!.type]).toContain(suffix);
    const labels: Record<string, string> = {};
    let rest = rawLabels ?? "";
    while (rest.length) {
      const pair = rest.match(labelPair);
      if (!pair) throw new Error(`bad labels in ${line}`);
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
      rest = rest.slice(pair[0].length);
    }
    const value = rawValue === "+Inf" ? Number.POSITIVE_INFINITY : rawValue === "-Inf" ? Number.NEGATIVE_INFINITY : Number(rawValue);
    expect(Number.isNaN(value)).toBe(false);
    expect(/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^[+-]Inf$/.test(rawValue)).toBe(true);
    current!.samples.push({ name, labels, value });
  }
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

function checkHistogram(f: Family) {
  const groups = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const samples of groups.values()) {
    const buckets = samples.filter((s) => s.name.endsWith("_bucket"));
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    for (let i = 1; i < buckets.length; i++) {
      expect(Number(buckets[i]!.labels.le === "+Inf" ? Infinity : buckets[i]!.labels.le)).toBeGreaterThan(Number(buckets[i - 1]!.labels.le));
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    }
    const count = samples.find((s) => s.name.endsWith("_count"));
    expect(count?.value).toBe(buckets.at(-1)!.value);
    expect(samples.find((s) => s.name.endsWith("_sum"))).toBeDefined();
  }
}

describe("GET /metrics (open)", () => {
  const ctx = useTestApp({ clock: fixedClock("2026-06-01T06:00:00Z") });

  test("OpenMetrics text that a strict reader accepts, with request counters per route template and status", async () => {
    for (const id of ["a", "b", "c"]) await call(ctx, `/api/v2/students/${id}`, { token: ctx.widget });
    await call(ctx, "/nowhere");
    await call(ctx, "/health");
    await Bun.sleep(20);
    ctx.clock.advance(42_000);
    const res = await ctx.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    const families = parseOpenMetrics(await res.text());
    expect([...families.keys()]).toEqual(
      expect.arrayContaining(["http_requests", "http_request_duration_seconds", "thotis_jobs", "thotis_uptime_seconds", "process_resident_memory_bytes", "thotis_cache_hits", "thotis_cache_misses"]),
    );
    const requests = families.get("http_requests")!.samples;
    const find = (route: string, status: string) => requests.find((s) => s.labels.route === route && s.labels.status === status && s.labels.method === "GET");
    expect(find("/api/v2/students/:id", "404")?.value).toBe(3);
    expect(find("unmatched", "404")?.value).toBe(1);
    expect(find("/health", "200")?.value).toBe(1);
    expect(requests.every((s) => !/\/students\/[abc]$/.test(s.labels.route!))).toBe(true);
    const durations = families.get("http_request_duration_seconds")!;
    expect(durations.unit).toBe("seconds");
    expect(durations.samples.find((s) => s.name === "http_request_duration_seconds_count" && s.labels.route === "/api/v2/students/:id")?.value).toBe(3);
    expect(families.get("thotis_uptime_seconds")!.samples[0]!.value).toBe(42);
    expect(families.get("thotis_jobs")!.samples.map((s) => s.labels.state).sort()).toEqual(["dead", "due", "pending", "running", "succeeded"]);
    expect(families.get("process_resident_memory_bytes")!.samples[0]!.value).toBeGreaterThan(0);
    expect(families.get("thotis_cache_hits")!.samples[0]!.name).toBe("thotis_cache_hits_total");
  });

  test("the exposition counts itself on the next scrape", async () => {
    await Bun.sleep(20);
    const families = parseOpenMetrics(await (await ctx.app.request("/metrics")).text());
    const scrapes = families.get("http_requests")!.samples.find((s) => s.labels.route === "/metrics" && s.labels.status === "200");
    expect(scrapes?.value).toBeGreaterThanOrEqual(1);
  });
});

describe("GET /metrics with METRICS_TOKEN", () => {
  const ctx = useTestApp({ env: () => ({ METRICS_TOKEN: "scrape-secret-123" }) });

  test("needs the bearer token; a wrong or missing one gets 401", async () => {
    expect((await ctx.app.request("/metrics")).status).toBe(401);
    expect((await ctx.app.request("/metrics", { headers: { authorization: "Bearer scrape-secret-124" } })).status).toBe(401);
    // An API token is not the scrape token.
    expect((await ctx.app.request("/metrics", { token: ctx.admin })).status).toBe(401);
    const ok = await ctx.app.request("/metrics", { headers: { authorization: "Bearer scrape-secret-123" } });
    expect(ok.status).toBe(200);
    parseOpenMetrics(await ok.text());
  });
});

describe("the strict reader itself", () => {
  test("refuses what the format forbids", () => {
    const bad = [
      "# TYPE a counter\na_total 1\n", // no EOF
      "# TYPE a counter\na 1\n# EOF\n", // counter sample without _total
      "# TYPE a gauge\na{x=\"1\" } 1\n# EOF\n", // malformed labels
      "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 2\n# EOF\n", // interleaved family
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n# EOF\n", // not cumulative
      "# TYPE a gauge\na NaNx\n# EOF\n",
      "# TYPE a gauge\na 1\n# EOF\nextra\n",
    ];
    for (const text of bad) expect(() => parseOpenMetrics(text)).toThrow();
    expect(parseOpenMetrics('# TYPE a gauge\n# HELP a x\na{l="q\\"uo\\\\te"} 1.5\n# EOF\n').get("a")!.samples[0]!.labels.l).toBe('q"uo\\te');
  });
});
