// Generated from docs/protocol.toml by host/build/generate-protocol.ts (npm run build). Do not edit:
// change the table and rebuild. test/protocol.test.ts holds this file to the table.

// The 20-byte frame header (docs/wire.md)
/** header length; a frame is exactly HEADER_BYTES + length bytes */
export const HEADER_BYTES: i32 = 20;
/** the largest frame every kernel takes (a board's k_buf_cap); calls and their answers stay within it on every target */
export const FRAME_BYTES: i32 = 0x800;
/** byte 0 of every frame */
export const MAGIC: u8 = 0xce;
/** byte 1: the wire format version */
export const VERSION: u8 = 1;
/** flag bits that must be zero */
export const FLAGS_RESERVED: u8 = 0xf0;
/** dst of a frame for every node */
export const BROADCAST: u32 = 0xffffffff;

// Message types, header byte 2 (docs/wire.md)
/** a call to a cell: [method_index, args...] */
export const T_CALL: u8 = 1;
/** a call's result */
export const T_REPLY: u8 = 2;
/** a call's failure: [code, message] */
export const T_ERROR: u8 = 3;
/** probe */
export const T_PING: u8 = 4;
/** probe answer */
export const T_PONG: u8 = 5;
/** pheromone: hosted species, load, coordinate */
export const T_ANNOUNCE: u8 = 6;
/** spore chunk request: [hash, index] or [hash, index, padding] (docs/spores.md) */
export const T_SPORE_GET: u8 = 7;
/** spore chunk: [hash, index, chunk, proof], or a refusal [hash, index, reason] */
export const T_SPORE_DATA: u8 = 8;
/** handshake opening: ed25519 key, ephemeral x25519 key, signature (docs/wire.md) */
export const T_HELLO: u8 = 9;
/** handshake answer: ed25519 key, ephemeral x25519 key, signature over both */
export const T_WELCOME: u8 = 10;
/** mitosis: offer [hash, root, size, manifest, signature] to start a replica, or its answer [reason] (docs/spores.md) */
export const T_SPAWN: u8 = 11;

// Header flag bits, header byte 3 (docs/wire.md)
/** sender wants an acknowledgement */
export const F_ACK_REQ: u8 = 0x01;
/** payload is one fragment of a larger message */
export const F_FRAGMENT: u8 = 0x02;
/** payload ends with an auth trailer: counter and HMAC tag, or counter and ed25519 signature on a broadcast */
export const F_AUTH: u8 = 0x04;
/** more fragments follow */
export const F_MORE: u8 = 0x08;

// Why a header codec rejects a frame; the kernel returns them negated (docs/wire.md)
/** fewer than 20 bytes */
export const R_SHORT: i32 = 1;
/** byte 0 is not MAGIC */
export const R_BAD_MAGIC: i32 = 2;
/** byte 1 is not VERSION */
export const R_BAD_VERSION: i32 = 3;
/** type not a message type */
export const R_BAD_TYPE: i32 = 4;
/** a reserved flag bit is set */
export const R_BAD_FLAGS: i32 = 5;
/** fewer than 20 + length bytes */
export const R_TRUNCATED: i32 = 6;
/** more than 20 + length bytes */
export const R_TRAILING: i32 = 7;
/** larger than the receiver's buffer */
export const R_TOO_LARGE: i32 = 8;

// Negative results of k_on_frame and k_call beyond the header reasons (docs/abi.md)
/** dst is another node */
export const R_NOT_FOR_ME: i32 = 9;
/** a kernel message whose payload does not decode */
export const R_BAD_PAYLOAD: i32 = 10;
/** a message type the kernel does not handle */
export const R_UNSUPPORTED: i32 = 11;
/** no known node hosts the species */
export const R_NO_ROUTE: i32 = 12;
/** too many calls in flight */
export const R_CALL_TABLE_FULL: i32 = 13;
/** the destination already has peerWindow calls in flight */
export const R_PEER_BUSY: i32 = 14;
/** no AUTH trailer and this node is not open */
export const R_NOT_AUTHENTICATED: i32 = 15;
/** no session with that node: a HELLO is under way */
export const R_NO_SESSION: i32 = 16;
/** the trailer's tag or signature does not verify */
export const R_BAD_AUTH: i32 = 17;
/** the trailer's counter was seen already or is below the window */
export const R_REPLAYED: i32 = 18;
/** [access] does not let the caller's key call this species */
export const R_NOT_AUTHORISED: i32 = 19;
/** a HELLO or WELCOME that is malformed, unexpected or does not verify */
export const R_BAD_HANDSHAKE: i32 = 20;
/** k_answer: no deferred call of that caller, species and seq is waiting for an answer */
export const R_NOT_PENDING: i32 = 21;

