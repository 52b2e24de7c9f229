// The firmware CBOR reader and writer (firmware/cbor), through the test harness
// (test/harness/cbor-harness.ts) compiled with the firmware's own settings: decode any input,
// re-encode what was read. Never a trap; what it accepts, skip() accepts to the same end, the
// host decoder accepts too (but for map keys that are containers), and re-encoding it again changes nothing.
import { CborError } from '../../host/wire/protocol-table.ts';
import { decodeCbor } from '../../host/wire/cbor.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';
import { cborExamples } from '../cbor-examples.ts';

export interface CborHarness {
  memory: WebAssembly.Memory;
  inPtr(): number;
  outPtr(): number;
  bufCap(): number;
  recode(len: number, alloc: number): number;
  skipAll(len: number): number;
}

/** recode()'s own code for an output overflow (not a reader code). */
const WRITER_OVERFLOW = 100;

export function firmwareCborTarget(h: CborHarness, seed: number): FuzzTarget {
  const cap = h.bufCap();
  const mem = () => new Uint8Array(h.memory.buffer);
  const name = (code: number) => (code === WRITER_OVERFLOW ? 'WRITER_OVERFLOW' : (CborError[code] ?? `code ${code}`));
  return {
    name: 'firmware-cbor',
    what: 'firmware CBOR reader/writer (firmware/cbor via test/harness/cbor-harness.ts): recode, skip, agree with the host',
    examples: cborExamples(seed),
    maxRandomBytes: 64,
    run(input) {
      if (input.length > cap) return 'longer than the harness buffer';
      // The zero-allocation calls, as the kernel uses them (the harness's runtime never frees).
      const alloc = 0;
      mem().set(input, h.inPtr());
      const n = h.recode(input.length, alloc);
      const skipped = h.skipAll(input.length);
      if (n < 0) {
        if (n === -WRITER_OVERFLOW) return name(WRITER_OVERFLOW);
        // OVERFLOW is well-formed CBOR the typed read cannot hold (an integer below -2^63): skip() rightly accepts it.
        if (skipped === input.length && -n !== CborError.OVERFLOW) throw new InvariantViolation(`recode refused (${name(-n)}) what skip() accepts`);
        return name(-n);
      }
      if (skipped !== input.length) throw new InvariantViolation(`recode accepted what skip() refused (${name(-skipped)})`);
      const out = mem().slice(h.outPtr(), h.outPtr() + n);
      try {
        decodeCbor(input);
      } catch (err) {
        // The host reads maps as objects, so a map key that is an array or a map cannot be held: a known difference.
        if (/property name/.test((err as Error).message)) return 'ok; host refuses a container map key';
        throw new InvariantViolation(`the firmware accepts what the host decoder refuses: ${(err as Error).message}`);
      }
      mem().set(out, h.inPtr());
      const n2 = h.recode(out.length, alloc);
      if (n2 !== out.length || Buffer.compare(mem().subarray(h.outPtr(), h.outPtr() + n2), out) !== 0) {
        throw new InvariantViolation('re-encoding the firmware\'s own output changed it');
      }
      return 'ok';
    },
  };
}
