// A Vivaldi coordinate on the wire, carried by PONG, ANNOUNCE and any message that piggybacks it:
// CBOR array of VIV_WORDS float64s [c0 .. c(D-1), height, error] (docs/vivaldi.md).
//
// API:
//   coordWrite(w)              this node's coordinate
//   coordRead(r, out): bool    decodes a peer's coordinate into VIV_WORDS f64s at `out`; false (and
//                              counted, `out` untouched) for a wrong arity, non-numbers, NaN/inf or magnitudes above
//                              VIV_COORD_MAX. The reader always ends after the whole array, so the
//                              caller can go on reading the fields that follow.
import { CborWriter, CborReader } from "../cbor/index";
import { VIV_DIMS, VIV_WORDS } from "./vivaldi-config";
import { ownCoord, ownHeight, ownError, coordValid } from "./vivaldi";
import { vivCount } from "./vivaldi-stats";
import { VS_BAD_COORD } from "../protocol/table";

// Decoded here and copied out only when valid, so a rejected coordinate leaves `out` untouched.
const TMP: usize = memory.data(VIV_WORDS * 8, 8);

export function coordWrite(w: CborWriter): void {
  w.arrayHeader(VIV_WORDS);
  for (let i = 0; i < VIV_DIMS; i++) w.f64(ownCoord(i));
  w.f64(ownHeight());
  w.f64(ownError());
}

export function coordRead(r: CborReader, out: usize): bool {
  const n = r.readArrayHeader();
  if (n < 0) {
    vivCount(VS_BAD_COORD);
    return false;
  }
  for (let i = 0; i < n; i++) {
    // Surplus items are skipped, not read as floats, so the reader stays in step whatever they are.
    if (i < VIV_WORDS) store<f64>(TMP + (<usize>i << 3), r.readF64());
    else r.skip();
  }
  // A coordinate of another dimension (other firmware) cannot be compared with ours: reject it.
  if (n != VIV_WORDS || r.error != 0 || !coordValid(TMP)) {
    vivCount(VS_BAD_COORD);
    return false;
  }
  memory.copy(out, TMP, <usize>(VIV_WORDS * 8));
  return true;
}
