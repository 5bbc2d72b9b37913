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
