// Generated from docs/protocol.toml by host/build/generate-protocol.ts (npm run build). Do not edit:
// change the table and rebuild. test/protocol.test.ts holds this file to the table.

// The 20-byte frame header (docs/wire.md)
/** header length; a frame is exactly HEADER_BYTES + length bytes */
export const HEADER_BYTES = 20;
/** the largest frame every kernel takes (a board's k_buf_cap); calls and their answers stay within it on every target */
export const FRAME_BYTES = 0x800;
/** byte 0 of every frame */
export const MAGIC = 0xce;
/** byte 1: the wire format version */
export const VERSION = 1;
/** flag bits that must be zero */
export const FLAGS_RESERVED = 0xf0;
/** dst of a frame for every node */
export const BROADCAST = 0xffffffff;

// Message types, header byte 2 (docs/wire.md)
export enum MsgType {
  /** a call to a cell: [method_index, args...] */
  CALL = 1,
  /** a call's result */
  REPLY = 2,
  /** a call's failure: [code, message] */
  ERROR = 3,
  /** probe */
  PING = 4,
  /** probe answer */
  PONG = 5,
  /** pheromone: hosted species, load, coordinate */
  ANNOUNCE = 6,
  /** spore chunk request: [hash, index] or [hash, index, padding] (docs/spores.md) */
  SPORE_GET = 7,
  /** spore chunk: [hash, index, chunk, proof], or a refusal [hash, index, reason] */
  SPORE_DATA = 8,
  /** handshake opening: ed25519 key, ephemeral x25519 key, signature (docs/wire.md) */
  HELLO = 9,
  /** handshake answer: ed25519 key, ephemeral x25519 key, signature over both */
  WELCOME = 10,
  /** mitosis: offer [hash, root, size, manifest, signature] to start a replica, or its answer [reason] (docs/spores.md) */
  SPAWN = 11,
}

// Header flag bits, header byte 3 (docs/wire.md)
export const Flag = {
  /** sender wants an acknowledgement */
  ACK_REQ: 0x01,
  /** payload is one fragment of a larger message */
  FRAGMENT: 0x02,
  /** payload ends with an auth trailer: counter and HMAC tag, or counter and ed25519 signature on a broadcast */
  AUTH: 0x04,
  /** more fragments follow */
  MORE: 0x08,
} as const;

// Why a header codec rejects a frame; the kernel returns them negated (docs/wire.md)
export enum HeaderReject {
  /** fewer than 20 bytes */
  SHORT = 1,
  /** byte 0 is not MAGIC */
  BAD_MAGIC = 2,
  /** byte 1 is not VERSION */
  BAD_VERSION = 3,
  /** type not a message type */
  BAD_TYPE = 4,
  /** a reserved flag bit is set */
  BAD_FLAGS = 5,
  /** fewer than 20 + length bytes */
  TRUNCATED = 6,
  /** more than 20 + length bytes */
  TRAILING = 7,
  /** larger than the receiver's buffer */
  TOO_LARGE = 8,
}

// Negative results of k_on_frame and k_call beyond the header reasons (docs/abi.md)
export enum KernelResult {
  /** dst is another node */
  NOT_FOR_ME = 9,
  /** a kernel message whose payload does not decode */
  BAD_PAYLOAD = 10,
  /** a message type the kernel does not handle */
  UNSUPPORTED = 11,
  /** no known node hosts the species */
  NO_ROUTE = 12,
  /** too many calls in flight */
  CALL_TABLE_FULL = 13,
  /** the destination already has peerWindow calls in flight */
  PEER_BUSY = 14,
  /** no AUTH trailer and this node is not open */
  NOT_AUTHENTICATED = 15,
  /** no session with that node: a HELLO is under way */
  NO_SESSION = 16,
  /** the trailer's tag or signature does not verify */
  BAD_AUTH = 17,
  /** the trailer's counter was seen already or is below the window */
  REPLAYED = 18,
  /** [access] does not let the caller's key call this species */
  NOT_AUTHORISED = 19,
  /** a HELLO or WELCOME that is malformed, unexpected or does not verify */
  BAD_HANDSHAKE = 20,
  /** k_answer: no deferred call of that caller, species and seq is waiting for an answer */
  NOT_PENDING = 21,
}

// ERROR payload codes: [code, message] (docs/wire.md)
export enum ErrorCode {
  /** kernel: no cell of that species is hosted here */
  UNKNOWN_SPECIES = 1,
  /** cell dispatch: method index out of range */
  UNKNOWN_METHOD = 2,
  /** cell dispatch: arguments do not decode as the schema says */
  BAD_ARGS = 3,
  /** host: the cell trapped (or aborted) */
  CELL_TRAP = 4,
  /** host: the cell used its instruction budget */
  OUT_OF_FUEL = 5,
  /** host: the cell could not allocate */
  OUT_OF_MEMORY = 6,
  /** cell: the handler called fail(message) */
  CELL_ERROR = 7,
  /** kernel or host: request or result does not fit a buffer */
  TOO_LARGE = 8,
  /** local only: no reply before the deadline */
  TIMEOUT = 9,
  /** local only: no known node hosts the species */
  NO_ROUTE = 10,
  /** host: the cell's queue is full; the call was not executed */
  OVERLOADED = 11,
  /** kernel: the call carried no AUTH trailer and this node is not open */
  NOT_AUTHENTICATED = 12,
  /** kernel: [access] does not let the caller's key call this species */
  NOT_AUTHORISED = 13,
  /** kernel: a CALL at or below its caller's replay floor (a retransmission older than the replay cache); not run, it may have run already */
  STALE = 14,
}

