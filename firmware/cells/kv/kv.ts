// kv: a key-value store whose whole table is one static region, so its memory use is decided at
// build time: a full table or an oversized entry is an error reply, never an out-of-memory trap.
import { fail } from "../../sdk/cell";

const CAPACITY: i32 = 64;
const MAX_KEY: i32 = 32;
const MAX_VALUE: i32 = 128;

// One slot: used (u8), key length (u8), value length (u8), padding, key bytes, value bytes.
const KEY_AT: usize = 4;
const VALUE_AT: usize = KEY_AT + <usize>MAX_KEY;
const SLOT: usize = VALUE_AT + <usize>MAX_VALUE;
const table: usize = memory.data(<i32>SLOT * CAPACITY);

/** @cell */
export class Kv {
  private entries: u32 = 0;

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
    let slot = this.find(k);
    if (slot == 0) {
      slot = this.freeSlot();
      if (slot == 0) {
        fail("kv full: all " + CAPACITY.toString() + " entries are in use");
        return;
      }
      store<u8>(slot, 1);
      store<u8>(slot, <u8>k.byteLength, 1);
      memory.copy(slot + KEY_AT, changetype<usize>(k), <usize>k.byteLength);
      this.entries++;
    }
    store<u8>(slot, <u8>v.byteLength, 2);
    memory.copy(slot + VALUE_AT, changetype<usize>(v), <usize>v.byteLength);
  }

  /** The value under `key`, or null. */
  get(key: string): string | null {
    const slot = this.find(String.UTF8.encode(key));
    if (slot == 0) return null;
    return String.UTF8.decodeUnsafe(slot + VALUE_AT, <usize>load<u8>(slot, 2));
  }

  /** Removes `key`; false if it was not there. */
  delete(key: string): bool {
    const slot = this.find(String.UTF8.encode(key));
    if (slot == 0) return false;
    store<u8>(slot, 0);
    this.entries--;
    return true;
  }

  /** Number of keys stored. */
  size(): u32 {
    return this.entries;
  }

  /** Every key, in slot order. */
  keys(): string[] {
    const out = new Array<string>(0);
    for (let i = 0; i < CAPACITY; i++) {
      const slot = table + <usize>i * SLOT;
      if (load<u8>(slot) != 0) out.push(String.UTF8.decodeUnsafe(slot + KEY_AT, <usize>load<u8>(slot, 1)));
    }
    return out;
  }

  /** Address of the used slot holding key `k`, or 0. */
  private find(k: ArrayBuffer): usize {
    const n = k.byteLength;
    if (n > MAX_KEY) return 0;
    for (let i = 0; i < CAPACITY; i++) {
      const slot = table + <usize>i * SLOT;
      if (load<u8>(slot) != 0 && <i32>load<u8>(slot, 1) == n && memory.compare(slot + KEY_AT, changetype<usize>(k), <usize>n) == 0) return slot;
    }
    return 0;
  }

  /** Address of an unused slot, or 0 when the table is full. */
  private freeSlot(): usize {
    for (let i = 0; i < CAPACITY; i++) {
      const slot = table + <usize>i * SLOT;
      if (load<u8>(slot) == 0) return slot;
    }
    return 0;
  }
}
