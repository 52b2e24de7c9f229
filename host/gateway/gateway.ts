// A gateway (`cell gateway`): the cells of boards on serial links, callable from the LAN.
//
// Two kinds of node in one process. The LAN node is an ordinary node with this host's key: it
// seals its frames, applies [access], and announces each board's species as its own
// (CellNode.hostProxy). One cable node per serial link, open (a board has no key), hears its
// board's pheromones and calls it. A LAN call to a board's species is deferred by the LAN
// kernel (docs/abi.md, Deferred answers), forwarded by the cable node as a call of its own
// (its retries, its timeouts), and its REPLY or ERROR is sent back with k_answer. The LAN node
// holds its PONGs for the serial hop's RTT, so LAN peers measure the path to the boards. The
// cable is the trust boundary (docs/boards.md, Trust): the board's frames on it are not authenticated.
import type { CellNode, Proxy, ProxiedCall } from '../runtime/cell-node.ts';
import type { PeerInfo } from '../runtime/kernel-instance.ts';
import { ErrorCode, encodeErrorPayload } from '../wire/error-codes.ts';
import { REPLAY_PER_CALLER } from '../wire/protocol-table.ts';

export interface Cable {
  /** The serial device, for logs. */
  name: string;
  node: CellNode;
}

export interface GatewayOptions {
  lan: CellNode;
  cables: Cable[];
  /** A board unheard this long has its species withdrawn from the LAN (ms). */
  silentMs: number;
  /** How often the cable nodes' peer tables are read (ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

/** One board species as the LAN sees it. */
export interface BoardRoute {
  species: number;
  board: number;
  cable: Cable;
  proxy: Proxy;
  /** Calls forwarded to the board and not answered yet. */
  waiting: Set<ProxiedCall>;
  /** The board's CPU share from its last pheromone. */
  boardLoad: number;
  /** The serial hop's RTT as the cable node measured it (ms), or null. */
  serialRttMs: number | null;
}

export interface GatewayStats {
  forwarded: number;
  answered: number;
  /** Answers the LAN kernel refused: the caller's entry was gone (docs/abi.md, NOT_PENDING). */
  answersRefused: number;
  /** Calls shed OVERLOADED: their caller had REPLAY_PER_CALLER calls waiting on boards already. */
  shed: number;
  /** Calls answered UNKNOWN_SPECIES because their board was withdrawn while they waited. */
  withdrawnInFlight: number;
  withdrawals: number;
}

/** Calls in flight to a board beyond which its proxy announces it fully loaded. */
export const BOARD_WINDOW = 8;

export class Gateway {
  readonly routes = new Map<number, BoardRoute>();
  readonly stats: GatewayStats = { forwarded: 0, answered: 0, answersRefused: 0, shed: 0, withdrawnInFlight: 0, withdrawals: 0 };
  /** Calls waiting on a board, per caller: the LAN kernel keeps each in one of the caller's REPLAY_PER_CALLER replay slots. */
  private readonly perCaller = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: GatewayOptions) {
    this.timer = setInterval(() => this.poll(), o.pollMs ?? 250);
    this.timer.unref();
  }

  /** Reads each cable node's peer table: boards heard lately get proxies, silent ones lose them. */
  poll(): void {
    const heard = new Map<number, { cable: Cable; peer: PeerInfo }>();
    for (const cable of this.o.cables) {
      for (const peer of cable.node.kernel.peers()) {
        if (peer.ageMs > this.o.silentMs) continue;
        for (const species of peer.species) if (!heard.has(species)) heard.set(species, { cable, peer });
      }
    }
    for (const [species, { cable, peer }] of heard) {
      let route = this.routes.get(species);
      if (route && (route.board !== peer.nodeId || route.cable !== cable)) {
        this.withdraw(route, 'moved to another board');
        route = undefined;
      }
      if (!route) {
        const r: BoardRoute = { species, board: peer.nodeId, cable, waiting: new Set(), boardLoad: peer.load, serialRttMs: peer.measuredRttMs, proxy: undefined as unknown as Proxy };
        // The proxy announces the board's own load, raised while calls queue on the slow line.
        r.proxy = this.o.lan.hostProxy(species, (call) => this.forward(r, call), () => Math.max(r.boardLoad, r.waiting.size / BOARD_WINDOW));
        this.routes.set(species, r);
        this.o.log?.(`board ${hex(peer.nodeId)} on ${cable.name}: species ${hex(species)} now callable from the LAN`);
      } else {
        route.boardLoad = peer.load;
        route.serialRttMs = peer.measuredRttMs;
      }
    }
    for (const route of [...this.routes.values()]) {
      if (!heard.has(route.species)) this.withdraw(route, `board silent for over ${this.o.silentMs} ms`);
    }
  }

  private forward(route: BoardRoute, call: ProxiedCall): void | { payload: Uint8Array; error: boolean } {
    // A caller's deferred calls each hold one of its replay slots on the LAN kernel until answered;
    // one more would push out a waiting one (docs/abi.md, Deferred answers), so it is shed now and
    // its caller's kernel sends it again.
    const mine = this.perCaller.get(call.src) ?? 0;
    if (mine >= REPLAY_PER_CALLER) {
      this.stats.shed++;
      return { payload: encodeErrorPayload(ErrorCode.OVERLOADED, `gateway: ${REPLAY_PER_CALLER} calls of this caller already wait on boards`), error: true };
    }
    this.perCaller.set(call.src, mine + 1);
    this.stats.forwarded++;
    route.waiting.add(call);
    const finish = (payload: Uint8Array, error: boolean) => {
      const left = (this.perCaller.get(call.src) ?? 1) - 1;
      if (left > 0) this.perCaller.set(call.src, left);
      else this.perCaller.delete(call.src);
      // Withdrawn meanwhile: the caller was answered UNKNOWN_SPECIES already.
      if (!route.waiting.delete(call)) return;
      this.answer(call, payload, error);
    };
    route.cable.node.call(call.species, call.payload, route.board).then(
      (a) => finish(a.payload, a.kind === 'error'),
      (err: Error) => finish(encodeErrorPayload(ErrorCode.TIMEOUT, `gateway: the board did not take the call: ${err.message}`), true),
    );
  }

  private answer(call: ProxiedCall, payload: Uint8Array, error: boolean): void {
    if (this.o.lan.answer(call, payload, error) === 0) this.stats.answered++;
    else this.stats.answersRefused++;
  }

  /** Stops announcing the species; calls waiting on the board get UNKNOWN_SPECIES, so callers fail over. */
  private withdraw(route: BoardRoute, why: string): void {
    this.o.lan.unhost(route.proxy.slot);
    this.routes.delete(route.species);
    this.stats.withdrawals++;
    for (const call of route.waiting) {
      this.stats.withdrawnInFlight++;
      this.answer(call, encodeErrorPayload(ErrorCode.UNKNOWN_SPECIES, `gateway: board ${hex(route.board)} withdrawn (${why})`), true);
    }
    route.waiting.clear(); // their board's late answers, if any, find nobody waiting
    this.o.log?.(`board ${hex(route.board)}: species ${hex(route.species)} withdrawn from the LAN (${why})`);
  }

  /**
   * The serial hop as the LAN should see it: the longest RTT the cable nodes measured to the
   * boards proxied now (0 before any). The LAN node holds its PONGs this long
   * (CellNodeOptions.pongDelayMs), so peers' measured RTT and coordinates reach the boards.
   */
  serialRttMs(): number {
    let ms = 0;
    for (const r of this.routes.values()) if (r.serialRttMs !== null && r.serialRttMs > ms) ms = r.serialRttMs;
    return ms;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
