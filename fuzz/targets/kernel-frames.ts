// The firmware kernel's receive path (k_on_frame in build/kernel.host.wasm): its header check,
// then PING/PONG/ANNOUNCE/CALL/REPLY/ERROR decoding and the firmware CBOR reader under them.
// The kernel hosts the real echo cell in slot 0, so CALL payloads reach a cell through the HAL.
import { KernelInstance } from '../../host/runtime/kernel-instance.ts';
import { kernelResultName } from '../../host/runtime/kernel-stats.ts';
import type { CellInstance } from '../../host/runtime/cell-instance.ts';
import { checkFrame, encodeFrame, HeaderReject, MsgType, HEADER_BYTES } from '../../host/wire/header.ts';
import { encodeCbor } from '../../host/wire/cbor.ts';

import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';
import { validFrames, FUZZ_NODE, FUZZ_PEER, FUZZ_SPECIES } from '../valid-frames.ts';

/** Every this many inputs, a good PING must still draw a PONG: the kernel's state is not corrupted. */
const LIVENESS_EVERY = 4096;

export function kernelTarget(module: WebAssembly.Module, echo: CellInstance): FuzzTarget {
  let now = 0;
  const sent: Uint8Array[] = [];
  const kernel = KernelInstance.instantiate(module, {
    send: (frame) => {
      sent.push(frame.slice());
    },
    now: () => now,
    random: () => 0x9e3779b9,
    cellCall: (_slot, input, out) => echo.handleInto(input, out),
    deliver: () => {},
  });
  kernel.init(FUZZ_NODE, 0);
  kernel.host(0, FUZZ_SPECIES);
  kernel.addPeer(FUZZ_PEER);
  let nextWake = kernel.tick(0);
  let inputs = 0;
  const probe = encodeFrame({ type: MsgType.PING, flags: 0, src: FUZZ_PEER, dst: FUZZ_NODE, species: 0, seq: 1 }, encodeCbor([0.5]));

  function checkSent(): void {
    for (const f of sent) {
      const r = checkFrame(f);
      if (r !== 0) throw new InvariantViolation(`the kernel sent a malformed frame (${HeaderReject[r]})`);
      if ((f[4]! | (f[5]! << 8) | (f[6]! << 16) | (f[7]! << 24)) >>> 0 !== FUZZ_NODE) throw new InvariantViolation('the kernel sent a frame under another src');
    }
    sent.length = 0;
  }

  const examples = validFrames(kernel.coordDims + 2);
  return {
    name: 'kernel',
    what: "firmware kernel k_on_frame: header check, every message type's payload, firmware CBOR reader, a cell behind CALL",
    examples,
    maxRandomBytes: 96,
    // A good frame from a random sender with a random seq: fills the peer table and the replay cache as strangers would.
    generate(rng) {
      const f = examples[rng.int(examples.length)]!.slice();
      const dv = new DataView(f.buffer);
      dv.setUint32(4, rng.u32(), true);
      dv.setUint16(16, rng.int(0x10000), true);
      return f;
    },
    run(input) {
      now += 1;
      if (now >= nextWake) nextWake = kernel.tick(now);
      const rc = kernel.onFrame(input);
      // The host codec and the kernel's header check must reject the same frames for the same reason.
      const host = input.length > kernel.bufCap ? HeaderReject.TOO_LARGE : checkFrame(input);
      if (host !== 0 && rc !== -host) throw new InvariantViolation(`header: host says ${HeaderReject[host]}, kernel returned ${rc} (${kernelResultName(-rc)})`);
      if (host === 0 && rc < 0 && rc >= -HeaderReject.TOO_LARGE) throw new InvariantViolation(`header: the host accepts, the kernel rejected with ${kernelResultName(-rc)}`);
      checkSent();
      if (++inputs % LIVENESS_EVERY === 0) {
        kernel.onFrame(probe);
        const pong = sent.some((f) => f[2] === MsgType.PONG && ((f[8]! | (f[9]! << 8) | (f[10]! << 16) | (f[11]! << 24)) >>> 0) === FUZZ_PEER);
        checkSent();
        if (!pong) throw new InvariantViolation('a good PING drew no PONG: the kernel stopped answering');
      }
      if (rc === 0) return input.length >= HEADER_BYTES ? `ok ${MsgType[input[2]!] ?? '?'}` : 'ok';
      return kernelResultName(-rc);
    },
  };
}
