// Names of the kernel counters, in the order of firmware/kernel/stats.ts (a test holds them equal).
export const KERNEL_STATS = [
  'framesRx', 'framesTx', 'dropBadHeader', 'dropNotForMe', 'dropTooLarge', 'callsServed', 'callErrors',
  'unknownSpecies', 'repliesDelivered', 'timeouts', 'unmatchedReplies', 'pingsRx', 'pongsRx', 'announcesRx',
  'peersKnown', 'badPayload', 'callsSent', 'noRoute', 'callTableFull', 'probesSent', 'peerTableFull',
  'retries', 'failovers', 'duplicateCalls', 'peerWindowFull', 'spawns', 'retirements',
  'callsShed', 'overloadFailovers',
] as const;
export type KernelStatName = (typeof KERNEL_STATS)[number];

/** Kernel settings keys, as in firmware/kernel/config.ts. */
export const KernelConfig = {
  callTimeoutMs: 0,
  probeIntervalMs: 1,
  announceIntervalMs: 2,
  peerMaxAgeMs: 3,
  defaultRoute: 4,
  failHoldMs: 5,
  callAttempts: 6,
  replayWindowMs: 7,
  peerWindow: 8,
  busyHoldMs: 9,
} as const;
export type KernelConfigKey = keyof typeof KernelConfig;

/** Negative results of k_on_frame / k_call beyond the header reasons (firmware/kernel/index.ts). */
export const KERNEL_RESULTS: Record<number, string> = {
  1: 'SHORT', 2: 'BAD_MAGIC', 3: 'BAD_VERSION', 4: 'BAD_TYPE', 5: 'BAD_FLAGS', 6: 'TRUNCATED', 7: 'TRAILING',
  8: 'TOO_LARGE', 9: 'NOT_FOR_ME', 10: 'BAD_PAYLOAD', 11: 'UNSUPPORTED', 12: 'NO_ROUTE', 13: 'CALL_TABLE_FULL', 14: 'PEER_BUSY',
};
