import { FormatRegistry } from "elysia/type-system";
import { t } from "elysia";

/**
 * A string enum without the implicit default Elysia's t.UnionEnum adds (its first value): with input normalization
 * that default silently fills a missing field, e.g. a cancellation without `cancelledBy` becoming "mentor".
 */
export function enumOf<const T extends readonly [string, ...string[]]>(values: T, options: Parameters<typeof t.UnionEnum>[1] = {}) {
  const schema = t.UnionEnum(values, options);
  if (!options || !("default" in options)) delete (schema as { default?: unknown }).default;
  return schema;
}

/**
 * Text lengths are counted in characters (Unicode code points), as the database's varchar and char_length count them,
 * not in UTF-16 units as TypeBox's minLength/maxLength would: a 1000-character bio with emoji in it is valid. So the
 * bounds live in a pattern (read the same way with or without the `u` flag), which also refuses NUL (Postgres text
 * cannot hold it) and lone surrogates (not storable as UTF-8). minLength stays as a cheap, always-true-for-valid
 * pre-check (code points <= UTF-16 units).
 */
const codePoint = "(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\u0000\\uD800-\\uDFFF])";
export const characters = (min: number, max: number, opts: { notBlank?: boolean } = {}) =>
  `^${opts.notBlank ? "(?=[\\s\\S]*\\S)" : ""}${codePoint}{${min},${max}}$`;

/**
 * The app normalizes input (Elysia `normalize: true`), which silently strips unknown properties from an object whose
 * schema says `additionalProperties: false` before validating it. `t.Never()` keeps the "no other property" rule
 * (it reads as `additionalProperties: { not: {} }` in OpenAPI) while making a request that sends one fail with 400.
 */
export const noOtherProperty = t.Never();

/** Query parameters of every paginated list: 1-based page, up to 100 items a page, 20 by default. */
export const pageParam = t.Optional(t.Integer({ minimum: 1, maximum: 100_000, default: 1 }));
export const limitParam = t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20 }));

/**
 * RFC 3339 date-times that Postgres stores as they read: a real calendar day (no 30 February, which JavaScript would
 * turn into 2 March), years 1900 to 9999 (no expanded ±YYYYYY years), a zone (Z or ±hh:mm), no date-only value.
 * Replaces Elysia's own "date-time" check, which accepts anything Date.parse reads.
 */
// Seconds may be left out (hh:mm), as the API has always accepted; Postgres reads both.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second = 0] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (year < 1900 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}
FormatRegistry.Set("date-time", isDateTime);
