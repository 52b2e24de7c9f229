// The spore format (docs/spores.md): the vectors, checked against @noble/ed25519 as well as
// node:crypto; every refusal with its reason; properties of the manifest and file decoders.
import test from 'ava';
import fc from 'fast-check';
import * as ed from '@noble/ed25519';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Encoder } from 'cbor-x/encode';
import { vectorKey, vectorSource, vectorSpore, VECTOR_EXPIRES, VECTOR_ISSUED } from '../fuzz/valid-spores.ts';
import { decodeManifest, encodeManifest, MANIFEST_MAX_BYTES, MODULE_MAX_BYTES, type SporeManifest } from '../host/spore/manifest.ts';
import { decodeSporeFile, encodeSporeFile, readSporeFile, SPORE_FILE_MAX_BYTES } from '../host/spore/spore-file.ts';
import { manifestFor } from '../host/spore/sign-spore.ts';
import { signedMessage, signManifest } from '../host/spore/spore-signature.ts';
import { SporeError, SPORE_REJECT_REASONS } from '../host/spore/spore-error.ts';
import { TrustStore } from '../host/spore/trust.ts';
import { verifySpore, type VerifyResult } from '../host/spore/verify-spore.ts';

interface Vectors {
  secretKey: string; publicKey: string; module: string; moduleHash: string; chunkRoot: string; speciesId: number;
  manifest: string; signature: string; spore: string;
}
const V = JSON.parse(readFileSync(fileURLToPath(new URL('vectors/spore-manifest.json', import.meta.url)), 'utf8')) as Vectors;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const KEY = vectorKey();
const NOW = VECTOR_ISSUED + 3600;
const trusting = (...keys: Uint8Array[]) => new TrustStore({ authorities: keys });
const check = (spore: Uint8Array, trust: TrustStore | null = trusting(KEY.publicKey), now = NOW): VerifyResult => verifySpore(spore, { trust, now });
const reason = (r: VerifyResult) => (r.ok ? 'ok' : r.reason);

/** A spore whose manifest is `m` (changed from the vector's), signed by `key`. */
function resigned(change: (m: SporeManifest) => void, key = KEY, module = vectorSource().module): Uint8Array {
  const m = manifestFor(vectorSource(), { authority: key.publicKey, issuedAt: VECTOR_ISSUED, expiresAt: VECTOR_EXPIRES, revision: 1 });
  change(m);
  const mb = encodeManifest(m);
  return encodeSporeFile(mb, signManifest(key.secretKey, mb), module);
}

test('vectors: the fixed key, times and module give exactly the stored manifest, signature and file', (t) => {
  t.is(hex(KEY.secretKey), V.secretKey);
  t.is(hex(KEY.publicKey), V.publicKey);
  const spore = vectorSpore();
  t.is(hex(spore), V.spore);
  const p = decodeSporeFile(spore);
  t.is(hex(p.manifestBytes), V.manifest);
  t.is(hex(p.signature), V.signature);
  t.is(hex(p.module), V.module);
  t.is(hex(p.manifest.moduleHash), V.moduleHash);
  t.is(hex(p.manifest.chunkRoot), V.chunkRoot);
  t.is(p.manifest.speciesId, V.speciesId);
  t.true(check(bytes(V.spore)).ok);
});

test('vectors: @noble/ed25519 verifies the signature and signs the same bytes as node:crypto', async (t) => {
  const msg = signedMessage(bytes(V.manifest));
  t.deepEqual([...msg.subarray(0, 14)], [...new TextEncoder().encode('cell-spore-v1\0')]);
  t.true(await ed.verifyAsync(bytes(V.signature), msg, bytes(V.publicKey)));
  t.is(hex(await ed.signAsync(msg, KEY.secretKey)), V.signature);
  t.is(hex(await ed.getPublicKeyAsync(KEY.secretKey)), V.publicKey);
  await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), async (seed, manifest) => {
    const sig = signManifest(seed, manifest);
    return hex(sig) === hex(await ed.signAsync(signedMessage(manifest), seed));
  }), { numRuns: 25 });
});

test('the manifest is one CBOR map of 14 keys, 15 with a successor', (t) => {
  const mb = bytes(V.manifest);
  t.is(mb[0]! >> 5, 5);
  const m = decodeManifest(mb);
  t.is(mb[0]! & 31, 14); // 14 keys: no successor
  t.deepEqual(decodeManifest(encodeManifest({ ...m, successor: KEY.publicKey })).successor, KEY.publicKey);
});

