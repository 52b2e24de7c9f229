// The nearest-replica figure from the kernels' own routing. Once the coordinates have been scored,
// replica sets are hosted on random nodes one set at a time; each replica announces itself (the
// pheromone carries its coordinate and load) to every other node, and every other node calls the
// set's species with dst 0, so its kernel picks the replica (routing.ts: nearest by measured or
// predicted RTT, two choices by load). The dst of the CALL frame the kernel sends is its choice.
import { frameDst, type Swarm, type SwarmHooks } from './swarm.ts';
import type { LatencyModel } from './latency/model.ts';
import { Rng } from './rng.ts';
import { MsgType } from '../host/wire/header.ts';
import type { ReplicaChoice } from './metrics.ts';

const SLOT = 1;
/** Species ids of the sets: any non-zero ids no other simulated cell uses. */
const SPECIES_BASE = 0x52455000;
/** A replica announces once when hosted (k_host) and not again while its set is out: a WAN swarm otherwise announces nothing. */
const ANNOUNCE_MS = 60_000;
/** Calls go out this long after the replicas are hosted: a tick (<= 1 s) plus the announcement's flight. */
const CALL_AFTER_MS = 1500;
/** The set is withdrawn this long after the calls: their answers are back (no retry, no failed peer). */
const ANSWERS_MS = 1500;
const CALL_PAYLOAD = Uint8Array.of(0x80); // an empty CBOR array: the choice, not the call, is measured

export interface RoutingOptions {
  seed: number;
  /** Replica sets placed one after another (default 20), and distinct replicas per set (default 8). */
  sets?: number;
  replicasPerSet?: number;
}

export interface RoutedCalls {
  choices: ReplicaChoice[];
  /** Calls the kernel refused (no replica known: the announcements did not arrive). */
  unrouted: number;
  calls: number;
  sets: number;
  replicasPerSet: number;
}

/** Answers the calls and tells the swarm where announcements go and which CALLs the kernels sent. */
export class ReplicaRouting {
  private replicas: number[] = [];
  private clients: number[] = [];
  private isReplica = new Uint8Array(0);
  private caller = -1;
  private callDst = 0;

  constructor(private readonly latency: LatencyModel) {}

  /** The hooks to construct the swarm with (idle until run()). */
  readonly hooks: SwarmHooks = {
    cellCall: (_node, _slot, _input, out) => {
      out[0] = 0x01;
      return 1;
    },
    broadcast: (node) => (this.isReplica[node] ? this.clients : []),
    sent: (node, frame) => {
      if (node === this.caller && frame[2] === MsgType.CALL) this.callDst = frameDst(frame);
    },
  };

  /** Places the sets one after another from the swarm's current time and collects every client's choice. */
  run(swarm: Swarm, opts: RoutingOptions): RoutedCalls {
    const n = this.latency.size;
    const rng = new Rng(opts.seed, 0x7265706c);
    const setCount = opts.sets ?? 20;
    const perSet = Math.min(opts.replicasPerSet ?? 8, Math.max(1, Math.floor(n / 4)));
    this.isReplica = new Uint8Array(n);
    const out: RoutedCalls = { choices: [], unrouted: 0, calls: 0, sets: setCount, replicasPerSet: perSet };
    let t = swarm.now;
    for (let s = 0; s < setCount; s++) {
      const species = SPECIES_BASE + s;
      const replicas = distinctNodes(rng, n, perSet);
      this.place(swarm, replicas, species);
      swarm.runUntil((t += CALL_AFTER_MS));
      this.callFromClients(swarm, species, out);
      swarm.runUntil((t += ANSWERS_MS));
      this.withdraw(swarm);
    }
    return out;
  }

  private place(swarm: Swarm, replicas: number[], species: number): void {
    this.replicas = replicas;
    for (const r of replicas) this.isReplica[r] = 1;
    this.clients = [];
    for (let i = 0; i < this.latency.size; i++) if (!this.isReplica[i]) this.clients.push(i);
    for (const r of replicas) {
      swarm.kernels[r]!.configure('announceIntervalMs', ANNOUNCE_MS);
      swarm.kernels[r]!.host(SLOT, species);
    }
  }

  private callFromClients(swarm: Swarm, species: number, out: RoutedCalls): void {
    const replicas = Int32Array.from(this.replicas);
    for (const c of this.clients) {
      this.caller = c;
      this.callDst = 0;
      out.calls++;
      const seq = swarm.kernels[c]!.call(0, species, CALL_PAYLOAD);
      const chosen = swarm.indexOf(this.callDst);
      if (seq <= 0 || chosen < 0) out.unrouted++;
      else out.choices.push({ client: c, chosen, replicas });
    }
    this.caller = -1;
  }

  private withdraw(swarm: Swarm): void {
    for (const r of this.replicas) {
      swarm.kernels[r]!.unhost(SLOT);
      swarm.kernels[r]!.configure('announceIntervalMs', 0);
      this.isReplica[r] = 0;
    }
    this.replicas = [];
    this.clients = [];
  }
}

function distinctNodes(rng: Rng, n: number, k: number): number[] {
  const picked = new Set<number>();
  while (picked.size < k) picked.add(rng.int(n));
  return [...picked];
}
