// The simulated request load that mitosis and the HPA baseline both run on: every node is a
// single FIFO server with a capacity in metered instructions per second (from its board
// profile); a request costs a fixed number of instructions (measured from a real cell call
// with the fuel meter), so its service time is cost / capacity and it waits for the backlog
// ahead of it. A request's latency is the network RTT between client and replica plus that
// wait plus its service time.
//
// CPU share is what a cell measures about itself: the busy share of the last windowS
// seconds. For N nodes (10^3..10^5) the state lives in typed arrays, no objects per request.
//
// Time is in seconds here (the HPA and the scenarios speak seconds); latencies are reported
// in ms, the unit of the latency model.
import { ServiceQueues } from '../../host/runtime/cpu-time.ts';

// The queues themselves (and CPU share) live with the host runtime, which measures CPU the same way.
export { ServiceQueues, NodeQueue, type ServiceQueueOptions } from '../../host/runtime/cpu-time.ts';

export interface RequestTiming {
  /** When the replica finished the request (s). */
  completionS: number;
  /** Seconds waiting behind earlier requests. */
  queueingS: number;
  /** Seconds of service (cost / capacity). */
  serviceS: number;
  /** RTT + queueing + service, in ms. */
  latencyMs: number;
  /** What the same request would take with an empty queue: RTT + service, in ms. */
  unloadedMs: number;
}

/**
 * Serves one request at replica `node`. `arriveS` is when the request reaches the replica
 * (sent at t, it arrives at t + rttMs / 2000: half the round trip out, the other half back);
 * `rttMs` is the client-replica RTT sample from the latency model.
 */
export function serveRequest(queues: ServiceQueues, node: number, arriveS: number, rttMs: number, cost: number): RequestTiming {
  if (!(Number.isFinite(rttMs) && rttMs >= 0)) throw new RangeError(`serveRequest: rttMs must be a non-negative number, got ${rttMs}`);
  const serviceS = queues.serviceS(node, cost);
  // The wait is read before enqueueing rather than derived from the completion time, so an
  // empty queue gives exactly 0 and latency equals the unloaded latency.
  const queueingS = queues.backlogS(node, arriveS);
  const completionS = queues.enqueue(node, arriveS, cost);
  return {
    completionS,
    queueingS,
    serviceS,
    latencyMs: rttMs + (queueingS + serviceS) * 1000,
    unloadedMs: rttMs + serviceS * 1000,
  };
}
