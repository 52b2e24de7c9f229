// Which post-MVP features a .wasm uses, read from its sections and every instruction of its code:
// the feature half of the firmware profile (profile.ts), without loading wabt (several MB of
// JavaScript and its own wasm) into `cell run`. wabt stays the oracle: test/profile.test.ts checks
// this scanner against wabt's validator on modules that use each feature.
import { Reader, readLimits, WasmFormatError } from './inspect.ts';

/** Features the profile forbids (wabt's names); wasm3 on the boards lacks them. */
export const FORBIDDEN_FEATURES = [
  'simd', 'relaxed_simd', 'threads', 'reference_types', 'function_references', 'gc', 'exceptions',
  'tail_call', 'multi_memory', 'memory64', 'extended_const',
] as const;

export type ForbiddenFeature = (typeof FORBIDDEN_FEATURES)[number];

export interface FeatureScan {
  /** Forbidden features the module uses, in FORBIDDEN_FEATURES order. */
  features: ForbiddenFeature[];
  /** Why the binary could not be read to the end (the features found before it are kept), or null. */
  error: string | null;
}

const NUM_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c]);
const V128 = 0x7b;
const FUNCREF = 0x70;
const EXTERNREF = 0x6f;
const REF_NULLABLE = 0x63;
const REF = 0x64;

/** Reads one instruction stream after another and collects what it uses. */
class Scanner {
  readonly used = new Set<ForbiddenFeature>();
  private tables = 0;
  private memories = 0;

  use(f: ForbiddenFeature): void { this.used.add(f); }

