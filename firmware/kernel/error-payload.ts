// ERROR payloads, CBOR [code, message] (docs/wire.md): written for the answers the kernel gives
// itself, read for the codes that change what a caller does (OVERLOADED, UNKNOWN_SPECIES).
import { CborWriter } from "../cbor/index";
import { reader } from "./frame-buffers";

const AUX_CAP: i32 = 256;
/** Locally generated ERROR payloads (timeouts) go here: one may be built while TX is in use. */
export const AUX: usize = memory.data(AUX_CAP);
const errWriter = new CborWriter(AUX, AUX_CAP);

/** Writes an ERROR payload [code, message] at ptr; returns its length. */
export function errorPayload(ptr: usize, cap: i32, code: u32, message: string): i32 {
  const w = errWriter;
  w.reset(ptr, cap);
  w.arrayHeader(2);
  w.uint(<u64>code);
  w.text(message);
  return w.length;
}

/** Writes an ERROR payload into AUX; returns its length. */
export function auxErrorPayload(code: u32, message: string): i32 {
  return errorPayload(AUX, AUX_CAP, code, message);
}

/** The code of the ERROR payload [code, message] at ptr, or 0 if it does not decode. */
export function errorCode(ptr: usize, len: i32): u32 {
  reader.reset(ptr, len);
  if (reader.readArrayHeader() < 1) return 0;
  const code = reader.readU32();
  return reader.error == 0 ? code : 0;
}
