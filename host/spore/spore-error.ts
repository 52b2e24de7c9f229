// Why a spore is refused: one reason from a fixed list (docs/spores.md "Verification"), so a node
// counts refusals by reason and a person reads the detail.

export const SPORE_REJECT_REASONS = [
  'too-large',
  'malformed',
  'non-canonical',
  'wrong-format-version',
  'abi-mismatch',
  'untrusted-authority',
  'revoked-authority',
  'bad-signature',
  'module-hash-mismatch',
  'chunk-root-mismatch',
  'not-yet-valid',
  'expired',
] as const;

export type SporeRejectReason = (typeof SPORE_REJECT_REASONS)[number];

export class SporeError extends Error {
  override name = 'SporeError';
  constructor(readonly reason: SporeRejectReason, readonly detail: string) {
    super(`${reason}: ${detail}`);
  }
}

/** Refusals by reason, for a node's counters and `cell verify`'s exit. */
export class SporeRejectCounts {
  readonly byReason: Record<SporeRejectReason, number> = Object.fromEntries(SPORE_REJECT_REASONS.map((r) => [r, 0])) as Record<SporeRejectReason, number>;

  count(reason: SporeRejectReason): void {
    this.byReason[reason]++;
  }

  get total(): number {
    return Object.values(this.byReason).reduce((a, b) => a + b, 0);
  }
}
