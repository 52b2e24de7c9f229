// What a cell's handlers import to keep state across restarts: `import { storeGet } from "../../sdk/store";`.
// A call's writes become durable together before its REPLY is sent; a call that fails (fail(), a
// trap) leaves the store as it was. Keys are 1..64 bytes, values up to 1024, at most 1024 keys.
import { halStoreGet, halStorePut, halStoreDel, halStoreNext } from "../hal/store";

export const STORE_MAX_KEY: i32 = 64;
export const STORE_MAX_VALUE: i32 = 1024;

// One scratch buffer for what the host copies out; results are copied into fresh ArrayBuffers.
const SCRATCH: usize = memory.data(STORE_MAX_VALUE);

function copyOut(n: i32): ArrayBuffer | null {
  if (n < 0 || n > STORE_MAX_VALUE) return null;
  const out = new ArrayBuffer(n);
  memory.copy(changetype<usize>(out), SCRATCH, <usize>n);
  return out;
}

/** The value under `key`, or null. */
export function storeGet(key: ArrayBuffer): ArrayBuffer | null {
  return copyOut(halStoreGet(changetype<usize>(key), key.byteLength, SCRATCH, STORE_MAX_VALUE));
}

/** Stores `value` under `key`: 0, or 1 key size, 2 value size, 3 store full (nothing written). */
export function storePut(key: ArrayBuffer, value: ArrayBuffer): i32 {
  return -halStorePut(changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength);
}

/** Removes `key`; false if it was not there. */
export function storeDelete(key: ArrayBuffer): bool {
  return halStoreDel(changetype<usize>(key), key.byteLength) == 1;
}

/** The first key after `key` in byte order (pass an empty buffer for the first key), or null. */
export function storeNext(key: ArrayBuffer): ArrayBuffer | null {
  return copyOut(halStoreNext(changetype<usize>(key), key.byteLength, SCRATCH, STORE_MAX_KEY));
}