// Kernel counters, read with k_stat(id) (docs/abi.md)
export const KERNEL_STATS = [
  /** 0: frames accepted by k_on_frame */
  'framesRx',
  /** 1: frames sent (including to this node itself) */
  'framesTx',
  /** 2: frames rejected by the header check */
  'dropBadHeader',
  /** 3: frames addressed to another node */
  'dropNotForMe',
  /** 4: frames larger than k_buf_cap */
  'dropTooLarge',
  /** 5: calls answered with a REPLY */
  'callsServed',
  /** 6: calls answered with an ERROR (not shed) */
  'callErrors',
  /** 7: calls for a species not hosted here */
  'unknownSpecies',
  /** 8: answers handed to the local caller (hal.deliver) */
  'repliesDelivered',
  /** 9: calls that ran out of attempts */
  'timeouts',
  /** 10: answers to no call in flight (late or duplicate) */
  'unmatchedReplies',
  /** 11: probes received */
  'pingsRx',
  /** 12: probe answers received */
  'pongsRx',
  /** 13: pheromones received */
  'announcesRx',
  /** 14: rows in the peer table now */
  'peersKnown',
  /** 15: kernel messages whose payload did not decode */
  'badPayload',
  /** 16: calls sent by k_call */
  'callsSent',
  /** 17: k_call found no replica */
  'noRoute',
  /** 18: k_call refused: too many calls in flight */
  'callTableFull',
  /** 19: PINGs sent */
  'probesSent',
  /** 20: peers not recorded: the table was full */
  'peerTableFull',
  /** 21: calls sent again after a timeout */
  'retries',
  /** 22: retries sent to another replica */
  'failovers',
  /** 23: retransmitted calls answered from the replay cache */
  'duplicateCalls',
  /** 24: k_call refused: peerWindow calls in flight to the node */
  'peerWindowFull',
  /** 25: replicas this node asked for (hal.spawn) */
  'spawns',
  /** 26: replicas this node retired (hal.retire) */
  'retirements',
  /** 27: calls this node refused unexecuted (OVERLOADED): by its host, or a caller over its CPU share */
  'callsShed',
  /** 28: calls of ours a replica shed, sent at once to another replica */
  'overloadFailovers',
  /** 29: frames without an AUTH trailer refused (the node is not open) */
  'authRequired',
  /** 30: authenticated frames from a node with no session here */
  'authNoSession',
  /** 31: frames whose tag or signature did not verify */
  'authBadTag',
  /** 32: frames whose counter was seen already or fell below the window */
  'authReplays',
  /** 33: calls refused by [access] */
  'authUnauthorised',
  /** 34: sessions established, as initiator or responder */
  'handshakesDone',
  /** 35: HELLO or WELCOME dropped: size, id not the key's, signature, unexpected, or no identity */
  'handshakesBad',
  /** 36: HELLOs not answered: that peer re-keyed less than rekeyMinMs ago */
  'handshakesThrottled',
  /** 37: sessions dropped to make room (least recently used) */
  'sessionsEvicted',
  /** 38: frames not sent: no session with the destination yet (a HELLO went instead) */
  'sentWithoutSession',
  /** 39: announcements dropped: load or spare not a finite 0..1 */
  'badLoad',
  /** 40: answers from a node other than the one the call went to */
  'foreignAnswers',
  /** 41: HELLOs from nodes without a session dropped: over newSessionRate */
  'handshakesRateLimited',
  /** 42: species in announcements ignored: the serve list names the species and not the sender's key */
  'untrustedServers',
  /** 43: spore chunks sent in answer to a SPORE_GET */
  'sporeChunksServed',
  /** 44: SPORE_GETs refused: the host does not hold that module or chunk */
  'sporeRefusedNotHeld',
  /** 45: SPORE_GETs refused: this node is over sporeServeRate chunks a second */
  'sporeRefusedBusy',
  /** 46: unauthenticated SPORE_GETs refused: the answer would be over 3x the request */
  'sporeRefusedUnpadded',
  /** 47: spore chunks received, verified and handed to the host (hal.spore_put) */
  'sporeChunksRx',
  /** 48: spore chunks whose length or proof did not verify against the chunk root */
  'sporeBadChunks',
  /** 49: holders a fetch stopped asking: a bad chunk, NOT_HELD, or sporeAttempts timeouts */
  'sporeHoldersDemoted',
  /** 50: spore chunk requests that ran out of time (the chunk is asked again) */
  'sporeTimeouts',
  /** 51: fetches with every chunk verified and handed to the host */
  'sporeFetchesDone',
  /** 52: fetches that ended with no holder left */
  'sporeFetchesFailed',
  /** 53: SPAWN offers this node's division rounds sent (hal.spawn, then k_spawn) */
  'spawnOffersSent',
  /** 54: SPAWN offers a target answered accepted */
  'spawnAccepted',
  /** 55: SPAWN offers refused: the target does not trust the authority (or the manifest did not verify) */
  'spawnRefusedUntrusted',
  /** 56: SPAWN offers refused: no free cell slot or memory on the target */
  'spawnRefusedNoRoom',
  /** 57: SPAWN offers refused: the target is over its own CPU share */
  'spawnRefusedCpu',
  /** 58: SPAWN offers refused: the target already hosts the species */
  'spawnRefusedHostsIt',
  /** 59: SPAWN offers refused: the target has SPAWN_MAX_PENDING spawns in progress or is over one offer a second */
  'spawnRefusedBusy',
  /** 60: SPAWN offers received from a verified key and handed to the host (hal.deliver) */
  'spawnOffersRx',
  /** 61: SPAWN frames dropped: unauthenticated, broadcast or malformed */
  'spawnOffersDropped',
  /** 62: SPORE_GETs refused: the requester is over its share of sporeServeRate (an equal share among those that asked in the last second) */
  'sporeRefusedShare',
  /** 63: CALLs refused STALE: at or below the caller's replay floor, not run again */
  'staleCalls',
  /** 64: retransmitted CALLs dropped while their deferred answer is pending (hal.cell_call answered CELL_DEFERRED) */
  'pendingDuplicates',
] as const;
export type KernelStatName = (typeof KERNEL_STATS)[number];

// Kernel settings, changed with k_config(key, value) (docs/abi.md)
export const KernelConfig = {
  /** first attempt's timeout to a destination with no measured RTT; each retry doubles it */
  callTimeoutMs: 0,
  /** one PING per interval (0: no probes) */
  probeIntervalMs: 1,
  /** one ANNOUNCE per interval (0: none) */
  announceIntervalMs: 2,
  /** a peer silent this long is forgotten */
  peerMaxAgeMs: 3,
  /** 1: a call with no known replica goes out with dst = 0 */
  defaultRoute: 4,
  /** after a timeout, routing skips the peer this long */
  failHoldMs: 5,
  /** attempts per call, the first included */
  callAttempts: 6,
  /** how long answers are kept for retransmissions */
  replayWindowMs: 7,
  /** calls in flight to one node at most */
  peerWindow: 8,
  /** after a replica sheds a call, routing prefers others this long */
  busyHoldMs: 9,
  /** share of time hosted cells may run before the heaviest callers are shed (0: no limit) */
  cpuBudget: 10,
  /** floor of a call timeout computed from measured RTTs */
  rtoMinMs: 11,
  /** cap of a call timeout computed from measured RTTs */
  rtoMaxMs: 12,
  /** 1: also accept frames without an AUTH trailer (lab LAN, simulator) */
  open: 13,
  /** 1: only keys listed with k_access_add may call (an empty list: nobody) */
  accessListedOnly: 14,
  /** a peer's session is replaced by a new HELLO at most this often; HELLOs are re-sent no sooner */
  rekeyMinMs: 15,
  /** HELLOs from nodes without a session answered per second at most, in bursts of as many (0: no limit) */
  newSessionRate: 16,
  /** spore chunk requests in flight per fetch, 1..SPORE_MAX_WINDOW */
  sporeWindow: 17,
  /** timeouts in a row after which a fetch moves to the next holder */
  sporeAttempts: 18,
  /** spore chunks this node serves per second at most, shared equally among the requesters of the last second (more are refused BUSY) */
  sporeServeRate: 19,
  /** chunks one SPORE_GET asks for and one SPORE_DATA carries at most, a power of two 1..SPORE_MAX_RUN (the host sets it to what its transports carry in one frame; an mcu kernel always uses 1) */
  sporeRun: 20,
} as const;
export type KernelConfigKey = keyof typeof KernelConfig;

// Fields of a peer table row, read with k_peer(i, field) (docs/abi.md)
export enum PeerField {
  /** the peer's node id */
  nodeId = 0,
  /** ms since the peer was last heard */
  ageMs = 1,
  /** its announced CPU share, 0..1 */
  load = 2,
  /** its announced spare capacity, 0..1 */
  spare = 3,
  /** 1 if routing may use it now, else 0 */
  healthy = 4,
  /** RTT predicted from coordinates (Infinity if unknown) */
  predictedRttMs = 5,
  /** RTT measured by probes, filtered (-1 if never probed) */
  measuredRttMs = 6,
  /** species it announced (read them with k_peer_species) */
  speciesCount = 7,
}

// Levels of hal.log (docs/abi.md)
export enum LogLevel {
  /** detail for debugging */
  DEBUG = 0,
  /** normal operation */
  INFO = 1,
  /** something to look at */
  WARN = 2,
  /** a failure */
  ERROR = 3,
}

// Argument decoding problems of the generated dispatcher, past CborError's range
export enum ArgProblem {
  /** decoding the arguments would allocate more than the call's heap budget */
  OVER_BUDGET = 64,
  /** a struct map with an unknown, repeated or missing field */
  BAD_FIELD = 65,
  /** the payload is not an array starting with the method index */
  NOT_A_CALL = 66,
}

// hal.cell_call's answers beyond a payload length (docs/abi.md)
/** hal.cell_call returned -CELL_DEFERRED: the host answers later with k_answer (a gateway forwarding the call to a board); the kernel sends nothing now */
export const CELL_DEFERRED = 0x7fffffff;

// Fixed linear memory of firmware per build target, in 64 KiB pages (asconfig.json must agree)
/** target mcu: the kernel and cells as on a board; the host's default cap for a cell */
export const MCU_PAGES = 1;
/** target host: the kernel a host node or the simulator runs */
export const HOST_PAGES = 16;

