// Trust inputs: the [trust] table of the node config, authority key files, public key arguments,
// and the cap on successors learnt from strangers' manifests.
import test from 'ava';
import { chmod, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeConfig, MAX_TRUST_KEYS } from '../host/runtime/node-config.ts';
import { generateAuthorityKey, parsePublicKeyArg, readAuthorityKey, writeAuthorityKey, hex } from '../host/spore/authority-key.ts';
import { MAX_LEARNT_SUCCESSORS, TrustStore } from '../host/spore/trust.ts';
import { decodeSporeFile } from '../host/spore/spore-file.ts';
import { vectorKey, vectorSpore, VECTOR_ISSUED } from '../fuzz/valid-spores.ts';

const K1 = 'ab'.repeat(32);
const K2 = 'cd'.repeat(32);

test('[trust] in the node config: authorities, revoked, follow_successors; every mistake named', (t) => {
  const cfg = parseNodeConfig(`[trust]\nauthorities = ["${K1}"]\nrevoked = ["${K2}"]\nfollow_successors = false\n`);
  t.deepEqual(cfg.trust.authorities.map(hex), [K1]);
  t.deepEqual(cfg.trust.revoked.map(hex), [K2]);
  t.false(cfg.trust.followSuccessors);
  t.deepEqual(parseNodeConfig('').trust, { authorities: [], revoked: [], followSuccessors: true });
  t.throws(() => parseNodeConfig('[trust]\nauthority = []\n'), { message: /unknown key trust.authority/ });
  t.throws(() => parseNodeConfig('[trust]\nauthorities = ["abc"]\n'), { message: /64 hex digits/ });
  t.throws(() => parseNodeConfig('[trust]\nfollow_successors = 1\n'), { message: /true or false/ });
  const many = Array.from({ length: MAX_TRUST_KEYS + 1 }, () => `"${K1}"`).join(',');
  t.throws(() => parseNodeConfig(`[trust]\nauthorities = [${many}]\n`), { message: /at most 256/ });
});

test('key files: 0600 secret, FILE.pub public; a readable secret and a secret given as --trust are refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spore-keys-'));
  const path = join(dir, 'a.key');
  const key = generateAuthorityKey();
  await writeAuthorityKey(path, key);
  t.is((await stat(path)).mode & 0o777, 0o600);
  t.deepEqual((await readAuthorityKey(path)).publicKey, key.publicKey);
  t.deepEqual(await parsePublicKeyArg(`${path}.pub`), key.publicKey);
  t.deepEqual(await parsePublicKeyArg(hex(key.publicKey)), key.publicKey);
  await t.throwsAsync(parsePublicKeyArg(path), { message: /secret key file/ });
  await t.throwsAsync(parsePublicKeyArg(join(dir, 'none')), { message: /neither a public key/ });
  await t.throwsAsync(writeAuthorityKey(path, generateAuthorityKey()), { message: /exists: not replacing/ });
  await chmod(path, 0o644);
  await t.throwsAsync(readAuthorityKey(path), { message: /chmod 600/ });
  await writeFile(join(dir, 'junk.key'), 'hello\n', { mode: 0o600 });
  await t.throwsAsync(readAuthorityKey(join(dir, 'junk.key')), { message: /not an authority secret key/ });
});

test('learnt successors are capped: a chain of strangers cannot grow the table without bound', (t) => {
  const trust = new TrustStore({ authorities: [vectorKey(1).publicKey] });
  let learnt = 0;
  for (let i = 1; i <= MAX_LEARNT_SUCCESSORS + 5; i++) {
    const m = decodeSporeFile(vectorSpore({ seed: i, successor: vectorKey(i + 1).publicKey, issuedAt: VECTOR_ISSUED + i })).manifest;
    if (trust.learn(m)?.startsWith('trusting')) learnt++;
  }
  t.is(learnt, MAX_LEARNT_SUCCESSORS);
  t.false(trust.check(vectorKey(MAX_LEARNT_SUCCESSORS + 3).publicKey, VECTOR_ISSUED).ok);
  // The key whose successor was not learnt is not superseded: it stays usable.
  t.is(trust.keys().filter((k) => k.state === 'superseded').length, MAX_LEARNT_SUCCESSORS);
  t.true(trust.check(vectorKey(MAX_LEARNT_SUCCESSORS + 1).publicKey, VECTOR_ISSUED + 10_000).ok);
});
