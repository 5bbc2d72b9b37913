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
