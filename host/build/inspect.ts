// Facts about a .wasm read straight from its binary sections: size, memory limits, imports (with
// function signatures), exports, custom sections and the cell's embedded schema. A hand parser
// because WebAssembly.Module does not expose memory limits or import signatures, and because a
// spore from the network must get a precise error, not a compiler stack trace.
import { decodeMemorySection, MEMORY_SECTION } from './cell-memory.ts';

export type ExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

export interface FuncSignature {
  params: string[];
  results: string[];
}

export interface ImportFact {
  module: string;
  name: string;
  kind: ExternKind;
  /** For function imports whose type could be decoded. */
  signature?: FuncSignature;
  /** For memory imports. */
  limits?: Limits;
}

export interface ExportFact {
  name: string;
  kind: ExternKind;
}

export interface Limits {
  initialPages: number;
  /** null when the memory may grow without bound. */
  maximumPages: number | null;
  shared: boolean;
  memory64: boolean;
}

export interface MemoryFacts extends Limits {
  /** True when the memory comes from an import rather than the module's memory section. */
  imported: boolean;
}

export interface WasmFacts {
  sizeBytes: number;
  /** The first memory (imported or declared); null when the module has none. */
  memory: MemoryFacts | null;
  /** Every memory, imported ones first (index order); more than one means multi-memory. */
  memories: MemoryFacts[];
  imports: ImportFact[];
  exports: ExportFact[];
  customSections: string[];
  /** Parsed JSON of the `cell.schema` custom section, when present. */
  schema?: unknown;
  /** Bytes of its memory the cell uses, from the `cell.memory` custom section, when present (host/build/cell-memory.ts). */
  memoryBytes?: number;
}

/** Thrown for input that is not a well-formed WebAssembly binary. */
export class WasmFormatError extends Error {
  override name = 'WasmFormatError';
}

export const SCHEMA_SECTION = 'cell.schema';
export { MEMORY_SECTION };

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const KINDS: ExternKind[] = ['function', 'table', 'memory', 'global', 'tag'];
const VALTYPES: Record<number, string> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref',
};
const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start',
  'element', 'code', 'data', 'datacount', 'tag'];

/** A bounds-checked cursor; every read names the offset where the binary went wrong. */
export class Reader {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number, readonly what: string) {}

  fail(msg: string): never {
    throw new WasmFormatError(`not a valid WebAssembly module: ${msg} in ${this.what} at byte offset ${this.pos}`);
  }

  byte(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos++];
  }

  /** Unsigned LEB128 of at most `bits` bits (32 or 64; 64 is returned as a double and may lose precision). */
  uleb(bits = 32): number {
    let result = 0;
    let scale = 1;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        if (bits === 32 && result > 0xffffffff) this.fail('LEB128 value exceeds 32 bits');
        return result;
      }
    }
    return this.fail(`LEB128 longer than ${maxBytes} bytes`);
  }

  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail(`length ${n} runs past the end`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  name(): string {
    const raw = this.take(this.uleb());
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return this.fail('name is not valid UTF-8');
    }
  }
}

export function readLimits(r: Reader): Limits {
  const flags = r.uleb();
  if (flags > 0x07) r.fail(`unknown limits flags 0x${flags.toString(16)}`);
  const memory64 = (flags & 0x04) !== 0;
  const bits = memory64 ? 64 : 32;
  const initialPages = r.uleb(bits);
  const maximumPages = flags & 0x01 ? r.uleb(bits) : null;
  return { initialPages, maximumPages, shared: (flags & 0x02) !== 0, memory64 };
}

function readValType(r: Reader): string {
  const t = r.byte();
  return VALTYPES[t] ?? `type 0x${t.toString(16)}`;
}

function skipTableType(r: Reader): void {
  r.byte(); // reference type
  readLimits(r);
}

/** Function types by type index; non-function (GC) types end decoding and leave later ones unknown. */
function readTypes(r: Reader): Array<FuncSignature | undefined> {
  const types: Array<FuncSignature | undefined> = [];
  const count = r.uleb();
  for (let i = 0; i < count; i++) {
    if (r.byte() !== 0x60) return types; // a GC/rec type: outside the profile, the profile check names it
    const params = Array.from({ length: r.uleb() }, () => readValType(r));
    const results = Array.from({ length: r.uleb() }, () => readValType(r));
    types.push({ params, results });
  }
  return types;
}