// ERROR payload codes: [code, message] (docs/wire.md)
/** kernel: no cell of that species is hosted here */
export const E_UNKNOWN_SPECIES: u32 = 1;
/** cell dispatch: method index out of range */
export const E_UNKNOWN_METHOD: u32 = 2;
/** cell dispatch: arguments do not decode as the schema says */
export const E_BAD_ARGS: u32 = 3;
/** host: the cell trapped (or aborted) */
export const E_CELL_TRAP: u32 = 4;
/** host: the cell used its instruction budget */
export const E_OUT_OF_FUEL: u32 = 5;
/** host: the cell could not allocate */
export const E_OUT_OF_MEMORY: u32 = 6;
/** cell: the handler called fail(message) */
export const E_CELL_ERROR: u32 = 7;
/** kernel or host: request or result does not fit a buffer */
export const E_TOO_LARGE: u32 = 8;
/** local only: no reply before the deadline */
export const E_TIMEOUT: u32 = 9;
/** local only: no known node hosts the species */
export const E_NO_ROUTE: u32 = 10;
/** host: the cell's queue is full; the call was not executed */
export const E_OVERLOADED: u32 = 11;
/** kernel: the call carried no AUTH trailer and this node is not open */
export const E_NOT_AUTHENTICATED: u32 = 12;
/** kernel: [access] does not let the caller's key call this species */
export const E_NOT_AUTHORISED: u32 = 13;
/** kernel: a CALL at or below its caller's replay floor (a retransmission older than the replay cache); not run, it may have run already */
export const E_STALE: u32 = 14;

// Kernel counters, read with k_stat(id) (docs/abi.md)
/** frames accepted by k_on_frame */
export const S_FRAMES_RX: i32 = 0;
/** frames sent (including to this node itself) */
export const S_FRAMES_TX: i32 = 1;
/** frames rejected by the header check */
export const S_DROP_BAD_HEADER: i32 = 2;
/** frames addressed to another node */
export const S_DROP_NOT_FOR_ME: i32 = 3;
/** frames larger than k_buf_cap */
export const S_DROP_TOO_LARGE: i32 = 4;
/** calls answered with a REPLY */
export const S_CALLS_SERVED: i32 = 5;
/** calls answered with an ERROR (not shed) */
export const S_CALL_ERRORS: i32 = 6;
/** calls for a species not hosted here */
export const S_UNKNOWN_SPECIES: i32 = 7;
/** answers handed to the local caller (hal.deliver) */
export const S_REPLIES_DELIVERED: i32 = 8;
/** calls that ran out of attempts */
export const S_TIMEOUTS: i32 = 9;
/** answers to no call in flight (late or duplicate) */
export const S_UNMATCHED_REPLIES: i32 = 10;
/** probes received */
export const S_PINGS_RX: i32 = 11;
/** probe answers received */
export const S_PONGS_RX: i32 = 12;
/** pheromones received */
export const S_ANNOUNCES_RX: i32 = 13;
/** rows in the peer table now */
export const S_PEERS_KNOWN: i32 = 14;
/** kernel messages whose payload did not decode */
export const S_BAD_PAYLOAD: i32 = 15;
/** calls sent by k_call */
export const S_CALLS_SENT: i32 = 16;
/** k_call found no replica */
export const S_NO_ROUTE: i32 = 17;
/** k_call refused: too many calls in flight */
export const S_CALL_TABLE_FULL: i32 = 18;
/** PINGs sent */
export const S_PROBES_SENT: i32 = 19;
/** peers not recorded: the table was full */
export const S_PEER_TABLE_FULL: i32 = 20;
/** calls sent again after a timeout */
export const S_RETRIES: i32 = 21;
/** retries sent to another replica */
export const S_FAILOVERS: i32 = 22;
/** retransmitted calls answered from the replay cache */
export const S_DUPLICATE_CALLS: i32 = 23;
/** k_call refused: peerWindow calls in flight to the node */
export const S_PEER_WINDOW_FULL: i32 = 24;
/** replicas this node asked for (hal.spawn) */
export const S_SPAWNS: i32 = 25;
/** replicas this node retired (hal.retire) */
export const S_RETIREMENTS: i32 = 26;
/** calls this node refused unexecuted (OVERLOADED): by its host, or a caller over its CPU share */
export const S_CALLS_SHED: i32 = 27;
/** calls of ours a replica shed, sent at once to another replica */
export const S_OVERLOAD_FAILOVERS: i32 = 28;
/** frames without an AUTH trailer refused (the node is not open) */
export const S_AUTH_REQUIRED: i32 = 29;
/** authenticated frames from a node with no session here */
export const S_AUTH_NO_SESSION: i32 = 30;
/** frames whose tag or signature did not verify */
export const S_AUTH_BAD_TAG: i32 = 31;
/** frames whose counter was seen already or fell below the window */
export const S_AUTH_REPLAYS: i32 = 32;
/** calls refused by [access] */
export const S_AUTH_UNAUTHORISED: i32 = 33;
/** sessions established, as initiator or responder */
export const S_HANDSHAKES_DONE: i32 = 34;
/** HELLO or WELCOME dropped: size, id not the key's, signature, unexpected, or no identity */
export const S_HANDSHAKES_BAD: i32 = 35;
/** HELLOs not answered: that peer re-keyed less than rekeyMinMs ago */
export const S_HANDSHAKES_THROTTLED: i32 = 36;
/** sessions dropped to make room (least recently used) */
export const S_SESSIONS_EVICTED: i32 = 37;
/** frames not sent: no session with the destination yet (a HELLO went instead) */
export const S_SENT_WITHOUT_SESSION: i32 = 38;
/** announcements dropped: load or spare not a finite 0..1 */
export const S_BAD_LOAD: i32 = 39;
/** answers from a node other than the one the call went to */
export const S_FOREIGN_ANSWERS: i32 = 40;
/** HELLOs from nodes without a session dropped: over newSessionRate */
export const S_HANDSHAKES_RATE_LIMITED: i32 = 41;
/** species in announcements ignored: the serve list names the species and not the sender's key */
export const S_UNTRUSTED_SERVERS: i32 = 42;
/** spore chunks sent in answer to a SPORE_GET */
export const S_SPORE_CHUNKS_SERVED: i32 = 43;
/** SPORE_GETs refused: the host does not hold that module or chunk */
export const S_SPORE_REFUSED_NOT_HELD: i32 = 44;
/** SPORE_GETs refused: this node is over sporeServeRate chunks a second */
export const S_SPORE_REFUSED_BUSY: i32 = 45;
/** unauthenticated SPORE_GETs refused: the answer would be over 3x the request */
export const S_SPORE_REFUSED_UNPADDED: i32 = 46;
/** spore chunks received, verified and handed to the host (hal.spore_put) */
export const S_SPORE_CHUNKS_RX: i32 = 47;
/** spore chunks whose length or proof did not verify against the chunk root */
export const S_SPORE_BAD_CHUNKS: i32 = 48;
/** holders a fetch stopped asking: a bad chunk, NOT_HELD, or sporeAttempts timeouts */
export const S_SPORE_HOLDERS_DEMOTED: i32 = 49;
/** spore chunk requests that ran out of time (the chunk is asked again) */
export const S_SPORE_TIMEOUTS: i32 = 50;
/** fetches with every chunk verified and handed to the host */
export const S_SPORE_FETCHES_DONE: i32 = 51;
/** fetches that ended with no holder left */
export const S_SPORE_FETCHES_FAILED: i32 = 52;
/** SPAWN offers this node's division rounds sent (hal.spawn, then k_spawn) */
export const S_SPAWN_OFFERS_SENT: i32 = 53;
/** SPAWN offers a target answered accepted */
export const S_SPAWN_ACCEPTED: i32 = 54;
/** SPAWN offers refused: the target does not trust the authority (or the manifest did not verify) */
export const S_SPAWN_REFUSED_UNTRUSTED: i32 = 55;
/** SPAWN offers refused: no free cell slot or memory on the target */
export const S_SPAWN_REFUSED_NO_ROOM: i32 = 56;
/** SPAWN offers refused: the target is over its own CPU share */
export const S_SPAWN_REFUSED_CPU: i32 = 57;
/** SPAWN offers refused: the target already hosts the species */
export const S_SPAWN_REFUSED_HOSTS_IT: i32 = 58;
/** SPAWN offers refused: the target has SPAWN_MAX_PENDING spawns in progress or is over one offer a second */
export const S_SPAWN_REFUSED_BUSY: i32 = 59;
/** SPAWN offers received from a verified key and handed to the host (hal.deliver) */
export const S_SPAWN_OFFERS_RX: i32 = 60;
/** SPAWN frames dropped: unauthenticated, broadcast or malformed */
export const S_SPAWN_OFFERS_DROPPED: i32 = 61;
/** SPORE_GETs refused: the requester is over its share of sporeServeRate (an equal share among those that asked in the last second) */
export const S_SPORE_REFUSED_SHARE: i32 = 62;
/** CALLs refused STALE: at or below the caller's replay floor, not run again */
export const S_STALE_CALLS: i32 = 63;
/** retransmitted CALLs dropped while their deferred answer is pending (hal.cell_call answered CELL_DEFERRED) */
export const S_PENDING_DUPLICATES: i32 = 64;
export const S_COUNT: i32 = 65;

