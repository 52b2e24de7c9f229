// The spore run a node asks for (host/runtime/spore-run.ts): the largest whose SPORE_DATA fits the
// smallest frame of its transports, so no run is too large for a link it may travel.
import test from 'ava';
import fc from 'fast-check';
import { sporeDataBytes, sporeRunFor, sporeRunOf } from '../host/runtime/spore-run.ts';
import { UDP_MAX_FRAME } from '../host/transport/udp-fragments.ts';
import { DEFAULT_SERIAL_MAX_FRAME } from '../host/wire/serial-framing.ts';
import { encodeCbor } from '../host/wire/cbor.ts';
import { AUTH_TRAILER_BYTES, FRAME_BYTES, HEADER_BYTES, HOST_BUF_BYTES, SPORE_MAX_RUN } from '../host/wire/protocol-table.ts';
import type { Transport } from '../host/transport/transport.ts';

const transport = (maxFrame?: number): Transport => ({ name: 't', send() {}, onFrame() {}, stats: { framesIn: 0, framesOut: 0, dropped: 0 }, close: async () => {}, maxFrame });

test('spore run: UDP and the loopback carry the kernel\'s largest run, a serial link 2 chunks, a board\'s 2 KiB frame 1', (t) => {
  t.is(sporeRunFor(UDP_MAX_FRAME), SPORE_MAX_RUN);
  t.is(sporeRunOf([transport()]), SPORE_MAX_RUN);
  t.is(sporeRunFor(DEFAULT_SERIAL_MAX_FRAME), 2);
  t.is(sporeRunFor(FRAME_BYTES), 1);
  t.is(sporeRunFor(0), 1);
  t.is(sporeRunOf([transport(UDP_MAX_FRAME), transport(DEFAULT_SERIAL_MAX_FRAME)]), 2, 'the smallest frame decides');
  // The largest run fits the host kernel's buffer.
  t.true(sporeDataBytes(SPORE_MAX_RUN) <= HOST_BUF_BYTES);
});

test('spore run (property): the largest SPORE_DATA of the chosen run fits the frame, and twice the run would not (unless capped)', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200_000 }), (maxFrame) => {
      const run = sporeRunFor(maxFrame);
      const fits = sporeDataBytes(run) <= maxFrame || run === 1;
      const largest = run === SPORE_MAX_RUN || sporeDataBytes(run * 2) > maxFrame;
      return fits && largest && (run & (run - 1)) === 0;
    }),
  );
  // sporeDataBytes is an upper bound of a real frame: a run of the kernel's largest at the highest index of a 4 MiB module.
  const real = HEADER_BYTES + encodeCbor([new Uint8Array(32), 4064, new Uint8Array(SPORE_MAX_RUN * 1024), new Uint8Array(7 * 32)]).length + AUTH_TRAILER_BYTES;
  t.true(real <= sporeDataBytes(SPORE_MAX_RUN), `${real} <= ${sporeDataBytes(SPORE_MAX_RUN)}`);
});