  /** Skips a signed or unsigned LEB128 of at most `maxBytes` bytes. */
  leb(r: Reader, maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) if ((r.byte() & 0x80) === 0) return;
    r.fail(`LEB128 longer than ${maxBytes} bytes`);
  }

  valType(r: Reader): void {
    const t = r.byte();
    if (NUM_TYPES.has(t)) return;
    if (t === V128) return this.use('simd');
    if (t === FUNCREF || t === EXTERNREF) return this.use('reference_types');
    if (t === REF || t === REF_NULLABLE) {
      this.use('function_references');
      return this.heapType(r);
    }
    if (t >= 0x69 && t <= 0x74) return this.use('gc'); // abbreviated GC reference types (anyref, eqref, ...)
    r.fail(`unknown value type 0x${t.toString(16)}`);
  }

  heapType(r: Reader): void {
    const first = r.bytes[r.pos];
    if (first === undefined) r.fail('unexpected end');
    if (first !== FUNCREF && first !== EXTERNREF) {
      // Anything but func/extern (a type index or an abstract GC heap type) belongs to GC or typed references.
      if (first >= 0x69 && first <= 0x74) this.use('gc');
      else this.use('function_references');
    }
    this.leb(r, 5); // s33
  }

  blockType(r: Reader): void {
    const b = r.bytes[r.pos];
    if (b === 0x40) { r.pos++; return; }
    // One byte with bit 6 set and no continuation is a negative s33: a value type.
    if (b !== undefined && b >= 0x40 && b < 0x80) return this.valType(r);
    this.leb(r, 5); // a type index (s33): multi-value, which the profile allows
  }

  /** memarg: alignment (bit 6 = a memory index follows) and offset. */
  memArg(r: Reader): void {
    const align = r.uleb();
    if (align & 0x40) {
      if (r.uleb() !== 0) this.use('multi_memory');
    }
    this.leb(r, 10); // the offset is a u64 under memory64, which readLimits has already named
  }

  memIndex(r: Reader): void {
    if (r.uleb() !== 0) this.use('multi_memory');
  }

  tableIndex(r: Reader): void {
    if (r.uleb() !== 0) this.use('reference_types');
  }

  /** A constant expression (global init, data and element offsets), up to its `end`. */
  constExpr(r: Reader): void {
    let instructions = 0;
    for (;;) {
      const op = r.byte();
      if (op === 0x0b) break;
      instructions++;
      if (op === 0x41) this.leb(r, 5);
      else if (op === 0x42) this.leb(r, 10);
      else if (op === 0x43) r.take(4);
      else if (op === 0x44) r.take(8);
      else if (op === 0x23) r.uleb();
      else if (op === 0xd0) { this.use('reference_types'); this.heapType(r); }
      else if (op === 0xd2) { this.use('reference_types'); r.uleb(); }
      else if (op === 0xfd) { this.use('simd'); if (r.uleb() !== 0x0c) r.fail('SIMD instruction in a constant expression'); r.take(16); }
      else if ([0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e].includes(op)) this.use('extended_const');
      else if (op === 0xfb) { this.use('gc'); return this.skipToEnd(r); }
      else r.fail(`opcode 0x${op.toString(16)} in a constant expression`);
    }
    if (instructions !== 1) this.use('extended_const');
  }

  /** After an instruction we cannot decode (GC), the rest of the stream is skipped: its feature is named. */
  skipToEnd(r: Reader): void {
    r.pos = r.end;
  }

  /** Every instruction of one function body (after its locals), to the body's end. */
  code(r: Reader): void {
    while (r.pos < r.end) {
      const op = r.byte();
      if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4)) continue;
      switch (op) {
        case 0x02: case 0x03: case 0x04: this.blockType(r); continue;
        case 0x06: this.use('exceptions'); this.blockType(r); continue; // try
        case 0x07: case 0x08: case 0x09: case 0x18: this.use('exceptions'); r.uleb(); continue; // catch, throw, rethrow, delegate
        case 0x0a: case 0x19: this.use('exceptions'); continue; // throw_ref, catch_all
        case 0x1f: this.tryTable(r); continue;
        case 0x0c: case 0x0d: case 0x10: r.uleb(); continue;
        case 0x0e: { const n = r.uleb(); for (let i = 0; i <= n; i++) r.uleb(); continue; }
        case 0x11: r.uleb(); this.tableIndex(r); continue;
        case 0x12: this.use('tail_call'); r.uleb(); continue;
        case 0x13: this.use('tail_call'); r.uleb(); this.tableIndex(r); continue;
        case 0x14: this.use('function_references'); r.uleb(); continue;
        case 0x15: this.use('function_references'); this.use('tail_call'); r.uleb(); continue;
        // Typed select: allowed with number types (wabt and wasm3 take it); a reference type is named by valType.
        case 0x1c: { const n = r.uleb(); for (let i = 0; i < n; i++) this.valType(r); continue; }
        case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: r.uleb(); continue;
        case 0x25: case 0x26: this.use('reference_types'); r.uleb(); continue;
        case 0x3f: case 0x40: this.memIndex(r); continue;
        case 0x41: this.leb(r, 5); continue;
        case 0x42: this.leb(r, 10); continue;
        case 0x43: r.take(4); continue;
        case 0x44: r.take(8); continue;
        case 0xd0: this.use('reference_types'); this.heapType(r); continue;
        case 0xd1: this.use('reference_types'); continue;
        case 0xd2: this.use('reference_types'); r.uleb(); continue;
        case 0xd3: this.use('gc'); continue;
        case 0xd4: this.use('function_references'); continue;
        case 0xd5: case 0xd6: this.use('function_references'); r.uleb(); continue;
        case 0xfb: this.use('gc'); return this.skipToEnd(r);
        case 0xfc: this.prefixFC(r); continue;
        case 0xfd: this.prefixSimd(r); continue;
        case 0xfe: this.prefixAtomic(r); continue;
      }
      if (op >= 0x28 && op <= 0x3e) { this.memArg(r); continue; }
      r.fail(`unknown opcode 0x${op.toString(16)}`);
    }
  }

  tryTable(r: Reader): void {
    this.use('exceptions');
    this.blockType(r);
    const n = r.uleb();
    for (let i = 0; i < n; i++) {
      const kind = r.byte();
      if (kind > 3) r.fail(`unknown catch kind ${kind}`);
      if (kind < 2) r.uleb(); // tag
      r.uleb(); // label
    }
  }

  /** 0xFC: saturating truncation and bulk memory (allowed), table instructions (reference types). */
  prefixFC(r: Reader): void {
    const sub = r.uleb();
    if (sub <= 7) return;
    switch (sub) {
      case 8: r.uleb(); this.memIndex(r); return; // memory.init
      case 9: r.uleb(); return; // data.drop
      case 10: this.memIndex(r); this.memIndex(r); return; // memory.copy
      case 11: this.memIndex(r); return; // memory.fill
      case 12: r.uleb(); this.tableIndex(r); return; // table.init
      case 13: r.uleb(); return; // elem.drop
      case 14: this.tableIndex(r); this.tableIndex(r); return; // table.copy
      case 15: case 16: case 17: this.use('reference_types'); r.uleb(); return; // table.grow/size/fill
    }
    r.fail(`unknown 0xFC instruction ${sub}`);
  }

  prefixSimd(r: Reader): void {
    const sub = r.uleb();
    if (sub >= 0x100 && sub <= 0x113) { this.use('relaxed_simd'); return; }
    this.use('simd');
    if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) this.memArg(r);
    else if (sub === 0x0c || sub === 0x0d) r.take(16);
    else if (sub >= 0x15 && sub <= 0x22) r.byte();
    else if (sub >= 0x54 && sub <= 0x5b) { this.memArg(r); r.byte(); }
    else if (sub > 0xff) r.fail(`unknown SIMD instruction 0x${sub.toString(16)}`);
  }

  prefixAtomic(r: Reader): void {
    this.use('threads');
    const sub = r.uleb();
    if (sub === 0x03) r.byte(); // atomic.fence
    else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) this.memArg(r);
    else r.fail(`unknown atomic instruction 0x${sub.toString(16)}`);
  }

  // Sections --------------------------------------------------------------------------------

  types(r: Reader): void {
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      const form = r.byte();
      if (form !== 0x60) {
        this.use('gc'); // rec groups, struct and array types
        return this.skipToEnd(r);
      }
      for (let k = 0; k < 2; k++) {
        const n = r.uleb();
        for (let j = 0; j < n; j++) this.valType(r);
      }
    }
  }

  tableType(r: Reader): void {
    this.tables++;
    if (this.tables > 1) this.use('reference_types');
    const b = r.bytes[r.pos];
    if (b === 0x40) { this.use('function_references'); r.pos++; r.byte(); } // a table with an initialiser
    const t = r.byte();
    if (t === EXTERNREF) this.use('reference_types');
    else if (t === REF || t === REF_NULLABLE) { this.use('function_references'); this.heapType(r); }
    else if (t !== FUNCREF) r.fail(`unknown table element type 0x${t.toString(16)}`);
    this.limits(r, false);
    if (b === 0x40) this.constExpr(r);
  }

  limits(r: Reader, memory: boolean): void {
    const l = readLimits(r);
    if (!memory) return;
    this.memories++;
    if (this.memories > 1) this.use('multi_memory');
    if (l.shared) this.use('threads');
    if (l.memory64) this.use('memory64');
  }

  imports(r: Reader): void {
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) r.uleb();
      else if (kind === 1) this.tableType(r);
      else if (kind === 2) this.limits(r, true);
      else if (kind === 3) { this.valType(r); r.byte(); }
      else if (kind === 4) { this.use('exceptions'); r.byte(); r.uleb(); }
      else r.fail(`unknown import kind 0x${kind.toString(16)}`);
    }
  }

  globals(r: Reader): void {
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      this.valType(r);
      r.byte();
      this.constExpr(r);
    }
  }

  elements(r: Reader): void {
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      const flags = r.uleb();
      if (flags > 7) r.fail(`unknown element segment flags ${flags}`);
      const passive = (flags & 1) !== 0;
      const explicitTable = (flags & 2) !== 0;
      const exprs = (flags & 4) !== 0;
      if (!passive && explicitTable) this.tableIndex(r);
      if (!passive) this.constExpr(r);
      if (passive || explicitTable) {
        // elemkind (0x00: funcref) or a reference type
        const kind = r.byte();
        if (exprs) {
          if (kind === EXTERNREF) this.use('reference_types');
          else if (kind === REF || kind === REF_NULLABLE) { this.use('function_references'); this.heapType(r); }
        } else if (kind !== 0) r.fail(`unknown element kind 0x${kind.toString(16)}`);
      }
      const n = r.uleb();
      for (let j = 0; j < n; j++) {
        if (exprs) this.constExpr(r);
        else r.uleb();
      }
    }
  }

  codes(r: Reader): void {
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      const size = r.uleb();
      const end = r.pos + size;
      if (size > r.end - r.pos) r.fail(`function body ${i} declares ${size} bytes but only ${r.end - r.pos} remain`);
      const body = new Reader(r.bytes, r.pos, end, `code of function ${i}`);
      const groups = body.uleb();
      for (let g = 0; g < groups; g++) {
        body.uleb();
        this.valType(body);
      }
      this.code(body);
      r.pos = end;
    }
  }

  data(r: Reader): void {
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      const flags = r.uleb();
      if (flags === 2) this.memIndex(r);
      else if (flags !== 0 && flags !== 1) r.fail(`unknown data segment flags ${flags}`);
      if (flags !== 1) this.constExpr(r);
      r.take(r.uleb());
    }
  }
}

