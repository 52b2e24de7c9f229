// Whether a node may run a spore (docs/spores.md "Verification"): every check, cheapest first, so
// a stranger's junk costs a few compares and nothing is hashed before its size is known to fit.
// The caller counts each refusal by its reason and runs nothing of a refused spore.
import { sha256 } from '../identity/sha256.ts';
import { inspectWasm } from '../build/inspect.ts';
import { canonicalSchemaJson, validateSchema } from '../sdk/schema.ts';
import { chunkRoot } from './chunk-tree.ts';
import { CELL_ABI_VERSION, type SporeManifest } from './manifest.ts';
import { decodeSporeFile, type SporeParts } from './spore-file.ts';
import { manifestSignatureOk } from './spore-signature.ts';
import { SporeError, type SporeRejectReason } from './spore-error.ts';
import type { TrustStore } from './trust.ts';

/** Seconds a manifest's issue time may lie ahead of this node's clock (clock skew between machines). */
export const ISSUE_SKEW_S = 300;

export interface VerifiedSpore extends SporeParts {
  /** Hex of the module hash: the spore's name in the cache and on the wire. */
  hash: string;
  /** How the authority is trusted; 'unchecked' when verified without a trust store (`cell verify` with no --trust). */
  trustedVia: 'listed' | 'successor' | 'unchecked';
}

export type VerifyResult =
  | { ok: true; spore: VerifiedSpore }
  | { ok: false; reason: SporeRejectReason; detail: string; manifest?: SporeManifest };

export interface VerifyOptions {
  /** null: check everything but the authority (`cell verify` without --trust). */
  trust: TrustStore | null;
  /** Unix seconds. */
  now: number;
}

export const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

export interface Refusal {
  reason: SporeRejectReason;
  detail: string;
}

/**
 * The checks a manifest passes on its own, before any module byte is read: ABI, trust of its
 * authority, signature. `trust` null: the authority is not checked. SPAWN runs these before it
 * fetches; verifySpore runs them first of all.
 */
export function manifestRefusal(m: SporeManifest, manifestBytes: Uint8Array, signature: Uint8Array, trust: TrustStore | null): Refusal | { via: VerifiedSpore['trustedVia'] } {
  if (m.abiVersion !== CELL_ABI_VERSION) return { reason: 'abi-mismatch', detail: `built for cell ABI ${m.abiVersion}; this node runs ABI ${CELL_ABI_VERSION}` };
  let via: VerifiedSpore['trustedVia'] = 'unchecked';
  if (trust) {
    const v = trust.check(m.authority, m.issuedAt);
    if (!v.ok) return { reason: v.reason, detail: v.detail };
    via = v.via;
  }
  if (!manifestSignatureOk(m.authority, manifestBytes, signature)) return { reason: 'bad-signature', detail: 'the manifest signature does not verify under its authority key' };
  return { via };
}

/** The manifest's validity at `now` (Unix seconds): issued no later than the skew allows, not expired; null if valid. */
export function manifestTimeRefusal(m: SporeManifest, now: number): Refusal | null {
  if (m.issuedAt > now + ISSUE_SKEW_S) return { reason: 'not-yet-valid', detail: `issued at ${iso(m.issuedAt)}, after this node's clock (${iso(now)}) by more than ${ISSUE_SKEW_S} s` };
  if (now >= m.expiresAt) return { reason: 'expired', detail: `expired at ${iso(m.expiresAt)} (now ${iso(now)})` };
  return null;
}

export function verifySpore(bytes: Uint8Array, opts: VerifyOptions): VerifyResult {
  let parts: SporeParts;
  try {
    parts = decodeSporeFile(bytes);
  } catch (err) {
    if (err instanceof SporeError) return { ok: false, reason: err.reason, detail: err.detail };
    throw err;
  }
  const m = parts.manifest;
  const no = (r: Refusal): VerifyResult => ({ ok: false, reason: r.reason, detail: r.detail, manifest: m });
  const checked = manifestRefusal(m, parts.manifestBytes, parts.signature, opts.trust);
  if ('reason' in checked) return no(checked);
  const hash = sha256(parts.module);
  if (!same(hash, m.moduleHash)) return no({ reason: 'module-hash-mismatch', detail: `the module's SHA-256 is ${Buffer.from(hash).toString('hex')}, the manifest says ${Buffer.from(m.moduleHash).toString('hex')}` });
  if (!same(chunkRoot(parts.module), m.chunkRoot)) return no({ reason: 'chunk-root-mismatch', detail: 'the chunk tree root of the module differs from the manifest\'s' });
  const embedded = embeddedSchema(parts.module);
  if (embedded !== m.schema) return no({ reason: 'malformed', detail: embedded === null ? 'the module is not a built cell (no readable cell.schema section)' : 'the module\'s cell.schema section is not the manifest\'s schema' });
  const late = manifestTimeRefusal(m, opts.now);
  if (late) return no(late);
  return { ok: true, spore: { ...parts, hash: Buffer.from(hash).toString('hex'), trustedVia: checked.via } };
}

/** The canonical schema JSON a built cell carries (host/build/inspect.ts), or null. */
function embeddedSchema(module: Uint8Array): string | null {
  try {
    const schema = inspectWasm(module).schema;
    return schema === undefined ? null : canonicalSchemaJson(validateSchema(schema));
  } catch {
    return null;
  }
}

export function iso(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return Number.isNaN(d.getTime()) ? `${unixSeconds} s` : d.toISOString().replace('.000Z', 'Z');
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