// Kernel settings, changed with k_config(key, value) (docs/abi.md)
/** first attempt's timeout to a destination with no measured RTT; each retry doubles it */
export const C_CALL_TIMEOUT_MS: i32 = 0;
/** one PING per interval (0: no probes) */
export const C_PROBE_INTERVAL_MS: i32 = 1;
/** one ANNOUNCE per interval (0: none) */
export const C_ANNOUNCE_INTERVAL_MS: i32 = 2;
/** a peer silent this long is forgotten */
export const C_PEER_MAX_AGE_MS: i32 = 3;
/** 1: a call with no known replica goes out with dst = 0 */
export const C_DEFAULT_ROUTE: i32 = 4;
/** after a timeout, routing skips the peer this long */
export const C_FAIL_HOLD_MS: i32 = 5;
/** attempts per call, the first included */
export const C_CALL_ATTEMPTS: i32 = 6;
/** how long answers are kept for retransmissions */
export const C_REPLAY_WINDOW_MS: i32 = 7;
/** calls in flight to one node at most */
export const C_PEER_WINDOW: i32 = 8;
/** after a replica sheds a call, routing prefers others this long */
export const C_BUSY_HOLD_MS: i32 = 9;
/** share of time hosted cells may run before the heaviest callers are shed (0: no limit) */
export const C_CPU_BUDGET: i32 = 10;
/** floor of a call timeout computed from measured RTTs */
export const C_RTO_MIN_MS: i32 = 11;
/** cap of a call timeout computed from measured RTTs */
export const C_RTO_MAX_MS: i32 = 12;
/** 1: also accept frames without an AUTH trailer (lab LAN, simulator) */
export const C_OPEN: i32 = 13;
/** 1: only keys listed with k_access_add may call (an empty list: nobody) */
export const C_ACCESS_LISTED_ONLY: i32 = 14;
/** a peer's session is replaced by a new HELLO at most this often; HELLOs are re-sent no sooner */
export const C_REKEY_MIN_MS: i32 = 15;
/** HELLOs from nodes without a session answered per second at most, in bursts of as many (0: no limit) */
export const C_NEW_SESSION_RATE: i32 = 16;
/** spore chunk requests in flight per fetch, 1..SPORE_MAX_WINDOW */
export const C_SPORE_WINDOW: i32 = 17;
/** timeouts in a row after which a fetch moves to the next holder */
export const C_SPORE_ATTEMPTS: i32 = 18;
/** spore chunks this node serves per second at most, shared equally among the requesters of the last second (more are refused BUSY) */
export const C_SPORE_SERVE_RATE: i32 = 19;
/** chunks one SPORE_GET asks for and one SPORE_DATA carries at most, a power of two 1..SPORE_MAX_RUN (the host sets it to what its transports carry in one frame; an mcu kernel always uses 1) */
export const C_SPORE_RUN: i32 = 20;
export const C_COUNT: i32 = 21;

