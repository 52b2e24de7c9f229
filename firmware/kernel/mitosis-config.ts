// Every mitosis / apoptosis parameter, with the reason for its value. The algorithm and the
// formulas are in docs/mitosis-firmware.md; the decisions themselves in ./mitosis.ts.

/** How often the kernel should call mitoDecide per hosted cell (ms). 1 s: pheromones arrive once a
 *  second, so deciding more often only re-reads the same view. */
export const MITO_PERIOD_MS: f64 = 1000;

/** Time constant (ms) of the smoothed CPU share. 2 s: two meter windows, enough to damp one noisy
 *  window, short enough that a 10x step crosses cpu_target within a fraction of a second. */
export const MITO_SMOOTH_MS: f64 = 2000;

/** A replica rolls the dice (spawn, retire, replace, trim) at most once per settle window (ms). It must
 *  exceed the time for a spawned sibling to fetch its spore, host it and be heard in a pheromone
 *  (fetch + one announce interval + one decision period, ~2.5 s on a LAN), so every roll sees the
 *  outcome of the rolls made one window earlier and the swarm never acts twice on one deficit. */
export const MITO_SETTLE_MS: f64 = 3000;

/** After the replica count rose (seen, or this replica spawned, or it was born) no replica retires for
 *  this long (ms); after a decrease that may have been a retirement, no spawn (unless urgent). The flap
 *  target is "no direction change within 60 s"; 5 s more covers views that learn of a change late. */
export const MITO_COOLDOWN_MS: f64 = 65000;

/** A replica retires only after its share stayed under cpu_target * MITO_RETIRE_MARGIN this long (ms).
 *  30 s: a lull between bursts does not shed capacity; a tenth of the HPA's 300 s window. */
export const MITO_SUSTAIN_MS: f64 = 30000;

/** Retire only if the others would then run below cpu_target * 0.9 (and this replica is under it).
 *  With spawning at > 1.0 this leaves a 10% band (the HPA's tolerance) where no change happens, so
 *  measurement noise around a boundary cannot toggle a replica. */
export const MITO_RETIRE_MARGIN: f64 = 1.0;

/** Retirements are judged against the highest total share heard in this window (ms). When a replica
 *  leaves, its load reaches the others only after their meter window (10 s in the simulator) and the
 *  smoothing, so for a while the sum heard is too low and would let a second replica follow it. */
export const MITO_HOLD_MS: f64 = 15000;

/** The swarm grows only when the mean share it hears is over cpu_target * (1 + this): the HPA's 10%
 *  tolerance. Without it a total load near a multiple of the target (9.05 / 0.6 = 15.08) asks for one
 *  more replica on every noisy round, and a swarm settled on target creeps upward. Within one more
 *  tolerance over that edge, a step aims at the edge (the fewest replicas inside the band). */
export const MITO_SPAWN_TOLERANCE: f64 = 0.1;

/** A swarm counts as settled when a view inside the band came this long (ms) after the last rise of
 *  the count: the 10 s meter window, the 2 s smoothing and a pheromone's age, so that the lag of new
 *  replicas' meters does not look like a settled swarm mid-ramp. */
export const MITO_SETTLED_MS: f64 = 15000;

/** Time constant (ms) of the averaged mean share a settled swarm must see over the band's edge before
 *  it spawns for an overload short of a surge: one meter window, so a few seconds of noise do not
 *  count, and a real rise of the load shows in the average a few seconds after it crosses. */
export const MITO_SPAWN_SUSTAIN_MS: f64 = 10000;

/** A mean share over this counts as a surge whatever cpu_target is (see MITO_REBOUND): the replicas
 *  are saturated, and a share cannot show how far over capacity the demand is. */
export const MITO_SATURATED_SHARE: f64 = 0.95;

/** Expected spawns per round = MITO_SPAWN_GAIN * deficit. 1: the swarm closes the deficit in one round
 *  on average; above 1 overshoots, below 1 converges in more rounds. */
export const MITO_SPAWN_GAIN: f64 = 1.0;

/** After a decrease that may have been a retirement, spawn within the cool-down only when the swarm
 *  runs above cpu_target * 1.5: a real surge is served at once, a small rebound waits (zero flaps). */
export const MITO_REBOUND: f64 = 1.5;

/** Pace toward a hard bound (min_replicas when retiring, max_replicas when spawning at the cap):
 *  expected changes per round = h^2 / (h + K) for h replicas of room. K = 19: with one replica of room
 *  a 1-in-20 chance per round, so two replicas acting on the same last place in the same round
 *  (overshooting the bound) happens in ~2.5% of approaches; with a large room it tends to h - K. */
export const MITO_BOUND_K: f64 = 19;

/** The same pacing for a surplus whose retirement leaves at least MITO_FAR_FROM_MIN replicas above
 *  min_replicas: one replica too many then goes in a few rounds (s = 1: 1 in 2 per round) instead of
 *  ~20, and the rare second retirement for the same place only moves the swarm inside the no-change
 *  band (S / (n - 1) stays under the spawn line), never below min. */
export const MITO_RETIRE_K_FAR: f64 = 1;
export const MITO_FAR_FROM_MIN: i32 = 2;

/** Most siblings one replica starts in one roll: bounds the spore transfers one node triggers at once
 *  (a lone replica under a 10x surge still needs only a couple of rounds). */
export const MITO_MAX_BURST: i32 = 8;

/** A replica counts as alive for replicasSeen if its pheromone was heard within this many ms: three
 *  announce intervals, so one lost datagram does not hide it and a dead node drops out in ~3.5 s
 *  (the peer table's own age-out, 60 s, is far too slow for replacement). Used by the kernel. */
export const MITO_FRESH_MS: f64 = 3500;

/** A retirement counts only the siblings heard within this many ms (1.5 announce intervals): a
 *  sibling that retired or died stops counting within 1.5 s, before this replica's next roll (one
 *  roll per MITO_SETTLE_MS). Counted for MITO_FRESH_MS instead, a sibling that had just retired kept
 *  the last replica of a min-1 swarm from seeing it was the last one, and it retired too. Spawning and
 *  replacement keep the longer window: one lost pheromone must not look like a missing replica. */
export const MITO_RETIRE_FRESH_MS: f64 = 1500;

/** Largest share accepted from the host; larger or non-finite values are clamped or ignored. */
export const MITO_SHARE_MAX: f64 = 16;

/** A node is a spawn target only with spare capacity >= cpu_target * this: the sibling will run at
 *  about cpu_target, so a node with less room would be overloaded the moment it starts. */
export const MITO_SPARE_FACTOR: f64 = 1.0;
