// Exposes the firmware header codec (firmware/kernel/header.ts) to the tests through WASM.
import "../../firmware/hal/hal";
import { headerCheck, headerWrite, hType, hFlags, hSrc, hDst, hSpecies, hSeq, hLength } from "../../firmware/kernel/header";

const CAP: i32 = 4096;
const BUF: usize = memory.data(CAP);

export function buf(): usize { return BUF; }
export function cap(): i32 { return CAP; }
export function check(len: i32): i32 { return headerCheck(BUF, len); }
export function write(type: u8, flags: u8, src: u32, dst: u32, species: u32, seq: u16, length: u16): void {
  headerWrite(BUF, type, flags, src, dst, species, seq, length);
}
export function type(): u8 { return hType(BUF); }
export function flags(): u8 { return hFlags(BUF); }
export function src(): u32 { return hSrc(BUF); }
export function dst(): u32 { return hDst(BUF); }
export function species(): u32 { return hSpecies(BUF); }
export function seq(): u16 { return hSeq(BUF); }
export function length(): u16 { return hLength(BUF); }
