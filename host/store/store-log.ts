// The on-disk format of a cell's store: an append-only log of records, one record per committed
// call (all of that call's writes, so a call's writes land together or not at all).
//
//   record = u32 bodyLength, u32 crc32(body), body          (little-endian)
//   body   = u16 opCount, op*
//   op     = u8 1 (put), u16 keyLength, key, u32 valueLength, value
//          | u8 2 (delete), u16 keyLength, key
//
// A crash can leave the last record torn (short, or with bytes that never reached the disk):
// readStoreLog stops at the first record that is incomplete or fails its CRC, so the state is
// that of the last complete record, and the caller truncates the tail before appending again.
import { crc32 } from 'node:zlib';

export type StoreOp = { key: Uint8Array; value: Uint8Array } | { key: Uint8Array; value: null };

const PUT = 1;
const DEL = 2;
const RECORD_HEAD = 8;

export function encodeRecord(ops: readonly StoreOp[]): Uint8Array {
  if (ops.length > 0xffff) throw new RangeError(`a store record holds at most 65535 writes, got ${ops.length}`);
  let size = 2;
  for (const op of ops) size += 3 + op.key.length + (op.value ? 4 + op.value.length : 0);
  const out = Buffer.alloc(RECORD_HEAD + size);
  let at = RECORD_HEAD;
  at = out.writeUInt16LE(ops.length, at);
  for (const op of ops) {
    at = out.writeUInt8(op.value ? PUT : DEL, at);
    at = out.writeUInt16LE(op.key.length, at);
    out.set(op.key, at);
    at += op.key.length;
    if (op.value) {
      at = out.writeUInt32LE(op.value.length, at);
      out.set(op.value, at);
      at += op.value.length;
    }
  }
  out.writeUInt32LE(size, 0);
  out.writeUInt32LE(crc32(out.subarray(RECORD_HEAD)), 4);
  return out;
}

export interface StoreLogContents {
  /** The records' writes in order, one array per complete record. */
  records: StoreOp[][];
  /** Bytes of complete records: everything after this is a torn or corrupt tail. */
  goodBytes: number;
}

export function readStoreLog(bytes: Uint8Array): StoreLogContents {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: StoreOp[][] = [];
  let at = 0;
  while (at + RECORD_HEAD <= buf.length) {
    const size = buf.readUInt32LE(at);
    const end = at + RECORD_HEAD + size;
    if (size < 2 || end > buf.length) break;
    const body = buf.subarray(at + RECORD_HEAD, end);
    if (crc32(body) !== buf.readUInt32LE(at + 4)) break;
    const ops = decodeBody(body);
    if (!ops) break;
    records.push(ops);
    at = end;
  }
  return { records, goodBytes: at };
}

/** The ops of a body whose CRC matched; null if they do not fill it exactly (a bug or a collision). */
function decodeBody(body: Buffer): StoreOp[] | null {
  const n = body.readUInt16LE(0);
  const ops: StoreOp[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    if (at + 3 > body.length) return null;
    const kind = body[at]!;
    const keyLen = body.readUInt16LE(at + 1);
    at += 3;
    if (at + keyLen > body.length) return null;
    const key = new Uint8Array(body.subarray(at, at + keyLen));
    at += keyLen;
    if (kind === DEL) {
      ops.push({ key, value: null });
      continue;
    }
    if (kind !== PUT || at + 4 > body.length) return null;
    const valueLen = body.readUInt32LE(at);
    at += 4;
    if (at + valueLen > body.length) return null;
    ops.push({ key, value: new Uint8Array(body.subarray(at, at + valueLen)) });
    at += valueLen;
  }
  return at === body.length ? ops : null;
}