test('refusals: each bad spore is refused with its own reason', (t) => {
  const good = vectorSpore();
  const p = decodeSporeFile(good);
  const moduleAt = good.length - p.module.length;
  const flip = (i: number) => { const b = good.slice(); b[i]! ^= 1; return b; };

  t.is(reason(check(flip(good.length - 3))), 'module-hash-mismatch', 'a tampered module byte');
  // The revision (key 11, value 1, then key 12): change it without re-signing.
  const revAt = 8 + Buffer.from(p.manifestBytes).indexOf(Buffer.from([0x0b, 0x01, 0x0c])) + 1;
  t.is(good[revAt], 1);
  const tampered = good.slice();
  tampered[revAt] = 2;
  t.is(reason(check(tampered)), 'bad-signature', 'a tampered manifest field');
  t.is(reason(check(flip(moduleAt - 1))), 'bad-signature', 'a tampered signature byte');
  t.is(reason(check(good, trusting(vectorKey(9).publicKey))), 'untrusted-authority');
  t.is(reason(check(vectorSpore({ seed: 9 }))), 'untrusted-authority', 'signed by another key');
  t.is(reason(check(good, trusting(KEY.publicKey), VECTOR_EXPIRES)), 'expired');
  t.is(reason(check(good, trusting(KEY.publicKey), VECTOR_ISSUED - 301)), 'not-yet-valid');
  t.true(check(good, trusting(KEY.publicKey), VECTOR_ISSUED - 299).ok, 'five minutes of clock skew are allowed');
  t.is(reason(check(good, new TrustStore({ authorities: [KEY.publicKey], revoked: [KEY.publicKey] }))), 'revoked-authority');
  t.is(reason(check(resigned((m) => { m.abiVersion = 2; }))), 'abi-mismatch');
  t.is(reason(check(resigned((m) => { m.chunkRoot = new Uint8Array(32); }))), 'chunk-root-mismatch');
  t.is(reason(check(resigned((m) => { m.moduleHash = new Uint8Array(32); }))), 'module-hash-mismatch');
  t.is(reason(check(good.subarray(0, good.length - 1))), 'malformed', 'truncated');
  t.regex((check(good.subarray(0, good.length - 1)) as { detail: string }).detail, /truncated/);
  t.regex((check(Uint8Array.from([...good, 0])) as { detail: string }).detail, /trailing/);
  t.is(reason(check(good.subarray(0, 20))), 'malformed');
  const v2 = good.slice();
  v2[4] = 2;
  t.is(reason(check(v2)), 'wrong-format-version');
  t.is(reason(check(Uint8Array.from(Buffer.from('not a spore at all')))), 'malformed');
});

test('refusals: a signed manifest in non-canonical CBOR is refused, whatever its signature', (t) => {
  const m = decodeManifest(bytes(V.manifest));
  const loose = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, pack: false } as ConstructorParameters<typeof Encoder>[0]);
  const entries = [...(loose.decode(bytes(V.manifest)) as Map<number, unknown>)];
  const variants: Uint8Array[] = [
    new Uint8Array(loose.encode(new Map(entries.reverse()))), // keys descending
    Uint8Array.from([...bytes(V.manifest).subarray(0, 1), 0x18, 0x00, ...bytes(V.manifest).subarray(2)]), // key 0 in a two-byte head
    Uint8Array.from([0xbf, ...bytes(V.manifest).subarray(1), 0xff]), // indefinite-length map
  ];
  for (const mb of variants) {
    const r = check(encodeSporeFile(mb, signManifest(KEY.secretKey, mb), vectorSource().module));
    t.is(reason(r), 'non-canonical', hex(mb.subarray(0, 4)));
  }
  t.is(m.name, 'vector');
});

test('caps: an oversized manifest or module is refused from its length, before anything is read or allocated', async (t) => {
  const good = vectorSpore();
  const big = good.slice();
  big[6] = (MANIFEST_MAX_BYTES + 1) & 255;
  big[7] = (MANIFEST_MAX_BYTES + 1) >> 8;
  t.is(reason(check(big)), 'too-large');
  t.throws(() => decodeManifest(new Uint8Array(MANIFEST_MAX_BYTES + 1)), { instanceOf: SporeError, message: /too-large/ });
  t.throws(() => resigned((m) => { m.moduleSize = MODULE_MAX_BYTES + 1; }), { instanceOf: SporeError, message: /too-large: module/ });
  // A 1 GiB sparse file: refused from its size; reading it would need 1 GiB.
  const dir = await mkdtemp(join(tmpdir(), 'spore-cap-'));
  const path = join(dir, 'huge.spore');
  const fh = await open(path, 'w');
  await fh.truncate(1024 ** 3);
  await fh.close();
  const before = process.memoryUsage().arrayBuffers;
  const err = await t.throwsAsync(readSporeFile(path), { instanceOf: SporeError });
  t.is(err!.reason, 'too-large');
  t.true(process.memoryUsage().arrayBuffers - before < SPORE_FILE_MAX_BYTES);
  await rm(dir, { recursive: true });
});