/** The forbidden features `wasm` uses. Never throws for bad input: an unreadable part is `error`. */
export function scanFeatures(wasm: Uint8Array): FeatureScan {
  const s = new Scanner();
  let error: string | null = null;
  try {
    if (wasm.length < 8) throw new WasmFormatError(`not a WebAssembly module: only ${wasm.length} bytes`);
    const top = new Reader(wasm, 8, wasm.length, 'module header');
    while (top.pos < wasm.length) {
      const id = top.byte();
      const size = top.uleb();
      if (size > wasm.length - top.pos) top.fail(`section ${id} declares ${size} bytes but only ${wasm.length - top.pos} remain`);
      const r = new Reader(wasm, top.pos, top.pos + size, `section ${id}`);
      top.pos += size;
      switch (id) {
        case 1: s.types(r); break;
        case 2: s.imports(r); break;
        case 4: { const n = r.uleb(); for (let i = 0; i < n; i++) s.tableType(r); break; }
        case 5: { const n = r.uleb(); for (let i = 0; i < n; i++) s.limits(r, true); break; }
        case 6: s.globals(r); break;
        case 9: s.elements(r); break;
        case 10: s.codes(r); break;
        case 11: s.data(r); break;
        case 13: s.use('exceptions'); break;
        default: if (id > 13) r.fail(`unknown section id ${id}`);
      }
    }
  } catch (err) {
    if (!(err instanceof WasmFormatError)) throw err;
    error = err.message;
  }
  return { features: FORBIDDEN_FEATURES.filter((f) => s.used.has(f)), error };
}
