// SHA-256 on the host, one call per hash: Node's one-shot crypto.hash (Node >= 20.12) costs about
// half of createHash's per call, which counts where hashes are many and small (a spore chunk's
// proof is up to 12 of them, a module's chunk tree 2n - 1); older Node 20 uses createHash.
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';

const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(oneShot ? oneShot('sha256', bytes, 'buffer') : createHash('sha256').update(bytes).digest());
}
