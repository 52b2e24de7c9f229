// Support for the dispatcher that `cell build` generates (host/sdk/codegen-dispatch.ts): argument
// decoding with a memory budget, and the REPLY / ERROR payloads of docs/wire.md. Handlers never
// import this; they use ./cell.
import { CBOR_MAX_DEPTH, CborError, CborReader, CborWriter } from "../cbor/index";
import { failureMessage } from "./cell";

// The ERROR codes a cell sends itself (E_*) and the argument problems past CborError's range
// (ARG_*, recorded with CborReader.fail()) are in docs/protocol.toml.
import { E_UNKNOWN_METHOD, E_BAD_ARGS, E_CELL_ERROR, E_TOO_LARGE, ARG_OVER_BUDGET, ARG_BAD_FIELD, ARG_NOT_A_CALL } from "../protocol/table";

/**
 * The heap one object of `payload` bytes takes: TLSF's 4-byte block header, AssemblyScript's
 * 16-byte object header and the payload, in the allocator's 16-byte granules, at least 32
 * (std/assembly/rt/tlsf.ts computeSize). Exact, not a guess: a cell's memory may be only what it
 * declares (cell.toml `memory`), and `cell build` reserves the budget below it.
 */
function objectCost(payload: i32): i32 {
  const block = (payload + 20 + 15) & ~15;
  return block < 32 ? 32 : block;
}

// An Array keeps room for at least this many elements (std/assembly/array.ts MIN_SIZE).
const ARRAY_MIN_CAPACITY: i32 = 8;

let outPtr: usize = 0;
let outCap: i32 = 0;
let writer = new CborWriter(0, 0);

/** Where REPLY and ERROR payloads go: the generated entry's static output buffer. */
export function useOutput(ptr: usize, cap: i32): void {
  outPtr = ptr;
  outCap = cap;
  writer.reset(ptr, cap);
}

/**
 * A CALL payload `[method_index, arg0, ...]` being decoded. Every read is checked by the CBOR
 * reader; what it allocates is charged to `budget` first (at what the allocator really takes), so
 * no payload can exhaust the cell's memory (a trap there would take the cell's state with it).
 */
export class CallReader {
  readonly cbor: CborReader;
  /** Arguments after the method index; -1 until beginCall(). */
  argc: i32 = -1;
  private budget: i32;
  private depth: i32 = 0;

  constructor(ptr: usize, len: i32, budget: i32) {
    this.cbor = new CborReader(ptr, len);
    this.budget = budget;
  }

  /** No error so far. */
  get ok(): bool {
    return this.cbor.error == 0;
  }

  /** The first error: a CborError or one of the ARG_ codes. */
  get error(): i32 {
    return this.cbor.error;
  }

  /** Reads the array head and the method index; sets argc. */
  beginCall(): u64 {
    // Shape errors are checked before reading, so they are reported as "not a CALL" rather
    // than as the reader's generic "wrong type". An empty payload stays TRUNCATED.
    if (this.cbor.peekMajor() == 4) {
      const n = this.cbor.readArrayHeader();
      if (n >= 1 && this.cbor.peekMajor() == 0) {
        this.argc = n - 1;
        return this.cbor.readUint();
      }
      if (n < 0) return 0; // a truncated or indefinite array: the reader's error says which
    }
    this.cbor.fail(ARG_NOT_A_CALL);
    return 0;
  }

  /** True when nothing follows the CALL array. */
  end(): bool {
    return this.cbor.expectEnd();
  }

  bool(): bool {
    return this.cbor.readBool();
  }

  i8(): i8 {
    return <i8>this.ranged(-128, 127);
  }

  u8(): u8 {
    return <u8>this.ranged(0, 255);
  }

  i16(): i16 {
    return <i16>this.ranged(-32768, 32767);
  }

  u16(): u16 {
    return <u16>this.ranged(0, 65535);
  }

  i32(): i32 {
    return this.cbor.readI32();
  }

  u32(): u32 {
    return this.cbor.readU32();
  }

  i64(): i64 {
    return this.cbor.readInt();
  }

  u64(): u64 {
    return this.cbor.readUint();
  }

  f32(): f32 {
    return <f32>this.cbor.readF64();
  }

  f64(): f64 {
    return this.cbor.readF64();
  }

  string(): string {
    const n = this.cbor.readTextRaw();
    // UTF-16 needs at most two bytes per UTF-8 byte.
    if (!this.ok || !this.charge(objectCost(2 * n))) return "";
    return String.UTF8.decodeUnsafe(this.cbor.lastPtr, <usize>n, false);
  }

  bytes(): Uint8Array {
    const n = this.cbor.readBytesRaw();
    if (!this.ok || !this.charge(objectCost(<i32>offsetof<Uint8Array>()) + objectCost(n))) return new Uint8Array(0);
    const data = new Uint8Array(n);
    memory.copy(data.dataStart, this.cbor.lastPtr, <usize>n);
    return data;
  }

  /** Consumes a null and returns true; otherwise reads nothing. */
  isNull(): bool {
    return this.cbor.readNull();
  }

  /**
   * An array head whose elements take `elementSize` bytes each; 0 on error or over budget.
   * `objects`: 2 for an Array (its header and its buffer), 1 for a StaticArray.
   */
  arrayLength(elementSize: usize, objects: i32): i32 {
    const n = this.cbor.readArrayHeader();
    if (n < 0) return 0;
    // n is at most the payload length (the reader checks), so the products cannot overflow.
    const cost = objects == 2
      ? objectCost(<i32>offsetof<Array<i32>>()) + objectCost(max(n, ARRAY_MIN_CAPACITY) * <i32>elementSize)
      : objectCost(n * <i32>elementSize);
    if (!this.charge(cost)) return 0;
    return n;
  }