// Fields of a peer table row, read with k_peer(i, field) (docs/abi.md)
/** the peer's node id */
export const PEER_NODE_ID: i32 = 0;
/** ms since the peer was last heard */
export const PEER_AGE_MS: i32 = 1;
/** its announced CPU share, 0..1 */
export const PEER_LOAD: i32 = 2;
/** its announced spare capacity, 0..1 */
export const PEER_SPARE: i32 = 3;
/** 1 if routing may use it now, else 0 */
export const PEER_HEALTHY: i32 = 4;
/** RTT predicted from coordinates (Infinity if unknown) */
export const PEER_PREDICTED_RTT_MS: i32 = 5;
/** RTT measured by probes, filtered (-1 if never probed) */
export const PEER_MEASURED_RTT_MS: i32 = 6;
/** species it announced (read them with k_peer_species) */
export const PEER_SPECIES_COUNT: i32 = 7;

// Levels of hal.log (docs/abi.md)
/** detail for debugging */
export const LOG_DEBUG: i32 = 0;
/** normal operation */
export const LOG_INFO: i32 = 1;
/** something to look at */
export const LOG_WARN: i32 = 2;
/** a failure */
export const LOG_ERROR: i32 = 3;

// Argument decoding problems of the generated dispatcher, past CborError's range
/** decoding the arguments would allocate more than the call's heap budget */
export const ARG_OVER_BUDGET: i32 = 64;
/** a struct map with an unknown, repeated or missing field */
export const ARG_BAD_FIELD: i32 = 65;
/** the payload is not an array starting with the method index */
export const ARG_NOT_A_CALL: i32 = 66;

// hal.cell_call's answers beyond a payload length (docs/abi.md)
/** hal.cell_call returned -CELL_DEFERRED: the host answers later with k_answer (a gateway forwarding the call to a board); the kernel sends nothing now */
export const CELL_DEFERRED: i32 = 0x7fffffff;

// Fixed linear memory of firmware per build target, in 64 KiB pages (asconfig.json must agree)
/** target mcu: the kernel and cells as on a board; the host's default cap for a cell */
export const MCU_PAGES: i32 = 1;
/** target host: the kernel a host node or the simulator runs */
export const HOST_PAGES: i32 = 16;

// Table sizes of the mcu kernel (kernel.wasm, a board's: one serial link, few peers) where they differ from the host kernel's; and the top of its memory (docs/abi.md)
/** peer table rows (host: 64) */
export const MCU_MAX_PEERS: i32 = 8;
/** Vivaldi neighbour slots (host: 64) */
export const MCU_NB_SLOTS: i32 = 16;
/** own calls in flight, each with a 256-byte retry copy (host: 32) */
export const MCU_MAX_CALLS: i32 = 8;
/** authenticated sessions, each with REPLAY_PER_CALLER replay slots (host: MAX_SESSIONS) */
export const MCU_MAX_SESSIONS: i32 = 4;
/** replay slots shared by unauthenticated callers and this node (host: 32) */
export const MCU_REPLAY_SHARED: i32 = 16;
/** replay buffers for answers of 129..1024 bytes (host: 4) */
export const MCU_REPLAY_LARGE: i32 = 2;
/** cells hosted, the board runtime's BOARD_MAX_CELLS (host: 8) */
export const MCU_MAX_CELLS: i32 = 4;
/** spore fetches at once: a board is installed over its cable, not from the mesh (host: SPORE_MAX_FETCHES) */
export const MCU_SPORE_FETCHES: i32 = 1;
/** [access] rows (host: MAX_ACCESS) */
export const MCU_MAX_ACCESS: i32 = 8;
/** [access] serve rows (host: MAX_SERVE) */
export const MCU_MAX_SERVE: i32 = 8;
/** the mcu kernel's memory top: its data and tables end below it (checked at start, else it traps) and it never touches a byte above; a board gives its runtime this much memory (wasm3 memoryLimit). Host: HOST_PAGES pages */
export const MCU_KERNEL_BYTES: i32 = 0x6a00;

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
export const CBOR_MAX_DEPTH: i32 = 16;

