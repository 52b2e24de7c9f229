// Test and tuning entry for Vivaldi (test/vivaldi.test.ts, simulator/vivaldi-bench.ts). One
// instance is one node, running the same per-node code the kernel calls; the host moves PING and
// PONG payloads between instances through buf(). Not shipped.
import "../../firmware/hal/hal";
import { CborReader, CborWriter } from "../../firmware/cbor/index";
import {
  vivInit, vivOnPong, vivWord, offerPeer, nextProbeTarget, gossipPick, coordWrite, coordRead,
  vivaldiPredict, vivaldiStat, filteredRtt, VIV_DIMS, VIV_WORDS,
} from "../../firmware/kernel/vivaldi-node";
import { vivaldiUpdate } from "../../firmware/kernel/vivaldi";
import { nbCount, recordSample } from "../../firmware/kernel/neighbours";
import { vivaldiTune, LF_SAMPLES, NB_SLOTS, NB_MAX_MISSES } from "../../firmware/kernel/vivaldi-config";
import { LF_BYTES, lfClear, lfPush, lfValue } from "../../firmware/kernel/latency-filter";

const CAP: i32 = 512;
const BUF: usize = memory.data(CAP);
// A peer's coordinate as the kernel's peer table would hold it.
const PEER: usize = memory.data(VIV_WORDS * 8, 8);
// A stand-alone filter ring for the filter's own tests.
const RING: usize = memory.data(LF_BYTES, 8);

const reader = new CborReader(BUF, 0);
const writer = new CborWriter(BUF, CAP);

export function buf(): usize { return BUF; }
export function bufCap(): i32 { return CAP; }
export function dims(): i32 { return VIV_DIMS; }
export function filterSamples(): i32 { return LF_SAMPLES; }
export function slots(): i32 { return NB_SLOTS; }
export function maxMisses(): i32 { return NB_MAX_MISSES; }
export function peerPtr(): usize { return PEER; }

export function init(self: u32, seed: u32): void { vivInit(self, seed); }
export function offer(id: u32): bool { return offerPeer(id); }
export function next(r: u32): u32 { return nextProbeTarget(r); }
export function neighbours(): i32 { return nbCount(); }
/** Records an RTT sample for `id` without a coordinate (the neighbour table's view only). */
export function sample(id: u32, rttMs: f64): i32 { return recordSample(id, rttMs); }
export function filtered(id: u32): f64 { return filteredRtt(id); }
export function word(i: i32): f64 { return vivWord(i); }
export function stat(id: i32): u32 { return vivaldiStat(id); }
export function tune(id: i32, v: f64): bool { return vivaldiTune(id, v); }

/** PING = [t_sent_ms] into buf; returns its length. */
export function ping(now: f64): i32 {
  writer.reset(BUF, CAP);
  writer.arrayHeader(1);
  writer.f64(now);
  return writer.overflow ? -1 : writer.length;
}

/** Answers the PING of `len` bytes in buf from `src` with a PONG in buf; returns its length or -1. */
export function onPing(len: i32, src: u32, r: u32): i32 {
  reader.reset(BUF, len);
  const n = reader.readArrayHeader();
  const t = reader.readF64();
  if (reader.error != 0 || n < 1) return -1;
  offerPeer(src);
  writer.reset(BUF, CAP);
  writer.arrayHeader(3);
  writer.f64(t);
  coordWrite(writer);
  writer.uint(<u64>gossipPick(r, src));
  return writer.overflow ? -1 : writer.length;
}

/** Handles a PONG of `len` bytes in buf from `src` received at `now`: 0, or -1 if malformed. */
export function onPong(len: i32, src: u32, now: f64, seed: u32): i32 {
  reader.reset(BUF, len);
  const n = reader.readArrayHeader();
  const t = reader.readF64();
  if (reader.error != 0 || n != 3) return -1;
  if (!vivOnPong(src, now - t, reader, PEER, seed)) return -1;
  const g = reader.readU32();
  if (reader.error != 0) return -1;
  if (g != 0) offerPeer(g);
  return 0;
}

/** This node's coordinate as CBOR in buf; returns its length. */
export function writeCoord(): i32 {
  writer.reset(BUF, CAP);
  coordWrite(writer);
  return writer.overflow ? -1 : writer.length;
}

/** Decodes a coordinate of `len` bytes in buf into the peer slot; 1 ok, 0 rejected. */
export function readCoord(len: i32): i32 {
  reader.reset(BUF, len);
  return coordRead(reader, PEER) ? 1 : 0;
}

/** Predicted RTT to the coordinate in the peer slot. */
export function predictPeer(): f64 { return vivaldiPredict(PEER); }

/** A raw update against the words the host wrote at peerPtr(), bypassing wire and filter. */
export function updateRaw(rttMs: f64, seed: u32): bool { return vivaldiUpdate(rttMs, PEER, seed); }

export function filterClear(): void { lfClear(RING); }
export function filterPush(rttMs: f64): void { lfPush(RING, rttMs); }
export function filterValue(): f64 { return lfValue(RING); }
