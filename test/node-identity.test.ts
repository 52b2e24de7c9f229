// The node identity's ed25519 public key, derived by node:crypto, against RFC 8032's first test
// vector and against @noble/ed25519 for any secret key.
import test from 'ava';
import fc from 'fast-check';
import * as ed from '@noble/ed25519';
import { publicKeyOf, identityFromSecret, nodeIdFromPublicKey } from '../host/identity/node-identity.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('publicKeyOf gives RFC 8032 test 1', (t) => {
  const secret = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  t.is(hex(publicKeyOf(secret)), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
});

test('publicKeyOf agrees with @noble/ed25519 for any 32-byte secret key', async (t) => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (secret) => {
    return hex(publicKeyOf(secret)) === hex(await ed.getPublicKeyAsync(secret));
  }), { numRuns: 50 });
  t.pass();
});

test('the node id is derived from the public key', async (t) => {
  const secret = new Uint8Array(32).fill(7);
  const id = await identityFromSecret(secret);
  t.is(id.nodeId, nodeIdFromPublicKey(await ed.getPublicKeyAsync(secret)));
});

test('publicKeyOf refuses a key that is not 32 bytes', (t) => {
  t.throws(() => publicKeyOf(new Uint8Array(31)), { message: /32 bytes, not 31/ });
});