// Table sizes of the mcu kernel (kernel.wasm, a board's: one serial link, few peers) where they differ from the host kernel's; and the top of its memory (docs/abi.md)
/** peer table rows (host: 64) */
export const MCU_MAX_PEERS = 8;
/** Vivaldi neighbour slots (host: 64) */
export const MCU_NB_SLOTS = 16;
/** own calls in flight, each with a 256-byte retry copy (host: 32) */
export const MCU_MAX_CALLS = 8;
/** authenticated sessions, each with REPLAY_PER_CALLER replay slots (host: MAX_SESSIONS) */
export const MCU_MAX_SESSIONS = 4;
/** replay slots shared by unauthenticated callers and this node (host: 32) */
export const MCU_REPLAY_SHARED = 16;
/** replay buffers for answers of 129..1024 bytes (host: 4) */
export const MCU_REPLAY_LARGE = 2;
/** cells hosted, the board runtime's BOARD_MAX_CELLS (host: 8) */
export const MCU_MAX_CELLS = 4;
/** spore fetches at once: a board is installed over its cable, not from the mesh (host: SPORE_MAX_FETCHES) */
export const MCU_SPORE_FETCHES = 1;
/** [access] rows (host: MAX_ACCESS) */
export const MCU_MAX_ACCESS = 8;
/** [access] serve rows (host: MAX_SERVE) */
export const MCU_MAX_SERVE = 8;
/** the mcu kernel's memory top: its data and tables end below it (checked at start, else it traps) and it never touches a byte above; a board gives its runtime this much memory (wasm3 memoryLimit). Host: HOST_PAGES pages */
export const MCU_KERNEL_BYTES = 0x6a00;

// Errors of the firmware CBOR reader, stable (docs/cbor.md)
export enum CborError {
  /** no error */
  OK = 0,
  /** the item (or its declared length or element count) runs past the end of the input */
  TRUNCATED = 1,
  /** a well-formed item of another type than the one asked for */
  WRONG_TYPE = 2,
  /** an integer (or integral float) that does not fit the requested type, sign included */
  OVERFLOW = 3,
  /** indefinite-length string, array or map, or a stray break (0xff) */
  INDEFINITE = 4,
  /** more than CBOR_MAX_DEPTH nested arrays/maps */
  TOO_DEEP = 5,
  /** a text string that is not well-formed UTF-8 */
  BAD_UTF8 = 6,
  /** malformed: additional info 28..30, 31 on major 0/1/6, or a two-byte simple value below 32 */
  RESERVED = 7,
  /** well-formed but outside the subset: any tag, any simple value but false/true/null/undefined */
  UNSUPPORTED = 8,
  /** expectEnd() found bytes after the last item */
  TRAILING = 9,
}

// Limits of the firmware CBOR codec (docs/cbor.md)
/** nesting limit for skip() and walkers that honour it; bounds work and stack on an MCU */
export const CBOR_MAX_DEPTH = 16;

// Vivaldi tunables, set with vivaldiTune(id, value) by the harness and the bench (firmware/kernel/vivaldi-config.ts)
export const TUNE = {
  /** timestep scale, Dabek's cc (VIV_CC) */
  cc: 0,
  /** error-estimate smoothing, Dabek's ce (VIV_CE) */
  ce: 1,
  /** gravity radius in ms (VIV_GRAVITY_RHO) */
  gravityRho: 2,
  /** order statistic the latency filter reports (LF_PERCENTILE) */
  filterPercentile: 3,
  /** samples before a neighbour moves the coordinate (LF_MIN_SAMPLES) */
  minSamples: 4,
  /** size of the near set (NB_NEAR) */
  near: 5,
  /** share of probes to the near set (NB_NEAR_SHARE) */
  nearShare: 6,
  /** chance an offered peer replaces a far slot when the table is full (NB_REPLACE_SHARE) */
  replaceShare: 7,
  /** share of gossip picks taken from the near set (NB_GOSSIP_NEAR_SHARE) */
  gossipNearShare: 8,
  /** links longer than this (ms) pull with scaled force; 0 turns the scaling off (VIV_LONG_LINK_MS) */
  longLinkMs: 9,
  /** dimensions in use, 1..VIV_DIMS */
  dims: 10,
  /** non-zero: no latency filter (the bench's "no filter" rows) */
  filterOff: 11,
} as const;
export type TuneName = keyof typeof TUNE;

// Vivaldi counters, read with vivaldiStat(id); nothing rejected goes uncounted (docs/vivaldi.md)
export const VSTAT = {
  /** updates applied to this node's coordinate */
  updates: 0,
  /** RTT samples rejected: NaN, infinite, <= 0 or above VIV_RTT_MAX */
  badRtt: 1,
  /** peer coordinates rejected: wrong arity, not numbers, NaN/inf, magnitudes above VIV_COORD_MAX */
  badCoord: 2,
  /** updates undone because the result was not finite (a guard, not a path: stays 0) */
  nonFinite: 3,
  /** samples recorded but not applied: the neighbour had fewer than LF_MIN_SAMPLES samples */
  held: 4,
  /** neighbours dropped after NB_MAX_MISSES unanswered probes */
  evicted: 5,
  /** far neighbours replaced by a newly offered peer (rotation) */
  rotated: 6,
  /** samples from a peer not in the neighbour table and not insertable (ignored) */
  unknownPeer: 7,
} as const;

// Sessions and the AUTH trailer (docs/wire.md, docs/security.md)
/** trailer: the sender's per-session frame counter, u64 little-endian */
export const AUTH_COUNTER_BYTES = 8;
/** trailer: HMAC-SHA256 over header, payload and counter, truncated */
export const AUTH_TAG_BYTES = 16;
/** trailer of a unicast frame: counter and tag */
export const AUTH_TRAILER_BYTES = 24;
/** trailer of a broadcast frame: ed25519 signature after the counter */
export const AUTH_SIG_BYTES = 64;
/** trailer of a broadcast frame: counter and signature */
export const AUTH_BROADCAST_TRAILER_BYTES = 72;
/** payload of HELLO and WELCOME: ed25519 key, x25519 key, signature */
export const HANDSHAKE_BYTES = 128;
/** sessions a kernel holds; the least recently used is evicted */
export const MAX_SESSIONS = 16;
/** replay-cache slots of each authenticated caller: also the most of its calls a node can have deferred at once */
export const REPLAY_PER_CALLER = 4;
/** counters below the highest seen that are still accepted once */
export const AUTH_WINDOW = 64;
/** rows of the kernel's access list (key, species) */
export const MAX_ACCESS = 32;
/** rows of the kernel's serve list (key, species): whose replicas it routes to */
export const MAX_SERVE = 32;

// The kernel's fixed tables, read with k_table(table, field) and shown by cell stats (docs/abi.md)
export const KERNEL_TABLES = [
  /** 0: nodes heard (pheromones, probes, bootstrap); full: a newcomer is refused and counted */
  'peers',
  /** 1: authenticated sessions; full: the least recently used is evicted */
  'sessions',
  /** 2: answers kept for retransmissions: 4 per session, a shared ring, large buffers; the oldest is overwritten */
  'replay',
  /** 3: this node's calls in flight; full: k_call is refused (CALL_TABLE_FULL) and the host queues */
  'calls',
  /** 4: heaviest callers of hosted cells (where siblings go); full: the lightest gives way */
  'callers',
  /** 5: callers' recent CPU use (fair shedding); full: the lightest gives way */
  'budgets',
  /** 6: smoothed RTT per call destination (timeouts); full: the one measured longest ago gives way */
  'rtt',
  /** 7: cells hosted (k_host); full: k_host fails */
  'cells',
  /** 8: [access] rows (key, species); full: k_access_add fails */
  'access',
  /** 9: [access] serve rows (key, species); full: k_serve_add fails */
  'serve',
  /** 10: recent spore requesters and their serve buckets; full: the one unused longest gives way */
  'sporeRequesters',
] as const;
export type KernelTable = (typeof KERNEL_TABLES)[number];

// Fields of k_table(table, field) (docs/abi.md)
export const KERNEL_TABLE_FIELDS = [
  /** 0: rows in use now */
  'rows',
  /** 1: rows the kernel build holds */
  'cap',
  /** 2: since start: rows evicted or overwritten to make room, or newcomers refused */
  'givenUp',
] as const;
export type KernelTableField = (typeof KERNEL_TABLE_FIELDS)[number];

