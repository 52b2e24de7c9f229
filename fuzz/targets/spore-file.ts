// The .spore decoder and verifier (host/spore/spore-file.ts, manifest.ts, verify-spore.ts): what
// a node reads from disk or, once fetched, from strangers. Any input is refused with a listed
// reason or verifies; it never throws, and only the untouched example verifies.
import { decodeManifest, encodeManifest } from '../../host/spore/manifest.ts';
import { SporeError, SPORE_REJECT_REASONS } from '../../host/spore/spore-error.ts';
import { TrustStore } from '../../host/spore/trust.ts';
import { verifySpore } from '../../host/spore/verify-spore.ts';
import { vectorKey, vectorSpore, VECTOR_ISSUED } from '../valid-spores.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';

export function sporeFileTarget(): FuzzTarget {
  const examples = [vectorSpore(), vectorSpore({ padding: 1500, successor: vectorKey(7).publicKey }), vectorSpore({ padding: 40, revision: 9 })];
  const good = new Set(examples.map((e) => Buffer.from(e).toString('hex')));
  const trust = new TrustStore({ authorities: [vectorKey().publicKey] });
  return {
    name: 'spore-file',
    what: '.spore prelude, manifest (deterministic CBOR) and verification (host/spore)',
    examples,
    maxRandomBytes: 600,
    run(input) {
      const r = verifySpore(input, { trust, now: VECTOR_ISSUED + 60 });
      if (r.ok) {
        if (!good.has(Buffer.from(input).toString('hex'))) throw new InvariantViolation('a changed spore verified');
        return 'ok';
      }
      if (!SPORE_REJECT_REASONS.includes(r.reason)) throw new InvariantViolation(`unlisted reason ${String(r.reason)}`);
      // The manifest alone: refused with a SporeError, or read and re-encoded to the same bytes.
      const m = input.subarray(8, 8 + (input[6] ?? 0) + ((input[7] ?? 0) << 8));
      try {
        const again = encodeManifest(decodeManifest(m));
        if (Buffer.compare(again, m) !== 0) throw new InvariantViolation('an accepted manifest re-encodes differently');
      } catch (err) {
        if (!(err instanceof SporeError)) throw err;
      }
      return r.reason;
    },
  };
}
