// How many spore chunks one frame carries on this node's links: the kernel's sporeRun
// (docs/spores.md, Transfer). A SPORE_GET asks for a run that one SPORE_DATA answers, and a frame
// too large for a link is lost whole, so the run is the largest power of two whose answer fits
// the smallest frame any of the node's transports carries (UDP: 64 KiB in fragments, the serial
// link: 4 KiB, the SHM ring: a record), capped by the kernel's buffer (SPORE_MAX_RUN).
import { AUTH_TRAILER_BYTES, HEADER_BYTES, SPORE_CHUNK_BYTES, SPORE_HASH_BYTES, SPORE_MAX_BYTES, SPORE_MAX_RUN } from '../wire/protocol-table.ts';
import type { Transport } from '../transport/transport.ts';

/** The largest proof: one sibling per level of a SPORE_MAX_BYTES module's tree. */
const MAX_PROOF_BYTES = Math.ceil(Math.log2(SPORE_MAX_BYTES / SPORE_CHUNK_BYTES)) * SPORE_HASH_BYTES;

/** Frame bytes of a SPORE_DATA with `run` chunks at most: header, [hash, index, chunks, proof] in CBOR, AUTH trailer. */
export function sporeDataBytes(run: number): number {
  const cbor = 1 + (2 + SPORE_HASH_BYTES) + 5 + (3 + run * SPORE_CHUNK_BYTES) + (3 + MAX_PROOF_BYTES);
  return HEADER_BYTES + cbor + AUTH_TRAILER_BYTES;
}

/** The largest run whose SPORE_DATA fits frames of `maxFrame` bytes (1 if even that does not: a chunk always travels alone). */
export function sporeRunFor(maxFrame: number): number {
  let run = SPORE_MAX_RUN;
  while (run > 1 && sporeDataBytes(run) > maxFrame) run >>= 1;
  return run;
}

/** The run for a node with these transports: what the smallest of their frames carries. */
export function sporeRunOf(transports: readonly Transport[]): number {
  return sporeRunFor(Math.min(...transports.map((t) => t.maxFrame ?? Infinity)));
}
