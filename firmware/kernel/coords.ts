// Interim coordinate adapter (replaced by the Vivaldi integration).
import { CborWriter, CborReader } from "../cbor/index";
import { peerCoordLen } from "./peers";

export function coordsInit(self: u32): void {}
export function coordsOfferPeer(id: u32): void {}
export function coordsNextProbe(r: u32): u32 { return 0; }
export function coordsWrite(w: CborWriter): void { w.arrayHeader(0); }
export function coordsReadPeer(r: CborReader, peer: i32): bool { const n = r.readArrayHeader(); for (let i = 0; i < n; i++) r.readF64(); return r.error == 0; }
export function coordsOnPong(src: u32, rtt: f64, r: CborReader, peer: i32): bool { return coordsReadPeer(r, peer); }
export function coordsGossipPick(r: u32, exclude: u32): u32 { return 0; }
export function coordsWord(i: i32): f64 { return 0; }
export function predictToPeer(i: i32): f64 { return peerCoordLen(i) > 0 ? 0 : Infinity; }
export function coordsDims(): i32 { return 0; }
export function coordsPredictWords(ptr: usize): f64 { return Infinity; }
