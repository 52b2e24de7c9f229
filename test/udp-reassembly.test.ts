// UDP fragment reassembly against a forger (issue 12, finding 6): first fragments that are never
// completed must not hold reassembly full against legitimate senders. No sockets: the
// Reassembler is fed datagrams on a simulated clock.
import test from 'ava';
import fc from 'fast-check';
import { fragment, Reassembler, MAX_PARTIAL, PER_SENDER_PARTIAL, REASSEMBLY_MS } from '../host/transport/udp-fragments.ts';
import { frameTo } from './transport-conformance.ts';

/** Legitimate 1.5 KB calls (two datagrams each) among forged first fragments; returns how many arrived. */
function underForgery(opts: { forgedPerSecond: number; forgerAddresses: number; calls: number; seconds: number }): { arrived: number; r: Reassembler } {
  let clock = 0;
  const r = new Reassembler(() => clock);
  const events: Array<{ at: number; d: Uint8Array; from: string; legit: boolean }> = [];
  const forged = opts.forgedPerSecond * opts.seconds;
  for (let i = 0; i < forged; i++) {
    // A first fragment of a 3 KB message whose other fragments never come.
    const d = fragment(frameTo(2, 0xbad, i & 0xffff, new Uint8Array(3000)))[0]!;
    events.push({ at: (i * 1000) / opts.forgedPerSecond, d, from: `10.0.0.66:${4000 + (i % opts.forgerAddresses)}`, legit: false });
  }
  for (let c = 0; c < opts.calls; c++) {
    const at = 500 + (c * (opts.seconds * 1000 - 1000)) / opts.calls;
    const parts = fragment(frameTo(2, 0x600d, c, Uint8Array.from({ length: 1500 }, (_, k) => (k + c) & 0xff)));
    // The call's two datagrams 1 ms apart, with forged ones free to land between them.
    parts.forEach((d, k) => events.push({ at: at + k, d, from: '10.0.0.7:4700', legit: true }));
  }
  events.sort((a, b) => a.at - b.at);
  let arrived = 0;
  for (const e of events) {
    clock = e.at;
    const whole = r.push(e.d, e.from);
    if (whole && e.legit) arrived++;
  }
  return { arrived, r };
}

test('issue 12 finding 6: a forger sending first fragments at 16/s does not make 1.5 KB calls fail', (t) => {
  const { arrived, r } = underForgery({ forgedPerSecond: 16, forgerAddresses: 1, calls: 16, seconds: 10 });
  t.is(arrived, 16, `${arrived} of 16 legitimate calls reassembled`);
  t.true(r.stats.partials <= MAX_PARTIAL);
  t.true(r.stats.partialsEvicted > 0, 'the forger only evicts its own messages in progress');
});

test('a forger spread over many source ports still leaves room for others', (t) => {
  const { arrived, r } = underForgery({ forgedPerSecond: 256, forgerAddresses: 64, calls: 32, seconds: 5 });
  t.is(arrived, 32, `${arrived} of 32 legitimate calls reassembled`);
  t.true(r.stats.partials <= MAX_PARTIAL);
});

test('reassembly stays within its caps and completes honest messages whatever else arrives (property)', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ sender: fc.integer({ min: 0, max: 40 }), seq: fc.integer({ min: 0, max: 30 }), gapMs: fc.integer({ min: 0, max: 400 }) }), { maxLength: 300 }),
      fc.integer({ min: 1201, max: 6000 }),
      (junk, size) => {
        let clock = 0;
        const r = new Reassembler(() => clock);
        for (const j of junk) {
          clock += j.gapMs;
          r.push(fragment(frameTo(2, 1, j.seq, new Uint8Array(3000)))[0]!, `s${j.sender}`);
          if (r.stats.partials > MAX_PARTIAL) return false;
        }
        // An honest sender's message sent in one burst is always completed.
        const frame = frameTo(2, 7, 7, Uint8Array.from({ length: size - 20 }, (_, i) => i & 0xff));
        let out: Uint8Array | undefined;
        for (const d of fragment(frame)) out = r.push(d, 'honest') ?? out;
        return out !== undefined && Buffer.from(out).equals(Buffer.from(frame)) && r.stats.partials <= MAX_PARTIAL;
      },
    ),
    { numRuns: 200 },
  );
  t.is(PER_SENDER_PARTIAL, 2);
  t.is(REASSEMBLY_MS, 3000);
});

test('one sender beyond its quota replaces its own oldest message; counted', (t) => {
  const r = new Reassembler(() => 0);
  for (let i = 0; i < MAX_PARTIAL + 5; i++) r.push(fragment(frameTo(1, 2, i, new Uint8Array(3000)))[0]!, 'x');
  t.is(r.stats.partials, PER_SENDER_PARTIAL);
  t.is(r.stats.partialsEvicted, MAX_PARTIAL + 5 - PER_SENDER_PARTIAL);
  t.is(r.stats.fragmentsDropped, MAX_PARTIAL + 5 - PER_SENDER_PARTIAL);
});
