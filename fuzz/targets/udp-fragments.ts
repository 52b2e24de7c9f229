// UDP fragment reassembly (host/transport/udp-fragments.ts): hostile fragments from strangers,
// interleaved with a legitimate message sent in fragments from its own address. Whatever the
// strangers send, a reassembled frame has a valid header, and the legitimate message, when it
// comes out, is byte for byte what was sent. A legitimate message that never comes out (the
// strangers held the reassembly table: issue #12, finding 6) is counted, not a crash.
import { Reassembler, fragment, REASSEMBLY_MS } from '../../host/transport/udp-fragments.ts';
import { checkFrame, encodeFrame, Flag, HeaderReject, MsgType } from '../../host/wire/header.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';
import { FUZZ_NODE, FUZZ_PEER, FUZZ_SPECIES } from '../valid-frames.ts';

const STRANGERS = ['10.0.0.1:9', '10.0.0.2:9', '[fe80::1]:9'];
const LEGIT = '10.0.0.99:5000';
const LEGIT_BYTES = 3000;

function bigCall(seq: number, n: number): Uint8Array {
  const payload = Uint8Array.from({ length: n }, (_, i) => (i * 7 + seq) & 0xff);
  return encodeFrame({ type: MsgType.CALL, flags: 0, src: FUZZ_PEER, dst: FUZZ_NODE, species: FUZZ_SPECIES, seq }, payload);
}

export function udpFragmentsTarget(): FuzzTarget {
  let now = 0;
  const r = new Reassembler(() => now);
  let seq = 1;
  let legit = bigCall(seq, LEGIT_BYTES);
  let parts = fragment(legit);
  let next = 0;
  return {
    name: 'udp-fragments',
    what: 'UDP fragment reassembly, a legitimate message interleaved (host/transport/udp-fragments.ts)',
    examples: [...fragment(bigCall(5, 2500)), ...fragment(bigCall(6, 5000)), ...fragment(bigCall(7, 1300))],
    maxRandomBytes: 1300,
    run(input, rng) {
      now += 1;
      let reason: string;
      // The transport hands over only datagrams with a valid header and the FRAGMENT flag.
      const bad = checkFrame(input);
      if (bad !== 0) reason = `header ${HeaderReject[bad]}`;
      else if (!(input[3]! & Flag.FRAGMENT)) reason = 'not a fragment';
      else {
        const dropped = r.stats.fragmentsDropped;
        const whole = r.push(input, STRANGERS[rng.int(STRANGERS.length)]!);
        if (whole && checkFrame(whole) !== 0) throw new InvariantViolation('reassembled a frame with a bad header');
        reason = whole ? 'reassembled' : r.stats.fragmentsDropped > dropped ? 'fragment dropped' : 'fragment held';
      }
      // One fragment of the legitimate message per input.
      const got = r.push(parts[next++]!, LEGIT);
      if (got && Buffer.compare(got, legit) !== 0) throw new InvariantViolation('the legitimate message came out altered');
      if (next === parts.length) {
        if (!got) reason += '; legitimate message lost';
        // A new seq each time, so it never meets a stale partial of its own.
        seq = (seq % 0xffff) + 1;
        legit = bigCall(seq, LEGIT_BYTES);
        parts = fragment(legit);
        next = 0;
      }
      // Now and then time jumps past the reassembly timeout, as on a real link.
      if (rng.int(1000) === 0) now += REASSEMBLY_MS + 1;
      return reason;
    },
  };
}
