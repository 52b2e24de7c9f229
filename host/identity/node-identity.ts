// A node's identity: an ed25519 key pair; its 32-bit node id is derived from the public key
// (docs/wire.md: first four bytes of SHA-256(public key), little-endian; 0 and 0xFFFFFFFF reserved).
import * as ed from '@noble/ed25519';
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

export async function identityFromSecret(secretKey: Uint8Array): Promise<NodeIdentity> {
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  return { nodeId: nodeIdFromPublicKey(publicKey), publicKey, secretKey };
}

export function newIdentity(): Promise<NodeIdentity> {
  return identityFromSecret(ed.utils.randomSecretKey());
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