test('rotation: a successor named by a trusted manifest is trusted; the old key cannot issue later manifests', (t) => {
  const next = vectorKey(40);
  const trust = trusting(KEY.publicKey);
  t.is(reason(check(vectorSpore({ seed: 40 }), trust)), 'untrusted-authority');
  const handover = check(vectorSpore({ successor: next.publicKey, issuedAt: VECTOR_ISSUED + 100 }), trust);
  t.true(handover.ok);
  t.regex(trust.learn((handover as { spore: { manifest: SporeManifest } }).spore.manifest)!, /trusting/);
  const bySuccessor = check(vectorSpore({ seed: 40, issuedAt: VECTOR_ISSUED + 200 }), trust);
  t.true(bySuccessor.ok);
  t.is(bySuccessor.ok && bySuccessor.spore.trustedVia, 'successor');
  t.true(check(vectorSpore({ issuedAt: VECTOR_ISSUED + 50 }), trust).ok, 'what the old key issued before the handover stays good');
  t.is(reason(check(vectorSpore({ issuedAt: VECTOR_ISSUED + 500 }), trust)), 'revoked-authority', 'the old key after the handover');
  // A revoked key's successors are not learnt.
  const wary = new TrustStore({ authorities: [KEY.publicKey], revoked: [next.publicKey] });
  t.is(wary.learn(decodeSporeFile(vectorSpore({ successor: next.publicKey })).manifest), null);
  t.is(reason(check(vectorSpore({ seed: 40 }), wary)), 'revoked-authority');
});

test('property: decode(encode(m)) is m for any manifest the format carries', (t) => {
  const src = vectorSource();
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const u32 = fc.nat({ max: 0xffffffff });
  fc.assert(fc.property(
    fc.record({
      moduleHash: key, chunkRoot: key, authority: key, successor: fc.option(key, { nil: null }),
      moduleSize: fc.integer({ min: 1, max: MODULE_MAX_BYTES }), abiVersion: u32, revision: u32,
      issuedAt: fc.nat({ max: 2 ** 40 }), life: fc.integer({ min: 1, max: 2 ** 40 }),
      min: fc.integer({ min: 1, max: 100 }), extra: fc.nat({ max: 1000 }), ppm: fc.integer({ min: 1, max: 1_000_000 }),
      inBytes: fc.nat({ max: 0xffff }), outBytes: fc.nat({ max: 0xffff }),
    }),
    (r) => {
      const m = manifestFor(src, { authority: r.authority, issuedAt: r.issuedAt, expiresAt: r.issuedAt + r.life, revision: r.revision, successor: r.successor });
      Object.assign(m, { moduleHash: r.moduleHash, chunkRoot: r.chunkRoot, moduleSize: r.moduleSize, abiVersion: r.abiVersion });
      m.biology = { min_replicas: r.min, max_replicas: r.min + r.extra, cpu_target: r.ppm / 1e6 };
      m.limits = { in_bytes: r.inBytes, out_bytes: r.outBytes };
      t.deepEqual(decodeManifest(encodeManifest(m)), m);
    },
  ), { numRuns: 200 });
});

test('property: random and mutated bytes give a SporeError with a listed reason, never a crash, and never a run', (t) => {
  const good = vectorSpore({ padding: 2000 });
  const examineOne = (b: Uint8Array) => {
    const r = check(b);
    t.true(r.ok ? hex(b) === hex(good) : SPORE_REJECT_REASONS.includes(r.reason));
    try {
      decodeManifest(b.subarray(8, Math.min(b.length, 8 + MANIFEST_MAX_BYTES)));
    } catch (err) {
      t.true(err instanceof SporeError, String(err));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => examineOne(b)), { numRuns: 300 });
  fc.assert(fc.property(
    fc.array(fc.record({ at: fc.nat({ max: good.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
    fc.nat({ max: good.length }),
    (edits, cut) => {
      const b = good.slice(0, Math.max(cut, good.length - 50 * (cut % 2)));
      for (const e of edits) if (e.at < b.length) b[e.at] = e.value;
      examineOne(b);
    },
  ), { numRuns: 500 });
});
