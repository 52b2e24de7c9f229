// kv: a key-value store kept in the node's cell store (sdk/store), so acknowledged writes survive a
// crash and restart of the node. The limits are checked before writing: a full table or an
// oversized entry is an error reply, never a partial write.
import { fail } from "../../sdk/cell";
import { storeGet, storePut, storeDelete, storeNext } from "../../sdk/store";

const CAPACITY: u32 = 64;
const MAX_KEY: i32 = 32;
const MAX_VALUE: i32 = 128;
/** Store keys are "k" + the key, so the empty key is a key too and other records could live beside. */
const PREFIX: u8 = 0x6b;

function storeKey(key: string): ArrayBuffer {
  const k = String.UTF8.encode(key);
  const out = new ArrayBuffer(k.byteLength + 1);
  store<u8>(changetype<usize>(out), PREFIX);
  memory.copy(changetype<usize>(out) + 1, changetype<usize>(k), <usize>k.byteLength);
  return out;
}

function isEntry(k: ArrayBuffer | null): bool {
  return k != null && k.byteLength > 0 && load<u8>(changetype<usize>(k)) == PREFIX;
}

/** The store key after which entries start (the prefix sorts just after it). */
function beforeEntries(): ArrayBuffer {
  const out = new ArrayBuffer(1);
  store<u8>(changetype<usize>(out), PREFIX - 1);
  return out;
}

/** @cell */
export class Kv {
  /** Stores `value` under `key`, replacing what was there. */
  put(key: string, value: string): void {
    const k = String.UTF8.encode(key);
    if (k.byteLength > MAX_KEY) {
      fail("key too long: " + k.byteLength.toString() + " bytes, at most " + MAX_KEY.toString());
      return;
    }
    const v = String.UTF8.encode(value);
    if (v.byteLength > MAX_VALUE) {
      fail("value too long: " + v.byteLength.toString() + " bytes, at most " + MAX_VALUE.toString());
      return;
    }
    const sk = storeKey(key);
    if (storeGet(sk) == null && this.size() >= CAPACITY) {
      fail("kv full: all " + CAPACITY.toString() + " entries are in use");
      return;
    }
    if (storePut(sk, v) != 0) fail("the node's store refused the write");
  }

  /** The value under `key`, or null. */
  get(key: string): string | null {
    const v = storeGet(storeKey(key));
    return v == null ? null : String.UTF8.decode(v);
  }

  /** Removes `key`; false if it was not there. */
  delete(key: string): bool {
    return storeDelete(storeKey(key));
  }

  /** Number of keys stored. */
  size(): u32 {
    let n: u32 = 0;
    for (let k = storeNext(beforeEntries()); isEntry(k); k = storeNext(k!)) n++;
    return n;
  }

  /** Every key, in byte order. */
  keys(): string[] {
    const out = new Array<string>(0);
    for (let k = storeNext(beforeEntries()); isEntry(k); k = storeNext(k!)) {
      out.push(String.UTF8.decodeUnsafe(changetype<usize>(k) + 1, <usize>(k!.byteLength - 1)));
    }
    return out;
  }
}