  /**
   * A struct's map head: its pair count, 0 on error. Nesting is limited to CBOR_MAX_DEPTH so a
   * self-referencing struct cannot recurse deep enough to exhaust an MCU's small wasm3 stack.
   */
  beginStruct(): i32 {
    if (!this.ok) return 0;
    if (++this.depth > CBOR_MAX_DEPTH) {
      this.cbor.fail(CborError.TOO_DEEP);
      return 0;
    }
    const n = this.cbor.readMapHeader();
    return n < 0 ? 0 : n;
  }

  endStruct(): void {
    this.depth--;
  }

  /**
   * A struct instance with every field zero, built without its constructor (which may take
   * arguments); null once decoding has failed, which callers never look at since r.ok is false.
   */
  newStruct<T>(): T {
    if (!this.ok || !this.charge(objectCost(<i32>offsetof<T>()))) return changetype<T>(0);
    return changetype<T>(__new(offsetof<T>(), idof<T>()));
  }

  /** Records an unknown, repeated or missing struct field. */
  badField(): void {
    this.cbor.fail(ARG_BAD_FIELD);
  }

  private ranged(min: i32, max: i32): i32 {
    const v = this.cbor.readI32();
    if (v < min || v > max) this.cbor.fail(CborError.OVERFLOW);
    return v;
  }

  private charge(bytes: i32): bool {
    const cost = (bytes + 15) & ~15;
    if (cost > this.budget) {
      this.cbor.fail(ARG_OVER_BUDGET);
      this.budget = 0;
      return false;
    }
    this.budget -= cost;
    return true;
  }
}

/** Human words for a reader error, for "bad args: ..." messages. */
export function problemText(code: i32): string {
  switch (code) {
    case CborError.TRUNCATED: return "truncated";
    case CborError.WRONG_TYPE: return "wrong type";
    case CborError.OVERFLOW: return "out of range";
    case CborError.INDEFINITE: return "indefinite-length item";
    case CborError.TOO_DEEP: return "nested too deep";
    case CborError.BAD_UTF8: return "invalid UTF-8";
    case CborError.RESERVED: return "malformed CBOR";
    case CborError.UNSUPPORTED: return "unsupported CBOR item (tag or simple value)";
    case CborError.TRAILING: return "trailing bytes";
    case ARG_OVER_BUDGET: return "too large for the cell's memory";
    case ARG_BAD_FIELD: return "unknown, repeated or missing struct field";
    case ARG_NOT_A_CALL: return "not a CALL payload [method_index, ...args]";
    default: return "error " + code.toString();
  }
}

// ---- replies: each returns what cell_handle returns (length of a REPLY, or -length of an ERROR) ----

/** Writes ERROR [code, message] to the output buffer; cuts the message to fit. */
export function replyError(code: u32, message: string): i32 {
  const w = writer;
  w.reset(outPtr, outCap);
  w.arrayHeader(2);
  w.uint(code);
  w.text(message);
  if (w.overflow) {
    const utf8 = Uint8Array.wrap(String.UTF8.encode(message));
    // Room left after the 1-byte array head, a 1-byte code and a text head of up to 3 bytes.
    let n = min(utf8.length, outCap - 5);
    // Cut at a character boundary: back up over continuation bytes (10xxxxxx).
    if (n < utf8.length) while (n > 0 && (utf8[n] & 0xc0) == 0x80) n--;
    w.reset(outPtr, outCap);
    w.arrayHeader(2);
    w.uint(code);
    w.textRaw(utf8.dataStart, max(n, 0));
  }
  return -w.length;
}

export function unknownMethod(index: u64): i32 {
  return replyError(E_UNKNOWN_METHOD, "unknown method " + index.toString());
}

/** The payload is not `[method_index, ...]`, or something follows the array. */
export function badCall(r: CallReader): i32 {
  return replyError(E_BAD_ARGS, "bad args: " + problemText(r.error));
}

export function badArity(method: string, expected: i32, got: i32): i32 {
  const noun = expected == 1 ? " argument" : " arguments";
  return replyError(E_BAD_ARGS, "bad args: " + method + " takes " + expected.toString() + noun + ", got " + got.toString());
}

/** Argument `position` (1-based) did not decode as `type`. */
export function badArg(r: CallReader, method: string, position: i32, name: string, type: string): i32 {
  const what = method + " argument " + position.toString() + " (" + name + ": " + type + ")";
  if (r.error == ARG_OVER_BUDGET) return replyError(E_TOO_LARGE, "args too large: " + what + " does not fit the cell's memory");
  return replyError(E_BAD_ARGS, "bad args: " + what + ": " + problemText(r.error));
}

/** The handler called fail(message). */
export function replyFailure(): i32 {
  return replyError(E_CELL_ERROR, failureMessage());
}

/** A writer over the output buffer for the REPLY payload. */
export function beginReply(): CborWriter {
  writer.reset(outPtr, outCap);
  return writer;
}

export function endReply(w: CborWriter): i32 {
  if (w.overflow) return replyError(E_TOO_LARGE, "result too large: more than " + outCap.toString() + " bytes");
  return w.length;
}