export function inspectWasm(wasm: Uint8Array): WasmFacts {
  if (!(wasm instanceof Uint8Array)) throw new WasmFormatError(`inspectWasm expects a Uint8Array, got ${describe(wasm)}`);
  if (wasm.length < 8) throw new WasmFormatError(`not a WebAssembly module: only ${wasm.length} bytes (a module starts with an 8-byte header)`);
  if (!MAGIC.every((b, i) => wasm[i] === b)) {
    throw new WasmFormatError(`not a WebAssembly module: bad magic bytes ${hex(wasm.subarray(0, 4))} (expected 00 61 73 6d, "\\0asm")`);
  }
  const version = wasm[4] | (wasm[5] << 8) | (wasm[6] << 16) | (wasm[7] << 24);
  if (version !== 1) throw new WasmFormatError(`unsupported WebAssembly binary version ${version >>> 0} (expected 1)`);

  const facts: WasmFacts = { sizeBytes: wasm.length, memory: null, memories: [], imports: [], exports: [], customSections: [] };
  let types: Array<FuncSignature | undefined> = [];
  const top = new Reader(wasm, 8, wasm.length, 'module header');
  while (top.pos < wasm.length) {
    const id = top.byte();
    const size = top.uleb();
    const start = top.pos;
    if (size > wasm.length - start) {
      throw new WasmFormatError(`not a valid WebAssembly module: truncated: ${SECTION_NAMES[id] ?? `unknown(${id})`} section at byte offset ${start} declares ${size} bytes but only ${wasm.length - start} remain`);
    }
    top.pos = start + size;
    const r = new Reader(wasm, start, start + size, `${SECTION_NAMES[id] ?? `unknown(${id})`} section`);
    if (id === 0) {
      const name = r.name();
      facts.customSections.push(name);
      if (name === SCHEMA_SECTION) facts.schema = parseSchema(wasm.subarray(r.pos, r.end));
      if (name === MEMORY_SECTION) {
        if (facts.memoryBytes !== undefined) throw new WasmFormatError(`custom section "${MEMORY_SECTION}" appears twice`);
        try {
          facts.memoryBytes = decodeMemorySection(wasm.subarray(r.pos, r.end));
        } catch (err) {
          throw new WasmFormatError((err as Error).message);
        }
      }
    } else if (id === 1) {
      types = readTypes(r);
    } else if (id === 2) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const name = r.name();
        const kindByte = r.byte();
        const kind = KINDS[kindByte];
        if (!kind) r.fail(`unknown import kind 0x${kindByte.toString(16)} for ${module}.${name}`);
        const fact: ImportFact = { module, name, kind };
        if (kind === 'function') {
          const sig = types[r.uleb()];
          if (sig) fact.signature = sig;
        } else if (kind === 'table') {
          skipTableType(r);
        } else if (kind === 'memory') {
          fact.limits = readLimits(r);
          facts.memories.push({ ...fact.limits, imported: true });
        } else if (kind === 'global') {
          readValType(r);
          r.byte();
        } else {
          r.byte();
          r.uleb();
        }
        facts.imports.push(fact);
      }
    } else if (id === 5) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) facts.memories.push({ ...readLimits(r), imported: false });
    } else if (id === 7) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kindByte = r.byte();
        const kind = KINDS[kindByte];
        if (!kind) r.fail(`unknown export kind 0x${kindByte.toString(16)} for ${name}`);
        r.uleb();
        facts.exports.push({ name, kind });
      }
    } else if (id > 13) {
      r.fail(`unknown section id ${id}`);
    }
  }
  facts.memory = facts.memories[0] ?? null;
  return facts;
}

function parseSchema(raw: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new WasmFormatError(`custom section "${SCHEMA_SECTION}" is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new WasmFormatError(`custom section "${SCHEMA_SECTION}" is not valid JSON: ${(err as Error).message}`);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