// Spores: module chunks and their transfer (docs/spores.md)
/** module bytes per chunk; the last chunk holds the rest (1..1024) */
export const SPORE_CHUNK_BYTES = 0x400;
/** SHA-256: a module's content address, a chunk tree node */
export const SPORE_HASH_BYTES = 32;
/** largest module a kernel fetches: 4096 chunks, a 512-byte chunk bitmap */
export const SPORE_MAX_BYTES = 0x400000;
/** fetches a kernel runs at once */
export const SPORE_MAX_FETCHES = 2;
/** holders a fetch remembers (hinted or announcing the species) */
export const SPORE_MAX_HOLDERS = 8;
/** cap of sporeWindow: requests in flight per fetch */
export const SPORE_MAX_WINDOW = 16;
/** cap of sporeRun: chunks in one SPORE_DATA of a host kernel (an mcu kernel's 2 KiB frame holds one) */
export const SPORE_MAX_RUN = 32;
/** a host kernel's frame buffer (k_buf_cap): room for a SPORE_DATA of SPORE_MAX_RUN chunks with its proof. Every other frame stays within FRAME_BYTES */
export const HOST_BUF_BYTES = 0x8800;
/** requesters whose serve buckets a node keeps (each gets an equal share of sporeServeRate) */
export const SPORE_SERVE_REQUESTERS = 8;
/** an unauthenticated SPORE_GET is padded to this frame length: a third of the largest answer */
export const SPORE_GET_PADDED_BYTES = 0x1f4;
/** SPORE_DATA refusal: this node does not hold that module or chunk */
export const SPORE_NOT_HELD = 1;
/** SPORE_DATA refusal: over the serve rate, ask again later or elsewhere */
export const SPORE_BUSY = 2;
/** SPORE_DATA refusal: unauthenticated and the answer would be over 3x the request */
export const SPORE_UNPADDED = 3;
/** hal.spore_done status: every chunk verified and stored */
export const FETCH_OK = 0;
/** hal.spore_done status: every holder was tried or demoted */
export const FETCH_NO_HOLDER = 1;
/** SPAWN offers a node has accepted and not yet finished (fetching, verifying, starting) */
export const SPAWN_MAX_PENDING = 2;
/** SPAWN answer: accepted, the target fetches and starts the replica */
export const SPAWN_OK = 0;
/** SPAWN answer: the manifest did not verify or its authority is not trusted here */
export const SPAWN_UNTRUSTED = 1;
/** SPAWN answer: no free cell slot or memory */
export const SPAWN_NO_ROOM = 2;
/** SPAWN answer: the target's load plus the cell's cpu_target is over 1 */
export const SPAWN_OVER_CPU = 3;
/** SPAWN answer: the target already hosts the species */
export const SPAWN_HOSTS_IT = 4;
/** SPAWN answer: SPAWN_MAX_PENDING spawns in progress, or over one offer a second */
export const SPAWN_BUSY = 5;

/** One row of the table: its group, AssemblyScript name, host name and value. */
export interface ProtocolRow {
  group: string;
  asName: string;
  hostName: string;
  value: number;
}

