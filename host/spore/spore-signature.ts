// The authority's signature over a manifest: ed25519 (RFC 8032, node:crypto's native code) over a
// domain-separated message, so a signature made for a spore can never pass for one made for
// anything else the same key signs (a handshake, a later format).
import { NodeCrypto } from '../identity/node-crypto.ts';

export const SIGNATURE_BYTES = 64;
/** "cell-spore-v1" and a 0x00 byte, then the manifest bytes. */
export const SIGNATURE_DOMAIN = new TextEncoder().encode('cell-spore-v1\0');

export function signedMessage(manifest: Uint8Array): Uint8Array {
  const msg = new Uint8Array(SIGNATURE_DOMAIN.length + manifest.length);
  msg.set(SIGNATURE_DOMAIN);
  msg.set(manifest, SIGNATURE_DOMAIN.length);
  return msg;
}

export function signManifest(secretKey: Uint8Array, manifest: Uint8Array): Uint8Array {
  const sig = new Uint8Array(SIGNATURE_BYTES);
  new NodeCrypto(secretKey).sign(signedMessage(manifest), sig);
  return sig;
}

// One verifier for the process: it keeps parsed public keys (bounded) across spores.
const verifier = new NodeCrypto(null);

export function manifestSignatureOk(authority: Uint8Array, manifest: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === SIGNATURE_BYTES && verifier.verify(authority, signedMessage(manifest), signature);
}
