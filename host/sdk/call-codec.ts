// The host side of a call, driven by the schema: CALL payloads out, REPLY and ERROR payloads in
// (docs/wire.md). Checking values here means a typo fails on the caller's machine with a message
// naming the argument, instead of a round trip that ends in ERROR 3.
import { decodeCbor, encodeCbor } from '../wire/cbor.ts';
import { ErrorCode } from '../wire/error-codes.ts';
import { findMethod, formatType, SchemaError, type CellSchema, type ResultType, type SchemaMethod, type SchemaType } from './schema.ts';

export class CallCodecError extends Error {}

export interface CellErrorPayload {
  code: number;
  /** The code's name in docs/wire.md (ErrorCode), or `ERROR_<code>` for a code this host does not know. */
  name: string;
  message: string;
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  i8: [-128n, 127n], u8: [0n, 255n], i16: [-32768n, 32767n], u16: [0n, 65535n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n], u32: [0n, 2n ** 32n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n], u64: [0n, 2n ** 64n - 1n],
};

/** CBOR CALL payload `[method_index, ...args]`, each argument checked against the schema. */
export function encodeCall(schema: CellSchema, method: string, args: unknown[]): Uint8Array {
  const { index, method: m } = lookup(schema, method);
  const where = `${schema.name}.${m.name}`;
  if (!Array.isArray(args)) throw new CallCodecError(`${where}: arguments must be an array`);
  if (args.length !== m.params.length) {
    throw new CallCodecError(`${where} takes ${m.params.length} argument${m.params.length === 1 ? '' : 's'} (${signature(m)}), got ${args.length}`);
  }
  const wire = m.params.map((p, i) => toWire(schema, p.type, args[i], `${where}: argument ${p.name}`));
  return encodeCbor([index, ...wire]);
}

/** A REPLY payload as the schema says: 64-bit integers as bigint, bytes as Uint8Array, void as undefined. */
export function decodeReply(schema: CellSchema, method: string, bytes: Uint8Array): unknown {
  const { method: m } = lookup(schema, method);
  const where = `reply from ${schema.name}.${m.name}`;
  let value: unknown;
  try {
    value = decodeCbor(bytes);
  } catch (e) {
    throw new CallCodecError(`${where}: not CBOR (${(e as Error).message})`);
  }
  return fromWire(schema, m.result, value, where);
}

/** An ERROR payload `[code, message]`. */
export function decodeError(bytes: Uint8Array): CellErrorPayload {
  let value: unknown;
  try {
    value = decodeCbor(bytes);
  } catch (e) {
    throw new CallCodecError(`ERROR payload is not CBOR (${(e as Error).message})`);
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'string') {
    throw new CallCodecError(`ERROR payload must be [code, message], got ${show(value)}`);
  }
  const code = typeof value[0] === 'bigint' ? Number(value[0]) : value[0];
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0) {
    throw new CallCodecError(`ERROR payload code must be an unsigned integer, got ${show(value[0])}`);
  }
  return { code, name: ErrorCode[code] ?? `ERROR_${code}`, message: value[1] };
}

/**
 * Arguments from JSON, as the CLI takes them: an object by parameter name
 * (`{"symbol":"BTC","amount":5}`), an array in order, or a bare value for a one-parameter method.
 * JSON has no bigint or bytes, so 64-bit integers may also be decimal strings and bytes a
 * `"0x..."` hex string or an array of numbers. The result is ready for encodeCall.
 */
export function argsFromJson(schema: CellSchema, method: string, json: unknown): unknown[] {
  const { method: m } = lookup(schema, method);
  const where = `${schema.name}.${m.name}`;
  let values: unknown[];
  if (Array.isArray(json)) {
    values = json;
  } else if (json !== null && typeof json === 'object') {
    const obj = json as Record<string, unknown>;
    const unknownKey = Object.keys(obj).find((k) => !m.params.some((p) => p.name === k));
    if (unknownKey !== undefined) {
      throw new CallCodecError(`${where} has no parameter ${JSON.stringify(unknownKey)}; its parameters are (${signature(m)})`);
    }
    values = m.params.map((p) => {
      if (Object.hasOwn(obj, p.name)) return obj[p.name];
      if (typeof p.type === 'object' && 'nullable' in p.type) return null;
      throw new CallCodecError(`${where}: missing argument ${p.name} (${formatType(p.type)})`);
    });
  } else if (m.params.length === 1) {
    values = [json];
  } else {
    throw new CallCodecError(`${where} takes ${m.params.length} arguments (${signature(m)}): pass a JSON object by name or an array, got ${show(json)}`);
  }
  if (values.length !== m.params.length) {
    throw new CallCodecError(`${where} takes ${m.params.length} argument${m.params.length === 1 ? '' : 's'} (${signature(m)}), got ${values.length}`);
  }
  return m.params.map((p, i) => fromJson(schema, p.type, values[i], `${where}: argument ${p.name}`));
}

function lookup(schema: CellSchema, method: string): { index: number; method: SchemaMethod } {
  try {
    return findMethod(schema, method);
  } catch (e) {
    if (e instanceof SchemaError) throw new CallCodecError(e.message);
    throw e;
  }
}

function signature(m: SchemaMethod): string {
  return m.params.map((p) => `${p.name}: ${formatType(p.type)}`).join(', ');
}