/** Every row in table order, which is the order of the kernel export k_protocol(i). */
export const PROTOCOL_ROWS: readonly ProtocolRow[] = [
  { group: 'header', asName: 'HEADER_BYTES', hostName: 'HEADER_BYTES', value: HEADER_BYTES },
  { group: 'header', asName: 'FRAME_BYTES', hostName: 'FRAME_BYTES', value: FRAME_BYTES },
  { group: 'header', asName: 'MAGIC', hostName: 'MAGIC', value: MAGIC },
  { group: 'header', asName: 'VERSION', hostName: 'VERSION', value: VERSION },
  { group: 'header', asName: 'FLAGS_RESERVED', hostName: 'FLAGS_RESERVED', value: FLAGS_RESERVED },
  { group: 'header', asName: 'BROADCAST', hostName: 'BROADCAST', value: BROADCAST },
  { group: 'type', asName: 'T_CALL', hostName: 'CALL', value: MsgType.CALL },
  { group: 'type', asName: 'T_REPLY', hostName: 'REPLY', value: MsgType.REPLY },
  { group: 'type', asName: 'T_ERROR', hostName: 'ERROR', value: MsgType.ERROR },
  { group: 'type', asName: 'T_PING', hostName: 'PING', value: MsgType.PING },
  { group: 'type', asName: 'T_PONG', hostName: 'PONG', value: MsgType.PONG },
  { group: 'type', asName: 'T_ANNOUNCE', hostName: 'ANNOUNCE', value: MsgType.ANNOUNCE },
  { group: 'type', asName: 'T_SPORE_GET', hostName: 'SPORE_GET', value: MsgType.SPORE_GET },
  { group: 'type', asName: 'T_SPORE_DATA', hostName: 'SPORE_DATA', value: MsgType.SPORE_DATA },
  { group: 'type', asName: 'T_HELLO', hostName: 'HELLO', value: MsgType.HELLO },
  { group: 'type', asName: 'T_WELCOME', hostName: 'WELCOME', value: MsgType.WELCOME },
  { group: 'type', asName: 'T_SPAWN', hostName: 'SPAWN', value: MsgType.SPAWN },
  { group: 'flag', asName: 'F_ACK_REQ', hostName: 'ACK_REQ', value: Flag.ACK_REQ },
  { group: 'flag', asName: 'F_FRAGMENT', hostName: 'FRAGMENT', value: Flag.FRAGMENT },
  { group: 'flag', asName: 'F_AUTH', hostName: 'AUTH', value: Flag.AUTH },
  { group: 'flag', asName: 'F_MORE', hostName: 'MORE', value: Flag.MORE },
  { group: 'reject', asName: 'R_SHORT', hostName: 'SHORT', value: HeaderReject.SHORT },
  { group: 'reject', asName: 'R_BAD_MAGIC', hostName: 'BAD_MAGIC', value: HeaderReject.BAD_MAGIC },
  { group: 'reject', asName: 'R_BAD_VERSION', hostName: 'BAD_VERSION', value: HeaderReject.BAD_VERSION },
  { group: 'reject', asName: 'R_BAD_TYPE', hostName: 'BAD_TYPE', value: HeaderReject.BAD_TYPE },
  { group: 'reject', asName: 'R_BAD_FLAGS', hostName: 'BAD_FLAGS', value: HeaderReject.BAD_FLAGS },
  { group: 'reject', asName: 'R_TRUNCATED', hostName: 'TRUNCATED', value: HeaderReject.TRUNCATED },
  { group: 'reject', asName: 'R_TRAILING', hostName: 'TRAILING', value: HeaderReject.TRAILING },
  { group: 'reject', asName: 'R_TOO_LARGE', hostName: 'TOO_LARGE', value: HeaderReject.TOO_LARGE },
  { group: 'result', asName: 'R_NOT_FOR_ME', hostName: 'NOT_FOR_ME', value: KernelResult.NOT_FOR_ME },
  { group: 'result', asName: 'R_BAD_PAYLOAD', hostName: 'BAD_PAYLOAD', value: KernelResult.BAD_PAYLOAD },
  { group: 'result', asName: 'R_UNSUPPORTED', hostName: 'UNSUPPORTED', value: KernelResult.UNSUPPORTED },
  { group: 'result', asName: 'R_NO_ROUTE', hostName: 'NO_ROUTE', value: KernelResult.NO_ROUTE },
  { group: 'result', asName: 'R_CALL_TABLE_FULL', hostName: 'CALL_TABLE_FULL', value: KernelResult.CALL_TABLE_FULL },
  { group: 'result', asName: 'R_PEER_BUSY', hostName: 'PEER_BUSY', value: KernelResult.PEER_BUSY },
  { group: 'result', asName: 'R_NOT_AUTHENTICATED', hostName: 'NOT_AUTHENTICATED', value: KernelResult.NOT_AUTHENTICATED },
  { group: 'result', asName: 'R_NO_SESSION', hostName: 'NO_SESSION', value: KernelResult.NO_SESSION },
  { group: 'result', asName: 'R_BAD_AUTH', hostName: 'BAD_AUTH', value: KernelResult.BAD_AUTH },
  { group: 'result', asName: 'R_REPLAYED', hostName: 'REPLAYED', value: KernelResult.REPLAYED },
  { group: 'result', asName: 'R_NOT_AUTHORISED', hostName: 'NOT_AUTHORISED', value: KernelResult.NOT_AUTHORISED },
  { group: 'result', asName: 'R_BAD_HANDSHAKE', hostName: 'BAD_HANDSHAKE', value: KernelResult.BAD_HANDSHAKE },
  { group: 'result', asName: 'R_NOT_PENDING', hostName: 'NOT_PENDING', value: KernelResult.NOT_PENDING },
  { group: 'error', asName: 'E_UNKNOWN_SPECIES', hostName: 'UNKNOWN_SPECIES', value: ErrorCode.UNKNOWN_SPECIES },
  { group: 'error', asName: 'E_UNKNOWN_METHOD', hostName: 'UNKNOWN_METHOD', value: ErrorCode.UNKNOWN_METHOD },
  { group: 'error', asName: 'E_BAD_ARGS', hostName: 'BAD_ARGS', value: ErrorCode.BAD_ARGS },
  { group: 'error', asName: 'E_CELL_TRAP', hostName: 'CELL_TRAP', value: ErrorCode.CELL_TRAP },
  { group: 'error', asName: 'E_OUT_OF_FUEL', hostName: 'OUT_OF_FUEL', value: ErrorCode.OUT_OF_FUEL },
  { group: 'error', asName: 'E_OUT_OF_MEMORY', hostName: 'OUT_OF_MEMORY', value: ErrorCode.OUT_OF_MEMORY },
  { group: 'error', asName: 'E_CELL_ERROR', hostName: 'CELL_ERROR', value: ErrorCode.CELL_ERROR },
  { group: 'error', asName: 'E_TOO_LARGE', hostName: 'TOO_LARGE', value: ErrorCode.TOO_LARGE },
  { group: 'error', asName: 'E_TIMEOUT', hostName: 'TIMEOUT', value: ErrorCode.TIMEOUT },
  { group: 'error', asName: 'E_NO_ROUTE', hostName: 'NO_ROUTE', value: ErrorCode.NO_ROUTE },
  { group: 'error', asName: 'E_OVERLOADED', hostName: 'OVERLOADED', value: ErrorCode.OVERLOADED },
  { group: 'error', asName: 'E_NOT_AUTHENTICATED', hostName: 'NOT_AUTHENTICATED', value: ErrorCode.NOT_AUTHENTICATED },
  { group: 'error', asName: 'E_NOT_AUTHORISED', hostName: 'NOT_AUTHORISED', value: ErrorCode.NOT_AUTHORISED },
  { group: 'error', asName: 'E_STALE', hostName: 'STALE', value: ErrorCode.STALE },
  { group: 'stat', asName: 'S_FRAMES_RX', hostName: 'framesRx', value: KERNEL_STATS.indexOf('framesRx') },
  { group: 'stat', asName: 'S_FRAMES_TX', hostName: 'framesTx', value: KERNEL_STATS.indexOf('framesTx') },
  { group: 'stat', asName: 'S_DROP_BAD_HEADER', hostName: 'dropBadHeader', value: KERNEL_STATS.indexOf('dropBadHeader') },
  { group: 'stat', asName: 'S_DROP_NOT_FOR_ME', hostName: 'dropNotForMe', value: KERNEL_STATS.indexOf('dropNotForMe') },
  { group: 'stat', asName: 'S_DROP_TOO_LARGE', hostName: 'dropTooLarge', value: KERNEL_STATS.indexOf('dropTooLarge') },
  { group: 'stat', asName: 'S_CALLS_SERVED', hostName: 'callsServed', value: KERNEL_STATS.indexOf('callsServed') },
  { group: 'stat', asName: 'S_CALL_ERRORS', hostName: 'callErrors', value: KERNEL_STATS.indexOf('callErrors') },
  { group: 'stat', asName: 'S_UNKNOWN_SPECIES', hostName: 'unknownSpecies', value: KERNEL_STATS.indexOf('unknownSpecies') },
  { group: 'stat', asName: 'S_REPLIES_DELIVERED', hostName: 'repliesDelivered', value: KERNEL_STATS.indexOf('repliesDelivered') },
  { group: 'stat', asName: 'S_TIMEOUTS', hostName: 'timeouts', value: KERNEL_STATS.indexOf('timeouts') },
  { group: 'stat', asName: 'S_UNMATCHED_REPLIES', hostName: 'unmatchedReplies', value: KERNEL_STATS.indexOf('unmatchedReplies') },
  { group: 'stat', asName: 'S_PINGS_RX', hostName: 'pingsRx', value: KERNEL_STATS.indexOf('pingsRx') },
  { group: 'stat', asName: 'S_PONGS_RX', hostName: 'pongsRx', value: KERNEL_STATS.indexOf('pongsRx') },
  { group: 'stat', asName: 'S_ANNOUNCES_RX', hostName: 'announcesRx', value: KERNEL_STATS.indexOf('announcesRx') },
  { group: 'stat', asName: 'S_PEERS_KNOWN', hostName: 'peersKnown', value: KERNEL_STATS.indexOf('peersKnown') },
  { group: 'stat', asName: 'S_BAD_PAYLOAD', hostName: 'badPayload', value: KERNEL_STATS.indexOf('badPayload') },
  { group: 'stat', asName: 'S_CALLS_SENT', hostName: 'callsSent', value: KERNEL_STATS.indexOf('callsSent') },
  { group: 'stat', asName: 'S_NO_ROUTE', hostName: 'noRoute', value: KERNEL_STATS.indexOf('noRoute') },
  { group: 'stat', asName: 'S_CALL_TABLE_FULL', hostName: 'callTableFull', value: KERNEL_STATS.indexOf('callTableFull') },
  { group: 'stat', asName: 'S_PROBES_SENT', hostName: 'probesSent', value: KERNEL_STATS.indexOf('probesSent') },
  { group: 'stat', asName: 'S_PEER_TABLE_FULL', hostName: 'peerTableFull', value: KERNEL_STATS.indexOf('peerTableFull') },
  { group: 'stat', asName: 'S_RETRIES', hostName: 'retries', value: KERNEL_STATS.indexOf('retries') },
  { group: 'stat', asName: 'S_FAILOVERS', hostName: 'failovers', value: KERNEL_STATS.indexOf('failovers') },
  { group: 'stat', asName: 'S_DUPLICATE_CALLS', hostName: 'duplicateCalls', value: KERNEL_STATS.indexOf('duplicateCalls') },
  { group: 'stat', asName: 'S_PEER_WINDOW_FULL', hostName: 'peerWindowFull', value: KERNEL_STATS.indexOf('peerWindowFull') },
  { group: 'stat', asName: 'S_SPAWNS', hostName: 'spawns', value: KERNEL_STATS.indexOf('spawns') },
  { group: 'stat', asName: 'S_RETIREMENTS', hostName: 'retirements', value: KERNEL_STATS.indexOf('retirements') },
  { group: 'stat', asName: 'S_CALLS_SHED', hostName: 'callsShed', value: KERNEL_STATS.indexOf('callsShed') },
  { group: 'stat', asName: 'S_OVERLOAD_FAILOVERS', hostName: 'overloadFailovers', value: KERNEL_STATS.indexOf('overloadFailovers') },
  { group: 'stat', asName: 'S_AUTH_REQUIRED', hostName: 'authRequired', value: KERNEL_STATS.indexOf('authRequired') },
  { group: 'stat', asName: 'S_AUTH_NO_SESSION', hostName: 'authNoSession', value: KERNEL_STATS.indexOf('authNoSession') },
  { group: 'stat', asName: 'S_AUTH_BAD_TAG', hostName: 'authBadTag', value: KERNEL_STATS.indexOf('authBadTag') },
  { group: 'stat', asName: 'S_AUTH_REPLAYS', hostName: 'authReplays', value: KERNEL_STATS.indexOf('authReplays') },
  { group: 'stat', asName: 'S_AUTH_UNAUTHORISED', hostName: 'authUnauthorised', value: KERNEL_STATS.indexOf('authUnauthorised') },
  { group: 'stat', asName: 'S_HANDSHAKES_DONE', hostName: 'handshakesDone', value: KERNEL_STATS.indexOf('handshakesDone') },
  { group: 'stat', asName: 'S_HANDSHAKES_BAD', hostName: 'handshakesBad', value: KERNEL_STATS.indexOf('handshakesBad') },
  { group: 'stat', asName: 'S_HANDSHAKES_THROTTLED', hostName: 'handshakesThrottled', value: KERNEL_STATS.indexOf('handshakesThrottled') },
  { group: 'stat', asName: 'S_SESSIONS_EVICTED', hostName: 'sessionsEvicted', value: KERNEL_STATS.indexOf('sessionsEvicted') },
  { group: 'stat', asName: 'S_SENT_WITHOUT_SESSION', hostName: 'sentWithoutSession', value: KERNEL_STATS.indexOf('sentWithoutSession') },
  { group: 'stat', asName: 'S_BAD_LOAD', hostName: 'badLoad', value: KERNEL_STATS.indexOf('badLoad') },
  { group: 'stat', asName: 'S_FOREIGN_ANSWERS', hostName: 'foreignAnswers', value: KERNEL_STATS.indexOf('foreignAnswers') },
  { group: 'stat', asName: 'S_HANDSHAKES_RATE_LIMITED', hostName: 'handshakesRateLimited', value: KERNEL_STATS.indexOf('handshakesRateLimited') },
  { group: 'stat', asName: 'S_UNTRUSTED_SERVERS', hostName: 'untrustedServers', value: KERNEL_STATS.indexOf('untrustedServers') },
  { group: 'stat', asName: 'S_SPORE_CHUNKS_SERVED', hostName: 'sporeChunksServed', value: KERNEL_STATS.indexOf('sporeChunksServed') },
  { group: 'stat', asName: 'S_SPORE_REFUSED_NOT_HELD', hostName: 'sporeRefusedNotHeld', value: KERNEL_STATS.indexOf('sporeRefusedNotHeld') },
  { group: 'stat', asName: 'S_SPORE_REFUSED_BUSY', hostName: 'sporeRefusedBusy', value: KERNEL_STATS.indexOf('sporeRefusedBusy') },
  { group: 'stat', asName: 'S_SPORE_REFUSED_UNPADDED', hostName: 'sporeRefusedUnpadded', value: KERNEL_STATS.indexOf('sporeRefusedUnpadded') },
  { group: 'stat', asName: 'S_SPORE_CHUNKS_RX', hostName: 'sporeChunksRx', value: KERNEL_STATS.indexOf('sporeChunksRx') },
  { group: 'stat', asName: 'S_SPORE_BAD_CHUNKS', hostName: 'sporeBadChunks', value: KERNEL_STATS.indexOf('sporeBadChunks') },
  { group: 'stat', asName: 'S_SPORE_HOLDERS_DEMOTED', hostName: 'sporeHoldersDemoted', value: KERNEL_STATS.indexOf('sporeHoldersDemoted') },
  { group: 'stat', asName: 'S_SPORE_TIMEOUTS', hostName: 'sporeTimeouts', value: KERNEL_STATS.indexOf('sporeTimeouts') },
  { group: 'stat', asName: 'S_SPORE_FETCHES_DONE', hostName: 'sporeFetchesDone', value: KERNEL_STATS.indexOf('sporeFetchesDone') },
  { group: 'stat', asName: 'S_SPORE_FETCHES_FAILED', hostName: 'sporeFetchesFailed', value: KERNEL_STATS.indexOf('sporeFetchesFailed') },
  { group: 'stat', asName: 'S_SPAWN_OFFERS_SENT', hostName: 'spawnOffersSent', value: KERNEL_STATS.indexOf('spawnOffersSent') },
  { group: 'stat', asName: 'S_SPAWN_ACCEPTED', hostName: 'spawnAccepted', value: KERNEL_STATS.indexOf('spawnAccepted') },
  { group: 'stat', asName: 'S_SPAWN_REFUSED_UNTRUSTED', hostName: 'spawnRefusedUntrusted', value: KERNEL_STATS.indexOf('spawnRefusedUntrusted') },
  { group: 'stat', asName: 'S_SPAWN_REFUSED_NO_ROOM', hostName: 'spawnRefusedNoRoom', value: KERNEL_STATS.indexOf('spawnRefusedNoRoom') },
  { group: 'stat', asName: 'S_SPAWN_REFUSED_CPU', hostName: 'spawnRefusedCpu', value: KERNEL_STATS.indexOf('spawnRefusedCpu') },
  { group: 'stat', asName: 'S_SPAWN_REFUSED_HOSTS_IT', hostName: 'spawnRefusedHostsIt', value: KERNEL_STATS.indexOf('spawnRefusedHostsIt') },
  { group: 'stat', asName: 'S_SPAWN_REFUSED_BUSY', hostName: 'spawnRefusedBusy', value: KERNEL_STATS.indexOf('spawnRefusedBusy') },
  { group: 'stat', asName: 'S_SPAWN_OFFERS_RX', hostName: 'spawnOffersRx', value: KERNEL_STATS.indexOf('spawnOffersRx') },
  { group: 'stat', asName: 'S_SPAWN_OFFERS_DROPPED', hostName: 'spawnOffersDropped', value: KERNEL_STATS.indexOf('spawnOffersDropped') },
  { group: 'stat', asName: 'S_SPORE_REFUSED_SHARE', hostName: 'sporeRefusedShare', value: KERNEL_STATS.indexOf('sporeRefusedShare') },
  { group: 'stat', asName: 'S_STALE_CALLS', hostName: 'staleCalls', value: KERNEL_STATS.indexOf('staleCalls') },
  { group: 'stat', asName: 'S_PENDING_DUPLICATES', hostName: 'pendingDuplicates', value: KERNEL_STATS.indexOf('pendingDuplicates') },
  { group: 'config', asName: 'C_CALL_TIMEOUT_MS', hostName: 'callTimeoutMs', value: KernelConfig.callTimeoutMs },
  { group: 'config', asName: 'C_PROBE_INTERVAL_MS', hostName: 'probeIntervalMs', value: KernelConfig.probeIntervalMs },
  { group: 'config', asName: 'C_ANNOUNCE_INTERVAL_MS', hostName: 'announceIntervalMs', value: KernelConfig.announceIntervalMs },
  { group: 'config', asName: 'C_PEER_MAX_AGE_MS', hostName: 'peerMaxAgeMs', value: KernelConfig.peerMaxAgeMs },
  { group: 'config', asName: 'C_DEFAULT_ROUTE', hostName: 'defaultRoute', value: KernelConfig.defaultRoute },
  { group: 'config', asName: 'C_FAIL_HOLD_MS', hostName: 'failHoldMs', value: KernelConfig.failHoldMs },
  { group: 'config', asName: 'C_CALL_ATTEMPTS', hostName: 'callAttempts', value: KernelConfig.callAttempts },
  { group: 'config', asName: 'C_REPLAY_WINDOW_MS', hostName: 'replayWindowMs', value: KernelConfig.replayWindowMs },
  { group: 'config', asName: 'C_PEER_WINDOW', hostName: 'peerWindow', value: KernelConfig.peerWindow },
  { group: 'config', asName: 'C_BUSY_HOLD_MS', hostName: 'busyHoldMs', value: KernelConfig.busyHoldMs },
  { group: 'config', asName: 'C_CPU_BUDGET', hostName: 'cpuBudget', value: KernelConfig.cpuBudget },
  { group: 'config', asName: 'C_RTO_MIN_MS', hostName: 'rtoMinMs', value: KernelConfig.rtoMinMs },
  { group: 'config', asName: 'C_RTO_MAX_MS', hostName: 'rtoMaxMs', value: KernelConfig.rtoMaxMs },
  { group: 'config', asName: 'C_OPEN', hostName: 'open', value: KernelConfig.open },
  { group: 'config', asName: 'C_ACCESS_LISTED_ONLY', hostName: 'accessListedOnly', value: KernelConfig.accessListedOnly },
  { group: 'config', asName: 'C_REKEY_MIN_MS', hostName: 'rekeyMinMs', value: KernelConfig.rekeyMinMs },
  { group: 'config', asName: 'C_NEW_SESSION_RATE', hostName: 'newSessionRate', value: KernelConfig.newSessionRate },
  { group: 'config', asName: 'C_SPORE_WINDOW', hostName: 'sporeWindow', value: KernelConfig.sporeWindow },
  { group: 'config', asName: 'C_SPORE_ATTEMPTS', hostName: 'sporeAttempts', value: KernelConfig.sporeAttempts },
  { group: 'config', asName: 'C_SPORE_SERVE_RATE', hostName: 'sporeServeRate', value: KernelConfig.sporeServeRate },
  { group: 'config', asName: 'C_SPORE_RUN', hostName: 'sporeRun', value: KernelConfig.sporeRun },
  { group: 'peer_field', asName: 'PEER_NODE_ID', hostName: 'nodeId', value: PeerField.nodeId },
  { group: 'peer_field', asName: 'PEER_AGE_MS', hostName: 'ageMs', value: PeerField.ageMs },
  { group: 'peer_field', asName: 'PEER_LOAD', hostName: 'load', value: PeerField.load },
  { group: 'peer_field', asName: 'PEER_SPARE', hostName: 'spare', value: PeerField.spare },
  { group: 'peer_field', asName: 'PEER_HEALTHY', hostName: 'healthy', value: PeerField.healthy },
  { group: 'peer_field', asName: 'PEER_PREDICTED_RTT_MS', hostName: 'predictedRttMs', value: PeerField.predictedRttMs },
  { group: 'peer_field', asName: 'PEER_MEASURED_RTT_MS', hostName: 'measuredRttMs', value: PeerField.measuredRttMs },
  { group: 'peer_field', asName: 'PEER_SPECIES_COUNT', hostName: 'speciesCount', value: PeerField.speciesCount },
  { group: 'log', asName: 'LOG_DEBUG', hostName: 'DEBUG', value: LogLevel.DEBUG },
  { group: 'log', asName: 'LOG_INFO', hostName: 'INFO', value: LogLevel.INFO },
  { group: 'log', asName: 'LOG_WARN', hostName: 'WARN', value: LogLevel.WARN },
  { group: 'log', asName: 'LOG_ERROR', hostName: 'ERROR', value: LogLevel.ERROR },
  { group: 'arg', asName: 'ARG_OVER_BUDGET', hostName: 'OVER_BUDGET', value: ArgProblem.OVER_BUDGET },
  { group: 'arg', asName: 'ARG_BAD_FIELD', hostName: 'BAD_FIELD', value: ArgProblem.BAD_FIELD },
  { group: 'arg', asName: 'ARG_NOT_A_CALL', hostName: 'NOT_A_CALL', value: ArgProblem.NOT_A_CALL },
  { group: 'cell_call', asName: 'CELL_DEFERRED', hostName: 'CELL_DEFERRED', value: CELL_DEFERRED },
  { group: 'memory', asName: 'MCU_PAGES', hostName: 'MCU_PAGES', value: MCU_PAGES },
  { group: 'memory', asName: 'HOST_PAGES', hostName: 'HOST_PAGES', value: HOST_PAGES },
  { group: 'mcu_table', asName: 'MCU_MAX_PEERS', hostName: 'MCU_MAX_PEERS', value: MCU_MAX_PEERS },
  { group: 'mcu_table', asName: 'MCU_NB_SLOTS', hostName: 'MCU_NB_SLOTS', value: MCU_NB_SLOTS },
  { group: 'mcu_table', asName: 'MCU_MAX_CALLS', hostName: 'MCU_MAX_CALLS', value: MCU_MAX_CALLS },
  { group: 'mcu_table', asName: 'MCU_MAX_SESSIONS', hostName: 'MCU_MAX_SESSIONS', value: MCU_MAX_SESSIONS },
  { group: 'mcu_table', asName: 'MCU_REPLAY_SHARED', hostName: 'MCU_REPLAY_SHARED', value: MCU_REPLAY_SHARED },
  { group: 'mcu_table', asName: 'MCU_REPLAY_LARGE', hostName: 'MCU_REPLAY_LARGE', value: MCU_REPLAY_LARGE },
  { group: 'mcu_table', asName: 'MCU_MAX_CELLS', hostName: 'MCU_MAX_CELLS', value: MCU_MAX_CELLS },
  { group: 'mcu_table', asName: 'MCU_SPORE_FETCHES', hostName: 'MCU_SPORE_FETCHES', value: MCU_SPORE_FETCHES },
  { group: 'mcu_table', asName: 'MCU_MAX_ACCESS', hostName: 'MCU_MAX_ACCESS', value: MCU_MAX_ACCESS },
  { group: 'mcu_table', asName: 'MCU_MAX_SERVE', hostName: 'MCU_MAX_SERVE', value: MCU_MAX_SERVE },
  { group: 'mcu_table', asName: 'MCU_KERNEL_BYTES', hostName: 'MCU_KERNEL_BYTES', value: MCU_KERNEL_BYTES },
  { group: 'cbor_error', asName: 'CborError.OK', hostName: 'OK', value: CborError.OK },
  { group: 'cbor_error', asName: 'CborError.TRUNCATED', hostName: 'TRUNCATED', value: CborError.TRUNCATED },
  { group: 'cbor_error', asName: 'CborError.WRONG_TYPE', hostName: 'WRONG_TYPE', value: CborError.WRONG_TYPE },
  { group: 'cbor_error', asName: 'CborError.OVERFLOW', hostName: 'OVERFLOW', value: CborError.OVERFLOW },
  { group: 'cbor_error', asName: 'CborError.INDEFINITE', hostName: 'INDEFINITE', value: CborError.INDEFINITE },
  { group: 'cbor_error', asName: 'CborError.TOO_DEEP', hostName: 'TOO_DEEP', value: CborError.TOO_DEEP },
  { group: 'cbor_error', asName: 'CborError.BAD_UTF8', hostName: 'BAD_UTF8', value: CborError.BAD_UTF8 },
  { group: 'cbor_error', asName: 'CborError.RESERVED', hostName: 'RESERVED', value: CborError.RESERVED },
  { group: 'cbor_error', asName: 'CborError.UNSUPPORTED', hostName: 'UNSUPPORTED', value: CborError.UNSUPPORTED },
  { group: 'cbor_error', asName: 'CborError.TRAILING', hostName: 'TRAILING', value: CborError.TRAILING },
  { group: 'cbor_limit', asName: 'CBOR_MAX_DEPTH', hostName: 'CBOR_MAX_DEPTH', value: CBOR_MAX_DEPTH },
  { group: 'vivaldi_tune', asName: 'TUNE_CC', hostName: 'cc', value: TUNE.cc },
  { group: 'vivaldi_tune', asName: 'TUNE_CE', hostName: 'ce', value: TUNE.ce },
  { group: 'vivaldi_tune', asName: 'TUNE_GRAVITY_RHO', hostName: 'gravityRho', value: TUNE.gravityRho },
  { group: 'vivaldi_tune', asName: 'TUNE_FILTER_PERCENTILE', hostName: 'filterPercentile', value: TUNE.filterPercentile },
  { group: 'vivaldi_tune', asName: 'TUNE_MIN_SAMPLES', hostName: 'minSamples', value: TUNE.minSamples },
  { group: 'vivaldi_tune', asName: 'TUNE_NEAR', hostName: 'near', value: TUNE.near },
  { group: 'vivaldi_tune', asName: 'TUNE_NEAR_SHARE', hostName: 'nearShare', value: TUNE.nearShare },
  { group: 'vivaldi_tune', asName: 'TUNE_REPLACE_SHARE', hostName: 'replaceShare', value: TUNE.replaceShare },
  { group: 'vivaldi_tune', asName: 'TUNE_GOSSIP_NEAR_SHARE', hostName: 'gossipNearShare', value: TUNE.gossipNearShare },
  { group: 'vivaldi_tune', asName: 'TUNE_LONG_LINK_MS', hostName: 'longLinkMs', value: TUNE.longLinkMs },
  { group: 'vivaldi_tune', asName: 'TUNE_DIMS', hostName: 'dims', value: TUNE.dims },
  { group: 'vivaldi_tune', asName: 'TUNE_FILTER_OFF', hostName: 'filterOff', value: TUNE.filterOff },
  { group: 'vivaldi_stat', asName: 'VS_UPDATES', hostName: 'updates', value: VSTAT.updates },
  { group: 'vivaldi_stat', asName: 'VS_BAD_RTT', hostName: 'badRtt', value: VSTAT.badRtt },
  { group: 'vivaldi_stat', asName: 'VS_BAD_COORD', hostName: 'badCoord', value: VSTAT.badCoord },
  { group: 'vivaldi_stat', asName: 'VS_NON_FINITE', hostName: 'nonFinite', value: VSTAT.nonFinite },
  { group: 'vivaldi_stat', asName: 'VS_HELD', hostName: 'held', value: VSTAT.held },
  { group: 'vivaldi_stat', asName: 'VS_EVICTED', hostName: 'evicted', value: VSTAT.evicted },
  { group: 'vivaldi_stat', asName: 'VS_ROTATED', hostName: 'rotated', value: VSTAT.rotated },
  { group: 'vivaldi_stat', asName: 'VS_UNKNOWN_PEER', hostName: 'unknownPeer', value: VSTAT.unknownPeer },
  { group: 'auth', asName: 'AUTH_COUNTER_BYTES', hostName: 'AUTH_COUNTER_BYTES', value: AUTH_COUNTER_BYTES },
  { group: 'auth', asName: 'AUTH_TAG_BYTES', hostName: 'AUTH_TAG_BYTES', value: AUTH_TAG_BYTES },
  { group: 'auth', asName: 'AUTH_TRAILER_BYTES', hostName: 'AUTH_TRAILER_BYTES', value: AUTH_TRAILER_BYTES },
  { group: 'auth', asName: 'AUTH_SIG_BYTES', hostName: 'AUTH_SIG_BYTES', value: AUTH_SIG_BYTES },
  { group: 'auth', asName: 'AUTH_BROADCAST_TRAILER_BYTES', hostName: 'AUTH_BROADCAST_TRAILER_BYTES', value: AUTH_BROADCAST_TRAILER_BYTES },
  { group: 'auth', asName: 'HANDSHAKE_BYTES', hostName: 'HANDSHAKE_BYTES', value: HANDSHAKE_BYTES },
  { group: 'auth', asName: 'MAX_SESSIONS', hostName: 'MAX_SESSIONS', value: MAX_SESSIONS },
  { group: 'auth', asName: 'REPLAY_PER_CALLER', hostName: 'REPLAY_PER_CALLER', value: REPLAY_PER_CALLER },
  { group: 'auth', asName: 'AUTH_WINDOW', hostName: 'AUTH_WINDOW', value: AUTH_WINDOW },
  { group: 'auth', asName: 'MAX_ACCESS', hostName: 'MAX_ACCESS', value: MAX_ACCESS },
  { group: 'auth', asName: 'MAX_SERVE', hostName: 'MAX_SERVE', value: MAX_SERVE },
  { group: 'ktable', asName: 'KT_PEERS', hostName: 'peers', value: KERNEL_TABLES.indexOf('peers') },
  { group: 'ktable', asName: 'KT_SESSIONS', hostName: 'sessions', value: KERNEL_TABLES.indexOf('sessions') },
  { group: 'ktable', asName: 'KT_REPLAY', hostName: 'replay', value: KERNEL_TABLES.indexOf('replay') },
  { group: 'ktable', asName: 'KT_CALLS', hostName: 'calls', value: KERNEL_TABLES.indexOf('calls') },
  { group: 'ktable', asName: 'KT_CALLERS', hostName: 'callers', value: KERNEL_TABLES.indexOf('callers') },
  { group: 'ktable', asName: 'KT_BUDGETS', hostName: 'budgets', value: KERNEL_TABLES.indexOf('budgets') },
  { group: 'ktable', asName: 'KT_RTT', hostName: 'rtt', value: KERNEL_TABLES.indexOf('rtt') },
  { group: 'ktable', asName: 'KT_CELLS', hostName: 'cells', value: KERNEL_TABLES.indexOf('cells') },
  { group: 'ktable', asName: 'KT_ACCESS', hostName: 'access', value: KERNEL_TABLES.indexOf('access') },
  { group: 'ktable', asName: 'KT_SERVE', hostName: 'serve', value: KERNEL_TABLES.indexOf('serve') },
  { group: 'ktable', asName: 'KT_SPORE_REQUESTERS', hostName: 'sporeRequesters', value: KERNEL_TABLES.indexOf('sporeRequesters') },
  { group: 'ktable_field', asName: 'KTF_ROWS', hostName: 'rows', value: KERNEL_TABLE_FIELDS.indexOf('rows') },
  { group: 'ktable_field', asName: 'KTF_CAP', hostName: 'cap', value: KERNEL_TABLE_FIELDS.indexOf('cap') },
  { group: 'ktable_field', asName: 'KTF_GIVEN_UP', hostName: 'givenUp', value: KERNEL_TABLE_FIELDS.indexOf('givenUp') },
  { group: 'spore', asName: 'SPORE_CHUNK_BYTES', hostName: 'SPORE_CHUNK_BYTES', value: SPORE_CHUNK_BYTES },
  { group: 'spore', asName: 'SPORE_HASH_BYTES', hostName: 'SPORE_HASH_BYTES', value: SPORE_HASH_BYTES },
  { group: 'spore', asName: 'SPORE_MAX_BYTES', hostName: 'SPORE_MAX_BYTES', value: SPORE_MAX_BYTES },
  { group: 'spore', asName: 'SPORE_MAX_FETCHES', hostName: 'SPORE_MAX_FETCHES', value: SPORE_MAX_FETCHES },
  { group: 'spore', asName: 'SPORE_MAX_HOLDERS', hostName: 'SPORE_MAX_HOLDERS', value: SPORE_MAX_HOLDERS },
  { group: 'spore', asName: 'SPORE_MAX_WINDOW', hostName: 'SPORE_MAX_WINDOW', value: SPORE_MAX_WINDOW },
  { group: 'spore', asName: 'SPORE_MAX_RUN', hostName: 'SPORE_MAX_RUN', value: SPORE_MAX_RUN },
  { group: 'spore', asName: 'HOST_BUF_BYTES', hostName: 'HOST_BUF_BYTES', value: HOST_BUF_BYTES },
  { group: 'spore', asName: 'SPORE_SERVE_REQUESTERS', hostName: 'SPORE_SERVE_REQUESTERS', value: SPORE_SERVE_REQUESTERS },
  { group: 'spore', asName: 'SPORE_GET_PADDED_BYTES', hostName: 'SPORE_GET_PADDED_BYTES', value: SPORE_GET_PADDED_BYTES },
  { group: 'spore', asName: 'SPORE_NOT_HELD', hostName: 'SPORE_NOT_HELD', value: SPORE_NOT_HELD },
  { group: 'spore', asName: 'SPORE_BUSY', hostName: 'SPORE_BUSY', value: SPORE_BUSY },
  { group: 'spore', asName: 'SPORE_UNPADDED', hostName: 'SPORE_UNPADDED', value: SPORE_UNPADDED },
  { group: 'spore', asName: 'FETCH_OK', hostName: 'FETCH_OK', value: FETCH_OK },
  { group: 'spore', asName: 'FETCH_NO_HOLDER', hostName: 'FETCH_NO_HOLDER', value: FETCH_NO_HOLDER },
  { group: 'spore', asName: 'SPAWN_MAX_PENDING', hostName: 'SPAWN_MAX_PENDING', value: SPAWN_MAX_PENDING },
  { group: 'spore', asName: 'SPAWN_OK', hostName: 'SPAWN_OK', value: SPAWN_OK },
  { group: 'spore', asName: 'SPAWN_UNTRUSTED', hostName: 'SPAWN_UNTRUSTED', value: SPAWN_UNTRUSTED },
  { group: 'spore', asName: 'SPAWN_NO_ROOM', hostName: 'SPAWN_NO_ROOM', value: SPAWN_NO_ROOM },
  { group: 'spore', asName: 'SPAWN_OVER_CPU', hostName: 'SPAWN_OVER_CPU', value: SPAWN_OVER_CPU },
  { group: 'spore', asName: 'SPAWN_HOSTS_IT', hostName: 'SPAWN_HOSTS_IT', value: SPAWN_HOSTS_IT },
  { group: 'spore', asName: 'SPAWN_BUSY', hostName: 'SPAWN_BUSY', value: SPAWN_BUSY },
];
