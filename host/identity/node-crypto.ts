// The HAL's crypto for a host kernel (docs/abi.md: sign, verify, x25519, mac, hash), on
// node:crypto's native ed25519, X25519, HMAC-SHA256 and SHA-256. The secret key stays here:
// the kernel asks for signatures and never sees it.
import { sha256 } from './sha256.ts';
import { createHmac, createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from 'node:crypto';

// DER wrappings of raw keys (RFC 8410), so node:crypto takes 32-byte keys.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/** Verified peers' keys as KeyObjects: parsing one costs more than a verify. Bounded. */
const PUBLIC_KEY_CACHE = 256;

export class NodeCrypto {
  private readonly secret: KeyObject | null;
  private readonly publics = new Map<string, KeyObject>();

  /** `secretKey`: the node's 32-byte ed25519 seed, or null for a node that cannot sign. */
  constructor(secretKey: Uint8Array | null) {
    this.secret = secretKey ? createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, secretKey]), format: 'der', type: 'pkcs8' }) : null;
  }

  get canSign(): boolean {
    return this.secret !== null;
  }

  /** 64-byte ed25519 signature of msg by this node's key into out; false if it has none. */
  sign(msg: Uint8Array, out: Uint8Array): boolean {
    if (!this.secret) return false;
    out.set(sign(null, msg, this.secret));
    return true;
  }

  verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
    const hex = Buffer.from(publicKey).toString('hex');
    let key = this.publics.get(hex);
    if (!key) {
      try {
        key = createPublicKey({ key: Buffer.concat([ED25519_SPKI, publicKey]), format: 'der', type: 'spki' });
      } catch {
        return false;
      }
      if (this.publics.size >= PUBLIC_KEY_CACHE) this.publics.delete(this.publics.keys().next().value!);
      this.publics.set(hex, key);
    }
    try {
      return verify(null, msg, key, sig);
    } catch {
      return false;
    }
  }

  /** X25519(scalar, point) into out; false for a low-order point (all-zero result) or a bad key. */
  x25519(scalar: Uint8Array, point: Uint8Array, out: Uint8Array): boolean {
    try {
      const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, scalar]), format: 'der', type: 'pkcs8' });
      const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI, point]), format: 'der', type: 'spki' });
      const shared = diffieHellman({ privateKey, publicKey });
      out.set(shared);
      return shared.some((b) => b !== 0);
    } catch {
      return false;
    }
  }

  mac(key: Uint8Array, data: Uint8Array, out: Uint8Array): void {
    out.set(createHmac('sha256', key).update(data).digest());
  }

  hash(data: Uint8Array, out: Uint8Array): void {
    out.set(sha256(data));
  }
}
