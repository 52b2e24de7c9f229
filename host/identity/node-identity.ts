// A node's identity: an ed25519 key pair; its 32-bit node id is derived from the public key
// (docs/wire.md: first four bytes of SHA-256(public key), little-endian; 0 and 0xFFFFFFFF reserved).
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface NodeIdentity {
  nodeId: number;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function nodeIdFromPublicKey(publicKey: Uint8Array): number {
  const h = sha256(publicKey);
  const id = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
  if (id === 0) return 1;
  if (id === 0xffffffff) return 0xfffffffe;
  return id;
}

// DER wrappings of a raw ed25519 key (RFC 8410): node:crypto derives the public key natively,
// where a JavaScript scalar multiplication costs a one-shot `cell call` about 150 ms.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The ed25519 public key of a 32-byte secret key (RFC 8032 seed). */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new Error(`an ed25519 secret key is 32 bytes, not ${secretKey.length}`);
  const secret = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(secret).export({ format: 'der', type: 'spki' });
  if (spki.length !== SPKI_PREFIX.length + 32 || !spki.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) throw new Error('node:crypto returned an unexpected ed25519 public key encoding');
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

export async function identityFromSecret(secretKey: Uint8Array): Promise<NodeIdentity> {
  const publicKey = publicKeyOf(secretKey);
  return { nodeId: nodeIdFromPublicKey(publicKey), publicKey, secretKey };
}

export function newIdentity(): Promise<NodeIdentity> {
  return identityFromSecret(new Uint8Array(randomBytes(32)));
}

/** Loads the 32-byte secret key at `path` (hex), creating it with mode 0600 if absent. */
export async function loadOrCreateIdentity(path: string): Promise<NodeIdentity> {
  try {
    const hex = (await readFile(path, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${path}: not a 32-byte hex ed25519 secret key`);
    return identityFromSecret(Uint8Array.from(Buffer.from(hex, 'hex')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const id = await newIdentity();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(id.secretKey).toString('hex') + '\n', { mode: 0o600 });
    return id;
  }
}

export function nodeIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}
