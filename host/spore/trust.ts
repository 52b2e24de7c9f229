// Which authorities a node runs spores from (docs/spores.md "Trust and key rotation"):
// - the keys its operator lists (`cell run --trust KEY`, `[trust] authorities` in the node config);
// - successors: a key named `successor` in a manifest that verified under a trusted key becomes
//   trusted too, and the naming key is then *superseded*: its manifests issued after the one that
//   named the successor are refused (older ones stay good until they expire);
// - revoked keys (`[trust] revoked`, installed by the operator) are refused outright, and their
//   successors are not learnt. Nothing else revokes a key: until a node is told, it keeps running
//   what it verified.
import type { SporeManifest } from './manifest.ts';
import type { SporeRejectReason } from './spore-error.ts';

/** Successors learnt from manifests: strangers' spores can name keys, so the table has a cap. */
export const MAX_LEARNT_SUCCESSORS = 32;

export interface TrustOptions {
  authorities: Uint8Array[];
  revoked?: Uint8Array[];
  /** Trust successors named by trusted manifests (default true). */
  followSuccessors?: boolean;
}

export type TrustVerdict =
  | { ok: true; via: 'listed' | 'successor' }
  | { ok: false; reason: Extract<SporeRejectReason, 'untrusted-authority' | 'revoked-authority'>; detail: string };

const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');

export class TrustStore {
  private readonly listed = new Set<string>();
  private readonly revoked = new Set<string>();
  /** successor key -> the key that named it. */
  private readonly learnt = new Map<string, string>();
  /** key -> issue time of the first manifest of it that named a successor. */
  private readonly supersededAt = new Map<string, number>();
  private readonly follow: boolean;

  constructor(opts: TrustOptions) {
    for (const k of opts.authorities) this.listed.add(hex(k));
    for (const k of opts.revoked ?? []) this.revoked.add(hex(k));
    this.follow = opts.followSuccessors ?? true;
  }

  /** Whether a manifest by `authority`, issued at `issuedAt` (unix s), may run here. */
  check(authority: Uint8Array, issuedAt: number): TrustVerdict {
    const k = hex(authority);
    if (this.revoked.has(k)) return { ok: false, reason: 'revoked-authority', detail: `authority ${k} is revoked in this node's [trust] list` };
    const since = this.supersededAt.get(k);
    if (since !== undefined && issuedAt > since) {
      return { ok: false, reason: 'revoked-authority', detail: `authority ${k} handed over to a successor at ${new Date(since * 1000).toISOString()}; this manifest was issued later` };
    }
    if (this.listed.has(k)) return { ok: true, via: 'listed' };
    if (this.learnt.has(k)) return { ok: true, via: 'successor' };
    return { ok: false, reason: 'untrusted-authority', detail: `authority ${k} is not trusted here: pass --trust ${k} (or list it under [trust] authorities in --config)` };
  }

  /**
   * After `m` verified under this store: learns its successor, if it names one. Returns what
   * changed, for the log, or null.
   */
  learn(m: SporeManifest): string | null {
    if (!m.successor || !this.follow) return null;
    const from = hex(m.authority);
    const to = hex(m.successor);
    if (!this.check(m.authority, m.issuedAt).ok || this.revoked.has(to) || to === from) return null;
    const known = this.listed.has(to) || this.learnt.has(to);
    // A successor not learnt (table full) does not supersede: that would leave no key trusted.
    if (!known && this.learnt.size >= MAX_LEARNT_SUCCESSORS) return `successor ${to} of ${from} not learnt: ${MAX_LEARNT_SUCCESSORS} successors already (list it with --trust)`;
    const prev = this.supersededAt.get(from);
    if (prev === undefined || m.issuedAt < prev) this.supersededAt.set(from, m.issuedAt);
    if (known) return prev === undefined ? `authority ${from} handed over to ${to}` : null;
    this.learnt.set(to, from);
    return `trusting ${to}: named successor by ${from}`;
  }

  /** Every key this store knows, for `cell run`'s banner and the tests. */
  keys(): Array<{ key: string; state: 'listed' | 'successor' | 'revoked' | 'superseded' }> {
    const out: Array<{ key: string; state: 'listed' | 'successor' | 'revoked' | 'superseded' }> = [];
    for (const k of this.listed) out.push({ key: k, state: this.supersededAt.has(k) ? 'superseded' : 'listed' });
    for (const k of this.learnt.keys()) if (!this.listed.has(k)) out.push({ key: k, state: this.supersededAt.has(k) ? 'superseded' : 'successor' });
    for (const k of this.revoked) out.push({ key: k, state: 'revoked' });
    return out;
  }

  get isEmpty(): boolean {
    return this.listed.size === 0 && this.learnt.size === 0;
  }
}
