// Valid frames of every message type, the starting points most targets mutate: what a real peer
// sends, so mutations land near the paths a decoder takes for good input.
import { MsgType, BROADCAST, encodeFrame } from '../host/wire/header.ts';
import { encodeCbor } from '../host/wire/cbor.ts';
import { forgedAnnounce } from '../simulator/chaos/forged-frames.ts';

/** The node id the fuzzed kernel runs as, and a peer that talks to it. */
export const FUZZ_NODE = 0x0c0ffee1;
export const FUZZ_PEER = 0x0badf00d;
/** A species the fuzzed kernel hosts (slot 0). */
export const FUZZ_SPECIES = 0x67ced2b5;

const f64Array = (n: number, v: number) => {
  // CBOR [v, v, ...] with every item a float64, as the kernel writes coordinates
  const out = new Uint8Array(1 + 9 * n);
  out[0] = 0x80 | n;
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    out[1 + 9 * i] = 0xfb;
    dv.setFloat64(2 + 9 * i, v + i);
  }
  return out;
};

/** One valid frame of each kind a kernel receives, addressed to FUZZ_NODE (or broadcast, or "any host"). */
export function validFrames(coordWords = 6): Uint8Array[] {
  const to = (type: MsgType, payload: Uint8Array, dst = FUZZ_NODE, species = 0, seq = 7, flags = 0) =>
    encodeFrame({ type, flags, src: FUZZ_PEER, dst, species, seq }, payload);
  // PING [t_sent]; PONG [t_sent, coordinate, gossip id]
  const ping = Buffer.concat([Uint8Array.of(0x81, 0xfb), new Uint8Array(new Float64Array([1234.5]).buffer).reverse()]);
  const pong = Buffer.concat([Uint8Array.of(0x83, 0xfb), new Uint8Array(new Float64Array([1234.5]).buffer).reverse(), f64Array(coordWords, 1), Uint8Array.of(0x1a, 0x12, 0x34, 0x56, 0x78)]);
  return [
    to(MsgType.PING, ping),
    to(MsgType.PONG, pong),
    forgedAnnounce(FUZZ_PEER, [FUZZ_SPECIES, 1, 2], coordWords),
    to(MsgType.CALL, encodeCbor([0, 'hello']), FUZZ_NODE, FUZZ_SPECIES, 9),
    to(MsgType.CALL, encodeCbor([1, 2, 3]), 0, FUZZ_SPECIES, 10, 1),
    to(MsgType.CALL, encodeCbor([2, new Uint8Array(300)]), FUZZ_NODE, FUZZ_SPECIES, 11),
    to(MsgType.REPLY, encodeCbor('world'), FUZZ_NODE, FUZZ_SPECIES, 1),
    to(MsgType.ERROR, encodeCbor([3, 'bad args']), FUZZ_NODE, FUZZ_SPECIES, 1),
    to(MsgType.PING, ping, BROADCAST),
    to(MsgType.SPORE_GET, encodeCbor([FUZZ_SPECIES])),
  ];
}
