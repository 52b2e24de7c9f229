// The canonical schema of a cell: what its species id is a hash of (docs/species.md).
// Language-neutral on purpose: the AssemblyScript parser produces it, the host codec and the
// client generator consume it, and any other cell language would have to produce the same bytes.

/** Wire-level value types. `bytes` is a CBOR byte string; every integer width is a CBOR integer. */
export const SCALAR_TYPES = [
  'bool', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64', 'string', 'bytes',
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

export type SchemaType =
  | ScalarType
  | { array: SchemaType }
  | { nullable: SchemaType }
  | { struct: string };

/** A handler result: any value type, or `void` (the REPLY payload is CBOR null). */
export type ResultType = SchemaType | 'void';

export interface SchemaField {
  name: string;
  type: SchemaType;
}

export interface SchemaMethod {
  name: string;
  /** Positional on the wire; names are kept for the CLI's `{"name": value}` form and the client. */
  params: SchemaField[];
  result: ResultType;
}

export interface SchemaStruct {
  /** Declaration order; a struct travels as a CBOR map keyed by these names. */
  fields: SchemaField[];
}

export interface CellSchema {
  /** Service name from cell.toml `[cell] name`. */
  name: string;
  /** Source order: a method's index in this list is its number in a CALL payload. */
  methods: SchemaMethod[];
  /** Structs reachable from the methods, by name. */
  types: Record<string, SchemaStruct>;
}

export class SchemaError extends Error {}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
export const SERVICE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** Checks that `value` is a well-formed schema (no extra keys, every struct defined) and returns it typed. */
export function validateSchema(value: unknown): CellSchema {
  const s = expectObject(value, 'schema', ['name', 'methods', 'types']);
  if (typeof s.name !== 'string' || !SERVICE_NAME.test(s.name)) {
    throw new SchemaError(`schema.name must match ${SERVICE_NAME} (lowercase service name), got ${JSON.stringify(s.name)}`);
  }
  const types = expectObject(s.types, 'schema.types');
  for (const [name, def] of Object.entries(types)) {
    if (!IDENT.test(name)) throw new SchemaError(`schema.types: ${JSON.stringify(name)} is not an identifier`);
    const st = expectObject(def, `schema.types.${name}`, ['fields']);
    checkFields(st.fields, `schema.types.${name}.fields`, types);
  }
  if (!Array.isArray(s.methods)) throw new SchemaError('schema.methods must be an array');
  const seen = new Set<string>();
  s.methods.forEach((m: unknown, i: number) => {
    const where = `schema.methods[${i}]`;
    const mo = expectObject(m, where, ['name', 'params', 'result']);
    if (typeof mo.name !== 'string' || !IDENT.test(mo.name)) throw new SchemaError(`${where}.name must be an identifier`);
    if (seen.has(mo.name)) throw new SchemaError(`${where}: duplicate method name ${mo.name}`);
    seen.add(mo.name);
    checkFields(mo.params, `${where}.params`, types);
    if (mo.result !== 'void') checkType(mo.result, `${where}.result`, types);
  });
  return value as CellSchema;
}

function checkFields(value: unknown, where: string, types: Record<string, unknown>): void {
  if (!Array.isArray(value)) throw new SchemaError(`${where} must be an array`);
  const seen = new Set<string>();
  value.forEach((f: unknown, i: number) => {
    const fo = expectObject(f, `${where}[${i}]`, ['name', 'type']);
    if (typeof fo.name !== 'string' || !IDENT.test(fo.name)) throw new SchemaError(`${where}[${i}].name must be an identifier`);
    if (seen.has(fo.name)) throw new SchemaError(`${where}: duplicate name ${fo.name}`);
    seen.add(fo.name);
    checkType(fo.type, `${where}[${i}].type`, types);
  });
}

function checkType(t: unknown, where: string, types: Record<string, unknown>): void {
  if (typeof t === 'string') {
    if (!(SCALAR_TYPES as readonly string[]).includes(t)) {
      throw new SchemaError(`${where}: unknown type ${JSON.stringify(t)} (expected one of ${SCALAR_TYPES.join(', ')}, or {array}, {nullable}, {struct})`);
    }
    return;
  }
  if (t === null || typeof t !== 'object' || Array.isArray(t) || Object.keys(t).length !== 1) {
    throw new SchemaError(`${where}: a type is a scalar name or an object with exactly one of array, nullable, struct`);
  }
  const o = t as Record<string, unknown>;
  if ('array' in o) return checkType(o.array, `${where}.array`, types);
  if ('nullable' in o) {
    // T | null | null is just T | null: one spelling keeps the canonical form unique.
    if (o.nullable !== null && typeof o.nullable === 'object' && 'nullable' in o.nullable) {
      throw new SchemaError(`${where}: nullable of nullable`);
    }
    return checkType(o.nullable, `${where}.nullable`, types);
  }
  if ('struct' in o) {
    if (typeof o.struct !== 'string' || !Object.hasOwn(types, o.struct)) {
      throw new SchemaError(`${where}: struct ${JSON.stringify(o.struct)} is not defined in schema.types`);
    }
    return;
  }
  throw new SchemaError(`${where}: unknown type constructor ${JSON.stringify(Object.keys(o)[0])}`);
}

function expectObject(value: unknown, where: string, keys?: string[]): Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SchemaError(`${where} must be an object`);
  if (keys) {
    for (const k of Object.keys(value)) if (!keys.includes(k)) throw new SchemaError(`${where}: unexpected key ${JSON.stringify(k)}`);
    for (const k of keys) if (!(k in value)) throw new SchemaError(`${where}: missing key ${JSON.stringify(k)}`);
  }
  return value as Record<string, any>;
}

/**
 * The canonical JSON text of a schema: object keys sorted by code unit, no whitespace, arrays
 * (methods, params, fields) in their given order because positions are on the wire.
 */
export function canonicalSchemaJson(schema: CellSchema): string {
  validateSchema(schema);
  return canonicalJson(schema);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A type as people write it, for messages: `u64`, `string[]`, `Order | null`. */
export function formatType(t: ResultType): string {
  if (typeof t === 'string') return t;
  if ('array' in t) {
    const inner = formatType(t.array);
    return typeof t.array === 'object' && 'nullable' in t.array ? `(${inner})[]` : `${inner}[]`;
  }
  if ('nullable' in t) return `${formatType(t.nullable)} | null`;
  return t.struct;
}

/** Finds a method by name, with a message listing what exists. */
export function findMethod(schema: CellSchema, method: string): { index: number; method: SchemaMethod } {
  const index = schema.methods.findIndex((m) => m.name === method);
  if (index < 0) {
    const known = schema.methods.map((m) => m.name).join(', ') || '(none)';
    throw new SchemaError(`${schema.name} has no method ${JSON.stringify(method)}; its methods are: ${known}`);
  }
  return { index, method: schema.methods[index] };
}