// Vivaldi tunables, set with vivaldiTune(id, value) by the harness and the bench (firmware/kernel/vivaldi-config.ts)
/** timestep scale, Dabek's cc (VIV_CC) */
export const TUNE_CC: i32 = 0;
/** error-estimate smoothing, Dabek's ce (VIV_CE) */
export const TUNE_CE: i32 = 1;
/** gravity radius in ms (VIV_GRAVITY_RHO) */
export const TUNE_GRAVITY_RHO: i32 = 2;
/** order statistic the latency filter reports (LF_PERCENTILE) */
export const TUNE_FILTER_PERCENTILE: i32 = 3;
/** samples before a neighbour moves the coordinate (LF_MIN_SAMPLES) */
export const TUNE_MIN_SAMPLES: i32 = 4;
/** size of the near set (NB_NEAR) */
export const TUNE_NEAR: i32 = 5;
/** share of probes to the near set (NB_NEAR_SHARE) */
export const TUNE_NEAR_SHARE: i32 = 6;
/** chance an offered peer replaces a far slot when the table is full (NB_REPLACE_SHARE) */
export const TUNE_REPLACE_SHARE: i32 = 7;
/** share of gossip picks taken from the near set (NB_GOSSIP_NEAR_SHARE) */
export const TUNE_GOSSIP_NEAR_SHARE: i32 = 8;
/** links longer than this (ms) pull with scaled force; 0 turns the scaling off (VIV_LONG_LINK_MS) */
export const TUNE_LONG_LINK_MS: i32 = 9;
/** dimensions in use, 1..VIV_DIMS */
export const TUNE_DIMS: i32 = 10;
/** non-zero: no latency filter (the bench's "no filter" rows) */
export const TUNE_FILTER_OFF: i32 = 11;

// Vivaldi counters, read with vivaldiStat(id); nothing rejected goes uncounted (docs/vivaldi.md)
/** updates applied to this node's coordinate */
export const VS_UPDATES: i32 = 0;
/** RTT samples rejected: NaN, infinite, <= 0 or above VIV_RTT_MAX */
export const VS_BAD_RTT: i32 = 1;
/** peer coordinates rejected: wrong arity, not numbers, NaN/inf, magnitudes above VIV_COORD_MAX */
export const VS_BAD_COORD: i32 = 2;
/** updates undone because the result was not finite (a guard, not a path: stays 0) */
export const VS_NON_FINITE: i32 = 3;
/** samples recorded but not applied: the neighbour had fewer than LF_MIN_SAMPLES samples */
export const VS_HELD: i32 = 4;
/** neighbours dropped after NB_MAX_MISSES unanswered probes */
export const VS_EVICTED: i32 = 5;
/** far neighbours replaced by a newly offered peer (rotation) */
export const VS_ROTATED: i32 = 6;
/** samples from a peer not in the neighbour table and not insertable (ignored) */
export const VS_UNKNOWN_PEER: i32 = 7;
export const VS_COUNT: i32 = 8;

// Sessions and the AUTH trailer (docs/wire.md, docs/security.md)
/** trailer: the sender's per-session frame counter, u64 little-endian */
export const AUTH_COUNTER_BYTES: i32 = 8;
/** trailer: HMAC-SHA256 over header, payload and counter, truncated */
export const AUTH_TAG_BYTES: i32 = 16;
/** trailer of a unicast frame: counter and tag */
export const AUTH_TRAILER_BYTES: i32 = 24;
/** trailer of a broadcast frame: ed25519 signature after the counter */
export const AUTH_SIG_BYTES: i32 = 64;
/** trailer of a broadcast frame: counter and signature */
export const AUTH_BROADCAST_TRAILER_BYTES: i32 = 72;
/** payload of HELLO and WELCOME: ed25519 key, x25519 key, signature */
export const HANDSHAKE_BYTES: i32 = 128;
/** sessions a kernel holds; the least recently used is evicted */
export const MAX_SESSIONS: i32 = 16;
/** replay-cache slots of each authenticated caller: also the most of its calls a node can have deferred at once */
export const REPLAY_PER_CALLER: i32 = 4;
/** counters below the highest seen that are still accepted once */
export const AUTH_WINDOW: i32 = 64;
/** rows of the kernel's access list (key, species) */
export const MAX_ACCESS: i32 = 32;
/** rows of the kernel's serve list (key, species): whose replicas it routes to */
export const MAX_SERVE: i32 = 32;

