/**
 * Seeded input mutation for the fuzz suites: plausible values built from a JSON schema (OpenAPI 3.0 or
 * zod's JSON Schema), then broken the ways attackers' tools break them: wrong types, huge and unicode
 * strings, NUL, nulls, deep nesting, `__proto__` keys, missing fields. The same seed gives the same inputs,
 * so a failure reproduces with `FUZZ_SEED=<seed>`.
 */

export type Rng = () => number;

/** The suite's seed: fixed, so CI is repeatable; `FUZZ_SEED` explores others. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261129);

/** mulberry32: small, fast, good enough to pick mutations. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** A JSON-schema node, as far as the generator reads it. */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  default?: unknown;
}

/** Objects nested `depth` levels deep, as a JSON text (a parser that recurses must refuse it, not crash). */
export function deepJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A marker the serialiser turns into raw JSON text (for `__proto__` keys and deep nesting). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Serialises a value that may hold RawJson pieces. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Values that are wrong almost everywhere. `big` is the length of the huge string. */
export function hostileValues(big: number): unknown[] {
  return [
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    '',
    ' ',
    'x'.repeat(big),
    '\u0000',
    'a\u0000b',
    '\ud800',
    '한국어 게시판에 💬 \u202e mixed',
    '../../../etc/passwd',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    '9'.repeat(40),
    '1e400',
    [],
    [1, 'two', null],
    {},
    new RawJson('{"__proto__":{"role":"admin","admin":true}}'),
    new RawJson('{"constructor":{"prototype":{"role":"admin"}}}'),
    new RawJson(deepJson(200)),
  ];
}

/** Values for a path segment (already URL-encoded). */
export const HOSTILE_PATH_VALUES = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '99999999999999999999',
  '2147483648',
  'abc',
  '%00',
  '%20',
  '%F0%9F%92%AC',
  '..%2F..%2Fetc%2Fpasswd',
  'null',
  '__proto__',
  'x'.repeat(2048),
];

export class SchemaSampler {
  constructor(
    private readonly rng: Rng,
    private readonly resolveRef: (ref: string) => SchemaNode = () => ({}),
  ) {}

  /** A plausible value for `schema` (valid where the schema is simple; the mutations break it). */
  sample(schema: SchemaNode | undefined, depth = 0): unknown {
    if (!schema || depth > 6) return null;
    if (schema.$ref) return this.sample(this.resolveRef(schema.$ref), depth + 1);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum?.length) return pick(this.rng, schema.enum);
    if (schema.default !== undefined && this.rng() < 0.3) return schema.default;
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives?.length) return this.sample(pick(this.rng, alternatives), depth + 1);
    if (schema.allOf?.length) {
      return Object.assign({}, ...schema.allOf.map((s) => this.sample(s, depth + 1) as object));
    }
    const type = Array.isArray(schema.type) ? pick(this.rng, schema.type) : schema.type;
    switch (type) {
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? 1;
        const max = Math.min(schema.maximum ?? min + 100, min + 100);
        return type === 'integer' ? Math.floor(min + this.rng() * (max - min + 1)) : min + this.rng() * (max - min);
      }
      case 'boolean':
        return this.rng() < 0.5;
      case 'string':
        return this.sampleString(schema);
      case 'array':
        return [this.sample(schema.items, depth + 1)];
      case 'null':
        return null;
      default: {
        if (!schema.properties) return {};
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(schema.properties)) {
          if (schema.required?.includes(key) || this.rng() < 0.5) out[key] = this.sample(child, depth + 1);
        }
        return out;
      }
    }
  }

  private sampleString(schema: SchemaNode): string {
    switch (schema.format) {
      case 'uuid':
        return crypto.randomUUID();
      case 'email':
        return `fuzz${Math.floor(this.rng() * 1e9)}@example.test`;
      case 'date-time':
        return new Date(Date.UTC(2026, 0, 1 + Math.floor(this.rng() * 300))).toISOString();
      case 'uri':
        return 'https://example.test/x';
    }
    const length = Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 12, 12));
    return `fuzz${Math.floor(this.rng() * 1e9)}`.padEnd(length, 'z').slice(0, Math.max(length, 4));
  }

  /**
   * `value` broken in one way: the whole replaced, one field replaced by a hostile value, a field dropped,
   * an unknown or `__proto__` key added, or a field nested far too deep.
   */
  mutate(value: unknown, big: number): unknown {
    const hostile = hostileValues(big);
    const fields = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    const strategy = Math.floor(this.rng() * (fields.length ? 5 : 1));
    if (strategy === 0) return pick(this.rng, hostile);
    const copy = { ...(value as Record<string, unknown>) };
    const field = pick(this.rng, fields);
    switch (strategy) {
      case 1:
        copy[field] = pick(this.rng, hostile);
        return copy;
      case 2:
        delete copy[field];
        return copy;
      case 3:
        return new RawJson(`{"__proto__":{"role":"admin"},${toJsonText(copy).slice(1)}`.replace(',}', '}'));
      default:
        copy[field] = new RawJson(deepJson(64));
        return copy;
    }
  }
}