function mismatch(where: string, t: ResultType, v: unknown, why = ''): never {
  throw new CallCodecError(`${where}: expected ${formatType(t)}${why ? ` (${why})` : ''}, got ${show(v)}`);
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

// Lone surrogates have no UTF-8 form; the cell's reader would reject the whole call.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A JS value checked against `t`, in the form cbor-x encodes as the cell expects. */
function toWire(schema: CellSchema, t: SchemaType, v: unknown, where: string): unknown {
  if (typeof t === 'string') {
    switch (t) {
      case 'bool':
        if (typeof v !== 'boolean') mismatch(where, t, v);
        return v;
      case 'f32': case 'f64':
        if (typeof v !== 'number') mismatch(where, t, v);
        return v;
      case 'string':
        if (typeof v !== 'string') mismatch(where, t, v);
        if (LONE_SURROGATE.test(v)) mismatch(where, t, v, 'unpaired surrogate: not encodable as UTF-8');
        return v;
      case 'bytes':
        if (!(v instanceof Uint8Array)) mismatch(where, t, v, 'a Uint8Array');
        return v;
      default: {
        const n = integer(t, v, where);
        // Safe integers as numbers: cbor-x then writes the shortest form, as the cell's writer does.
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
    }
  }
  if ('array' in t) {
    if (!Array.isArray(v)) mismatch(where, t, v);
    return v.map((x, i) => toWire(schema, t.array, x, `${where}[${i}]`));
  }
  if ('nullable' in t) return v === null ? null : toWire(schema, t.nullable, v, where);
  return structFields(schema, t.struct, v, where, (ft, fv, fw) => toWire(schema, ft, fv, fw));
}

function integer(t: string, v: unknown, where: string): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) mismatch(where, t as SchemaType, v, 'beyond 2^53: pass a bigint');
  else mismatch(where, t as SchemaType, v, t === 'i64' || t === 'u64' ? 'a bigint or an integer number' : 'an integer number');
  const [lo, hi] = INT_RANGES[t];
  if (n < lo || n > hi) mismatch(where, t as SchemaType, v, `out of range ${lo}..${hi}`);
  return n;
}

/** A struct value: exactly its fields, rebuilt in declaration order (the order the cell writes). */
function structFields(
  schema: CellSchema, name: string, v: unknown, where: string,
  convert: (t: SchemaType, v: unknown, where: string) => unknown,
): Record<string, unknown> {
  const def = schema.types[name];
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) mismatch(where, { struct: name }, v, 'an object');
  const obj = v as Record<string, unknown>;
  const extra = Object.keys(obj).find((k) => !def.fields.some((f) => f.name === k));
  if (extra !== undefined) mismatch(where, { struct: name }, v, `struct ${name} has no field ${extra}`);
  const out: Record<string, unknown> = {};
  for (const f of def.fields) {
    if (!Object.hasOwn(obj, f.name)) mismatch(where, { struct: name }, v, `missing field ${f.name}`);
    out[f.name] = convert(f.type, obj[f.name], `${where}.${f.name}`);
  }
  return out;
}

/** A decoded CBOR value checked against `t` and given its host form. */
function fromWire(schema: CellSchema, t: ResultType, v: unknown, where: string): unknown {
  if (t === 'void') {
    if (v !== null && v !== undefined) mismatch(where, t, v, 'null');
    return undefined;
  }
  if (typeof t === 'string') {
    switch (t) {
      case 'bool': case 'string':
        if (typeof v !== (t === 'bool' ? 'boolean' : 'string')) mismatch(where, t, v);
        return v;
      case 'f32': case 'f64':
        if (typeof v !== 'number') mismatch(where, t, v);
        return v;
      case 'bytes':
        if (!(v instanceof Uint8Array)) mismatch(where, t, v);
        return new Uint8Array(v); // cbor-x hands out Buffers; callers get the plain type they were promised
      default: {
        if (typeof v === 'number' && !Number.isInteger(v)) mismatch(where, t, v);
        const n = integer(t, v, where);
        return t === 'i64' || t === 'u64' ? n : Number(n);
      }
    }
  }
  if ('array' in t) {
    if (!Array.isArray(v)) mismatch(where, t, v);
    return v.map((x, i) => fromWire(schema, t.array, x, `${where}[${i}]`));
  }
  if ('nullable' in t) return v === null || v === undefined ? null : fromWire(schema, t.nullable, v, where);
  return structFields(schema, t.struct, v, where, (ft, fv, fw) => fromWire(schema, ft, fv, fw));
}

/** A JSON value for `t`, with the JSON spellings of bigint and bytes turned into the real thing. */
function fromJson(schema: CellSchema, t: SchemaType, v: unknown, where: string): unknown {
  if (typeof t === 'string') {
    if ((t === 'i64' || t === 'u64') && typeof v === 'string') {
      if (!/^-?\d+$/.test(v)) mismatch(where, t, v, 'a JSON number or a decimal string');
      return BigInt(v);
    }
    if (t === 'bytes') {
      if (typeof v === 'string') {
        const hex = v.startsWith('0x') ? v.slice(2) : '';
        if (!v.startsWith('0x') || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) mismatch(where, t, v, 'a "0x..." hex string or an array of byte values');
        return Uint8Array.from(Buffer.from(hex, 'hex'));
      }
      if (Array.isArray(v)) {
        if (!v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) mismatch(where, t, v, 'byte values are integers 0..255');
        return Uint8Array.from(v as number[]);
      }
      mismatch(where, t, v, 'a "0x..." hex string or an array of byte values');
    }
    return v;
  }
  if ('array' in t) {
    if (!Array.isArray(v)) mismatch(where, t, v);
    return v.map((x, i) => fromJson(schema, t.array, x, `${where}[${i}]`));
  }
  if ('nullable' in t) return v === null ? null : fromJson(schema, t.nullable, v, where);
  return structFields(schema, t.struct, v, where, (ft, fv, fw) => fromJson(schema, ft, fv, fw));
}