// The kernel's fixed tables, read with k_table(table, field) and shown by cell stats (docs/abi.md)
/** nodes heard (pheromones, probes, bootstrap); full: a newcomer is refused and counted */
export const KT_PEERS: i32 = 0;
/** authenticated sessions; full: the least recently used is evicted */
export const KT_SESSIONS: i32 = 1;
/** answers kept for retransmissions: 4 per session, a shared ring, large buffers; the oldest is overwritten */
export const KT_REPLAY: i32 = 2;
/** this node's calls in flight; full: k_call is refused (CALL_TABLE_FULL) and the host queues */
export const KT_CALLS: i32 = 3;
/** heaviest callers of hosted cells (where siblings go); full: the lightest gives way */
export const KT_CALLERS: i32 = 4;
/** callers' recent CPU use (fair shedding); full: the lightest gives way */
export const KT_BUDGETS: i32 = 5;
/** smoothed RTT per call destination (timeouts); full: the one measured longest ago gives way */
export const KT_RTT: i32 = 6;
/** cells hosted (k_host); full: k_host fails */
export const KT_CELLS: i32 = 7;
/** [access] rows (key, species); full: k_access_add fails */
export const KT_ACCESS: i32 = 8;
/** [access] serve rows (key, species); full: k_serve_add fails */
export const KT_SERVE: i32 = 9;
/** recent spore requesters and their serve buckets; full: the one unused longest gives way */
export const KT_SPORE_REQUESTERS: i32 = 10;
export const KT_COUNT: i32 = 11;

// Fields of k_table(table, field) (docs/abi.md)
/** rows in use now */
export const KTF_ROWS: i32 = 0;
/** rows the kernel build holds */
export const KTF_CAP: i32 = 1;
/** since start: rows evicted or overwritten to make room, or newcomers refused */
export const KTF_GIVEN_UP: i32 = 2;

// Spores: module chunks and their transfer (docs/spores.md)
/** module bytes per chunk; the last chunk holds the rest (1..1024) */
export const SPORE_CHUNK_BYTES: i32 = 0x400;
/** SHA-256: a module's content address, a chunk tree node */
export const SPORE_HASH_BYTES: i32 = 32;
/** largest module a kernel fetches: 4096 chunks, a 512-byte chunk bitmap */
export const SPORE_MAX_BYTES: i32 = 0x400000;
/** fetches a kernel runs at once */
export const SPORE_MAX_FETCHES: i32 = 2;
/** holders a fetch remembers (hinted or announcing the species) */
export const SPORE_MAX_HOLDERS: i32 = 8;
/** cap of sporeWindow: requests in flight per fetch */
export const SPORE_MAX_WINDOW: i32 = 16;
/** cap of sporeRun: chunks in one SPORE_DATA of a host kernel (an mcu kernel's 2 KiB frame holds one) */
export const SPORE_MAX_RUN: i32 = 32;
/** a host kernel's frame buffer (k_buf_cap): room for a SPORE_DATA of SPORE_MAX_RUN chunks with its proof. Every other frame stays within FRAME_BYTES */
export const HOST_BUF_BYTES: i32 = 0x8800;
/** requesters whose serve buckets a node keeps (each gets an equal share of sporeServeRate) */
export const SPORE_SERVE_REQUESTERS: i32 = 8;
/** an unauthenticated SPORE_GET is padded to this frame length: a third of the largest answer */
export const SPORE_GET_PADDED_BYTES: i32 = 0x1f4;
/** SPORE_DATA refusal: this node does not hold that module or chunk */
export const SPORE_NOT_HELD: i32 = 1;
/** SPORE_DATA refusal: over the serve rate, ask again later or elsewhere */
export const SPORE_BUSY: i32 = 2;
/** SPORE_DATA refusal: unauthenticated and the answer would be over 3x the request */
export const SPORE_UNPADDED: i32 = 3;
/** hal.spore_done status: every chunk verified and stored */
export const FETCH_OK: i32 = 0;
/** hal.spore_done status: every holder was tried or demoted */
export const FETCH_NO_HOLDER: i32 = 1;
/** SPAWN offers a node has accepted and not yet finished (fetching, verifying, starting) */
export const SPAWN_MAX_PENDING: i32 = 2;
/** SPAWN answer: accepted, the target fetches and starts the replica */
export const SPAWN_OK: i32 = 0;
/** SPAWN answer: the manifest did not verify or its authority is not trusted here */
export const SPAWN_UNTRUSTED: i32 = 1;
/** SPAWN answer: no free cell slot or memory */
export const SPAWN_NO_ROOM: i32 = 2;
/** SPAWN answer: the target's load plus the cell's cpu_target is over 1 */
export const SPAWN_OVER_CPU: i32 = 3;
/** SPAWN answer: the target already hosts the species */
export const SPAWN_HOSTS_IT: i32 = 4;
/** SPAWN answer: SPAWN_MAX_PENDING spawns in progress, or over one offer a second */
export const SPAWN_BUSY: i32 = 5;

// Every value above in table order, for the kernel export k_protocol: the host checks that the
// kernel it runs was built from the same table (test/protocol.test.ts). In a function, so the
// values take memory only in a module that calls it (the kernel, not the cells).
export const PROTOCOL_COUNT: i32 = 249;

/** Value i of the table, NaN past its end. */
export function protocolValue(i: i32): f64 {
  if (i == 5) return <f64>BROADCAST;
  if (i == 157) return <f64>CELL_DEFERRED;
  if (i == 229) return <f64>SPORE_MAX_BYTES;
  const values = memory.data<u16>([
    <u16>HEADER_BYTES, <u16>FRAME_BYTES, <u16>MAGIC, <u16>VERSION, <u16>FLAGS_RESERVED,
    0, <u16>T_CALL, <u16>T_REPLY, <u16>T_ERROR, <u16>T_PING,
    <u16>T_PONG, <u16>T_ANNOUNCE, <u16>T_SPORE_GET, <u16>T_SPORE_DATA, <u16>T_HELLO,
    <u16>T_WELCOME, <u16>T_SPAWN, <u16>F_ACK_REQ, <u16>F_FRAGMENT, <u16>F_AUTH,
    <u16>F_MORE, <u16>R_SHORT, <u16>R_BAD_MAGIC, <u16>R_BAD_VERSION, <u16>R_BAD_TYPE,
    <u16>R_BAD_FLAGS, <u16>R_TRUNCATED, <u16>R_TRAILING, <u16>R_TOO_LARGE, <u16>R_NOT_FOR_ME,
    <u16>R_BAD_PAYLOAD, <u16>R_UNSUPPORTED, <u16>R_NO_ROUTE, <u16>R_CALL_TABLE_FULL, <u16>R_PEER_BUSY,
    <u16>R_NOT_AUTHENTICATED, <u16>R_NO_SESSION, <u16>R_BAD_AUTH, <u16>R_REPLAYED, <u16>R_NOT_AUTHORISED,
    <u16>R_BAD_HANDSHAKE, <u16>R_NOT_PENDING, <u16>E_UNKNOWN_SPECIES, <u16>E_UNKNOWN_METHOD, <u16>E_BAD_ARGS,
    <u16>E_CELL_TRAP, <u16>E_OUT_OF_FUEL, <u16>E_OUT_OF_MEMORY, <u16>E_CELL_ERROR, <u16>E_TOO_LARGE,
    <u16>E_TIMEOUT, <u16>E_NO_ROUTE, <u16>E_OVERLOADED, <u16>E_NOT_AUTHENTICATED, <u16>E_NOT_AUTHORISED,
    <u16>E_STALE, <u16>S_FRAMES_RX, <u16>S_FRAMES_TX, <u16>S_DROP_BAD_HEADER, <u16>S_DROP_NOT_FOR_ME,
    <u16>S_DROP_TOO_LARGE, <u16>S_CALLS_SERVED, <u16>S_CALL_ERRORS, <u16>S_UNKNOWN_SPECIES, <u16>S_REPLIES_DELIVERED,
    <u16>S_TIMEOUTS, <u16>S_UNMATCHED_REPLIES, <u16>S_PINGS_RX, <u16>S_PONGS_RX, <u16>S_ANNOUNCES_RX,
    <u16>S_PEERS_KNOWN, <u16>S_BAD_PAYLOAD, <u16>S_CALLS_SENT, <u16>S_NO_ROUTE, <u16>S_CALL_TABLE_FULL,
    <u16>S_PROBES_SENT, <u16>S_PEER_TABLE_FULL, <u16>S_RETRIES, <u16>S_FAILOVERS, <u16>S_DUPLICATE_CALLS,
    <u16>S_PEER_WINDOW_FULL, <u16>S_SPAWNS, <u16>S_RETIREMENTS, <u16>S_CALLS_SHED, <u16>S_OVERLOAD_FAILOVERS,
    <u16>S_AUTH_REQUIRED, <u16>S_AUTH_NO_SESSION, <u16>S_AUTH_BAD_TAG, <u16>S_AUTH_REPLAYS, <u16>S_AUTH_UNAUTHORISED,
    <u16>S_HANDSHAKES_DONE, <u16>S_HANDSHAKES_BAD, <u16>S_HANDSHAKES_THROTTLED, <u16>S_SESSIONS_EVICTED, <u16>S_SENT_WITHOUT_SESSION,
    <u16>S_BAD_LOAD, <u16>S_FOREIGN_ANSWERS, <u16>S_HANDSHAKES_RATE_LIMITED, <u16>S_UNTRUSTED_SERVERS, <u16>S_SPORE_CHUNKS_SERVED,
    <u16>S_SPORE_REFUSED_NOT_HELD, <u16>S_SPORE_REFUSED_BUSY, <u16>S_SPORE_REFUSED_UNPADDED, <u16>S_SPORE_CHUNKS_RX, <u16>S_SPORE_BAD_CHUNKS,
    <u16>S_SPORE_HOLDERS_DEMOTED, <u16>S_SPORE_TIMEOUTS, <u16>S_SPORE_FETCHES_DONE, <u16>S_SPORE_FETCHES_FAILED, <u16>S_SPAWN_OFFERS_SENT,
    <u16>S_SPAWN_ACCEPTED, <u16>S_SPAWN_REFUSED_UNTRUSTED, <u16>S_SPAWN_REFUSED_NO_ROOM, <u16>S_SPAWN_REFUSED_CPU, <u16>S_SPAWN_REFUSED_HOSTS_IT,
    <u16>S_SPAWN_REFUSED_BUSY, <u16>S_SPAWN_OFFERS_RX, <u16>S_SPAWN_OFFERS_DROPPED, <u16>S_SPORE_REFUSED_SHARE, <u16>S_STALE_CALLS,
    <u16>S_PENDING_DUPLICATES, <u16>C_CALL_TIMEOUT_MS, <u16>C_PROBE_INTERVAL_MS, <u16>C_ANNOUNCE_INTERVAL_MS, <u16>C_PEER_MAX_AGE_MS,
    <u16>C_DEFAULT_ROUTE, <u16>C_FAIL_HOLD_MS, <u16>C_CALL_ATTEMPTS, <u16>C_REPLAY_WINDOW_MS, <u16>C_PEER_WINDOW,
    <u16>C_BUSY_HOLD_MS, <u16>C_CPU_BUDGET, <u16>C_RTO_MIN_MS, <u16>C_RTO_MAX_MS, <u16>C_OPEN,
    <u16>C_ACCESS_LISTED_ONLY, <u16>C_REKEY_MIN_MS, <u16>C_NEW_SESSION_RATE, <u16>C_SPORE_WINDOW, <u16>C_SPORE_ATTEMPTS,
    <u16>C_SPORE_SERVE_RATE, <u16>C_SPORE_RUN, <u16>PEER_NODE_ID, <u16>PEER_AGE_MS, <u16>PEER_LOAD,
    <u16>PEER_SPARE, <u16>PEER_HEALTHY, <u16>PEER_PREDICTED_RTT_MS, <u16>PEER_MEASURED_RTT_MS, <u16>PEER_SPECIES_COUNT,
    <u16>LOG_DEBUG, <u16>LOG_INFO, <u16>LOG_WARN, <u16>LOG_ERROR, <u16>ARG_OVER_BUDGET,
    <u16>ARG_BAD_FIELD, <u16>ARG_NOT_A_CALL, 0, <u16>MCU_PAGES, <u16>HOST_PAGES,
    <u16>MCU_MAX_PEERS, <u16>MCU_NB_SLOTS, <u16>MCU_MAX_CALLS, <u16>MCU_MAX_SESSIONS, <u16>MCU_REPLAY_SHARED,
    <u16>MCU_REPLAY_LARGE, <u16>MCU_MAX_CELLS, <u16>MCU_SPORE_FETCHES, <u16>MCU_MAX_ACCESS, <u16>MCU_MAX_SERVE,
    <u16>MCU_KERNEL_BYTES, <u16>CborError.OK, <u16>CborError.TRUNCATED, <u16>CborError.WRONG_TYPE, <u16>CborError.OVERFLOW,
    <u16>CborError.INDEFINITE, <u16>CborError.TOO_DEEP, <u16>CborError.BAD_UTF8, <u16>CborError.RESERVED, <u16>CborError.UNSUPPORTED,
    <u16>CborError.TRAILING, <u16>CBOR_MAX_DEPTH, <u16>TUNE_CC, <u16>TUNE_CE, <u16>TUNE_GRAVITY_RHO,
    <u16>TUNE_FILTER_PERCENTILE, <u16>TUNE_MIN_SAMPLES, <u16>TUNE_NEAR, <u16>TUNE_NEAR_SHARE, <u16>TUNE_REPLACE_SHARE,
    <u16>TUNE_GOSSIP_NEAR_SHARE, <u16>TUNE_LONG_LINK_MS, <u16>TUNE_DIMS, <u16>TUNE_FILTER_OFF, <u16>VS_UPDATES,
    <u16>VS_BAD_RTT, <u16>VS_BAD_COORD, <u16>VS_NON_FINITE, <u16>VS_HELD, <u16>VS_EVICTED,
    <u16>VS_ROTATED, <u16>VS_UNKNOWN_PEER, <u16>AUTH_COUNTER_BYTES, <u16>AUTH_TAG_BYTES, <u16>AUTH_TRAILER_BYTES,
    <u16>AUTH_SIG_BYTES, <u16>AUTH_BROADCAST_TRAILER_BYTES, <u16>HANDSHAKE_BYTES, <u16>MAX_SESSIONS, <u16>REPLAY_PER_CALLER,
    <u16>AUTH_WINDOW, <u16>MAX_ACCESS, <u16>MAX_SERVE, <u16>KT_PEERS, <u16>KT_SESSIONS,
    <u16>KT_REPLAY, <u16>KT_CALLS, <u16>KT_CALLERS, <u16>KT_BUDGETS, <u16>KT_RTT,
    <u16>KT_CELLS, <u16>KT_ACCESS, <u16>KT_SERVE, <u16>KT_SPORE_REQUESTERS, <u16>KTF_ROWS,
    <u16>KTF_CAP, <u16>KTF_GIVEN_UP, <u16>SPORE_CHUNK_BYTES, <u16>SPORE_HASH_BYTES, 0,
    <u16>SPORE_MAX_FETCHES, <u16>SPORE_MAX_HOLDERS, <u16>SPORE_MAX_WINDOW, <u16>SPORE_MAX_RUN, <u16>HOST_BUF_BYTES,
    <u16>SPORE_SERVE_REQUESTERS, <u16>SPORE_GET_PADDED_BYTES, <u16>SPORE_NOT_HELD, <u16>SPORE_BUSY, <u16>SPORE_UNPADDED,
    <u16>FETCH_OK, <u16>FETCH_NO_HOLDER, <u16>SPAWN_MAX_PENDING, <u16>SPAWN_OK, <u16>SPAWN_UNTRUSTED,
    <u16>SPAWN_NO_ROOM, <u16>SPAWN_OVER_CPU, <u16>SPAWN_HOSTS_IT, <u16>SPAWN_BUSY,
  ]);
  return i >= 0 && i < PROTOCOL_COUNT ? <f64>load<u16>(values + (<usize>i << 1)) : NaN;
}
