// The central baseline: a controller that follows the Kubernetes Horizontal Pod Autoscaler
// (HPA) on CPU utilisation, as documented in "Horizontal Pod Autoscaling"
// (kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/). Our
// decentralised mitosis is measured against this, so it must be the real algorithm, not a
// straw man: every rule below names the section of that page it follows. Where the page is
// silent, the rule follows the controller's source (pkg/controller/podautoscaler,
// replica_calculator.go and horizontal.go) and says so.
//
// Units: time in seconds; CPU as a utilisation of the pod's request (1 = one full request,
// so a cell using 45% of its node reports 0.45). All pods have the same request, so the
// "average utilisation" of the page is the plain mean of the pods' values.

export interface HpaConfig {
  /** Lower clamp on the replica count (>= 1; scale-to-zero is an alpha feature, not modelled). */
  minReplicas: number;
  /** Upper clamp on the replica count. */
  maxReplicas: number;
  /** Target average utilisation, e.g. 0.6 for `averageUtilization: 60`. */
  targetUtilisation: number;
  /** "Tolerance": no scaling while the usage ratio is within [1 - t, 1 + t]. Default 0.1. */
  tolerance?: number;
  /** `--horizontal-pod-autoscaler-sync-period`: seconds between runs of the loop. Default 15. */
  syncPeriodS?: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization` (scaleDown.stabilizationWindowSeconds). Default 300. */
  downscaleStabilisationS?: number;
  /**
   * Seconds from a pod's start until it is Ready (in the mesh: the spore is fetched and the cell
   * instantiated). Default 30, the default of `--horizontal-pod-autoscaler-initial-readiness-delay`.
   */
  readinessDelayS?: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period`. Default 300. */
  cpuInitializationPeriodS?: number;
  /** Length of the window each pod's CPU sample covers (the metrics pipeline's window). Default 10. */
  metricWindowS?: number;
  /** Default scale-up policies ("Default behavior"): add at most max(pods, percent) per period. */
  scaleUpPods?: number;
  scaleUpPercent?: number;
  scaleUpPeriodS?: number;
  /** The scale target's replica count before the first sync. Default minReplicas. */
  initialReplicas?: number;
}

export interface HpaPod {
  /** CPU utilisation of the request over the last metric window; null when the metric is missing. */
  cpu: number | null;
  /** When the pod started (s). Ready at startedS + readinessDelayS. */
  startedS: number;
}

/** What the last sync saw and decided, for reports and tests. */
export interface HpaStatus {
  timeS: number;
  /** Mean utilisation of the pods that counted, before missing and unready pods were folded in (what the HPA status reports). */
  currentUtilisation: number | null;
  /** Pods that counted / were set aside as not yet ready / had no metric. */
  readyPods: number;
  unreadyPods: number;
  missingPods: number;
  /** Replica count the metric asked for, before stabilisation, rate limits and clamps. */
  metricDesired: number | null;
  /** Replica count after all of them (the new scale). */
  desired: number;
  reason: string;
}

interface TimedCount {
  t: number;
  n: number;
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`HpaController: ${name} must be a positive number, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`HpaController: ${name} must be a non-negative number, got ${v}`);
  return v;
}

function count(name: string, v: number, min: number): number {
  if (!(Number.isSafeInteger(v) && v >= min)) throw new RangeError(`HpaController: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

// ceil of a float product: a ratio such as 0.7 / 0.35 * 3 can land a hair above an integer
// through rounding alone (Kubernetes computes in integer milli-units and does not see it).
function ceilRatio(x: number): number {
  return Math.ceil(x - 1e-9);
}

export class HpaController {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetUtilisation: number;
  readonly tolerance: number;
  readonly syncPeriodS: number;
  readonly downscaleStabilisationS: number;
  readonly readinessDelayS: number;
  readonly cpuInitializationPeriodS: number;
  readonly metricWindowS: number;
  readonly scaleUpPods: number;
  readonly scaleUpPercent: number;
  readonly scaleUpPeriodS: number;

  private current: number;
  private lastNow = -Infinity;
  private nextSync = -Infinity;
  private readonly recommendations: TimedCount[] = [];
  private readonly scaleUps: TimedCount[] = [];
  private readonly scaleDowns: TimedCount[] = [];
  private lastStatus: HpaStatus | null = null;

  constructor(cfg: HpaConfig) {
    if (cfg === null || typeof cfg !== 'object') throw new TypeError('HpaController: config must be an object');
    this.minReplicas = count('minReplicas', cfg.minReplicas, 1);
    this.maxReplicas = count('maxReplicas', cfg.maxReplicas, 1);
    if (this.maxReplicas < this.minReplicas) {
      throw new RangeError(`HpaController: maxReplicas (${this.maxReplicas}) is below minReplicas (${this.minReplicas})`);
    }
    this.targetUtilisation = positive('targetUtilisation', cfg.targetUtilisation);
    this.tolerance = nonNegative('tolerance', cfg.tolerance ?? 0.1);
    if (this.tolerance >= 1) throw new RangeError(`HpaController: tolerance must be below 1, got ${this.tolerance}`);
    this.syncPeriodS = positive('syncPeriodS', cfg.syncPeriodS ?? 15);
    this.downscaleStabilisationS = nonNegative('downscaleStabilisationS', cfg.downscaleStabilisationS ?? 300);
    this.readinessDelayS = nonNegative('readinessDelayS', cfg.readinessDelayS ?? 30);
    this.cpuInitializationPeriodS = nonNegative('cpuInitializationPeriodS', cfg.cpuInitializationPeriodS ?? 300);
    this.metricWindowS = nonNegative('metricWindowS', cfg.metricWindowS ?? 10);
    this.scaleUpPods = count('scaleUpPods', cfg.scaleUpPods ?? 4, 0);
    this.scaleUpPercent = nonNegative('scaleUpPercent', cfg.scaleUpPercent ?? 100);
    this.scaleUpPeriodS = positive('scaleUpPeriodS', cfg.scaleUpPeriodS ?? 15);
    this.current = count('initialReplicas', cfg.initialReplicas ?? this.minReplicas, 1);
  }

  /** The scale target's replica count (spec.replicas): what the last sync decided. */
  get replicas(): number {
    return this.current;
  }

  /** Earliest time at which sync() runs the loop again. */
  get nextSyncS(): number {
    return this.nextSync;
  }

  get status(): HpaStatus | null {
    return this.lastStatus;
  }

  /**
   * One turn of the control loop at time nowS over the scale target's pods (failed pods left
   * out: the page discards them). Runs at most once per sync period ("How does a
   * HorizontalPodAutoscaler work?": the loop runs every 15 s); between runs it returns the
   * current scale unchanged, so a simulation may call it as often as it likes. Deterministic:
   * the answer depends only on the sequence of calls.
   */
  sync(nowS: number, pods: readonly HpaPod[]): number {
    if (!Number.isFinite(nowS)) throw new RangeError(`HpaController.sync: nowS must be finite, got ${nowS}`);
    if (nowS < this.lastNow) throw new RangeError(`HpaController.sync: time went backwards (${nowS} after ${this.lastNow})`);
    if (!Array.isArray(pods)) throw new TypeError('HpaController.sync: pods must be an array');
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i];
      if (p === null || typeof p !== 'object') throw new TypeError(`HpaController.sync: pod ${i} is not an object`);
      if (p.cpu !== null && !(Number.isFinite(p.cpu) && p.cpu >= 0)) {
        throw new RangeError(`HpaController.sync: pod ${i} cpu must be a non-negative number or null (missing), got ${p.cpu}`);
      }
      if (!Number.isFinite(p.startedS) || p.startedS > nowS) {
        throw new RangeError(`HpaController.sync: pod ${i} startedS must be a finite time not after nowS (${nowS}), got ${p.startedS}`);
      }
    }
    this.lastNow = nowS;
    if (nowS < this.nextSync) return this.current;
    this.nextSync = nowS + this.syncPeriodS;

    const base = { timeS: nowS, currentUtilisation: null, readyPods: 0, unreadyPods: 0, missingPods: 0, metricDesired: null };
    // Outside [min, max] the controller moves to the bound without reading metrics
    // (horizontal.go, reconcileAutoscaler).
    if (this.current > this.maxReplicas) return this.apply(nowS, this.maxReplicas, { ...base, desired: this.maxReplicas, reason: 'above maxReplicas' });
    if (this.current < this.minReplicas) return this.apply(nowS, this.minReplicas, { ...base, desired: this.minReplicas, reason: 'below minReplicas' });

    const rec = this.recommend(nowS, pods);
    if (rec.metricDesired === null) {
      // No usable metric: the loop reports an error and leaves the scale alone.
      return this.apply(nowS, this.current, { ...base, ...rec, metricDesired: null, desired: this.current, reason: rec.reason });
    }
    const stabilised = this.stabilise(nowS, rec.metricDesired);
    const held = stabilised > rec.metricDesired ? 'scale-down held by the stabilisation window' : undefined;
    const { desired, reason } = this.limit(nowS, stabilised);
    return this.apply(nowS, desired, { ...base, ...rec, desired, reason: reason ?? held ?? rec.reason });
  }

  /**
   * "Algorithm details": the replica count one metric asks for, with the page's handling of
   * missing metrics and not-yet-ready pods, and the tolerance.
   */
  private recommend(nowS: number, pods: readonly HpaPod[]) {
    const ready: number[] = [];
    let unready = 0;
    let missing = 0;
    for (const p of pods) {
      // Order as in replica_calculator.go groupPods: a pod without a metric is "missing"
      // whether or not it is ready.
      if (p.cpu === null) {
        missing++;
        continue;
      }
      if (this.notYetReady(nowS, p.startedS)) {
        unready++;
        continue;
      }
      ready.push(p.cpu);
    }
    const counts = { readyPods: ready.length, unreadyPods: unready, missingPods: missing };
    if (ready.length === 0) {
      return { ...counts, currentUtilisation: null, metricDesired: null, reason: 'no metrics for any ready pod' };
    }
    const target = this.targetUtilisation;
    const mean = ready.reduce((s, v) => s + v, 0) / ready.length;
    const ratio = mean / target;
    const report = { ...counts, currentUtilisation: mean };

    const scaleUpWithUnready = unready > 0 && ratio > 1;
    if (!scaleUpWithUnready && missing === 0) {
      if (this.withinTolerance(ratio)) return { ...report, metricDesired: this.current, reason: 'within tolerance' };
      // desiredReplicas = ceil(currentReplicas * current / desired), over the pods that
      // counted (the page: "using the remaining pods not set aside or discarded").
      return { ...report, metricDesired: ceilRatio(ratio * ready.length), reason: ratio > 1 ? 'above target' : 'below target' };
    }

    // The conservative recomputation: missing pods count as 100% of the desired value on a
    // scale-down and 0% on a scale-up; on a scale-up, not-yet-ready pods count as 0%. (The
    // page says "of the desired value"; replica_calculator.go fills in 100% of the pod's
    // request instead. We follow the page; both damp the scale-down.)
    let sum = ready.reduce((s, v) => s + v, 0);
    let n = ready.length;
    if (missing > 0 && ratio < 1) {
      sum += missing * target;
      n += missing;
    } else if (missing > 0 && ratio > 1) {
      n += missing;
    }
    if (scaleUpWithUnready) n += unready;
    const newRatio = sum / n / target;
    // "If the new ratio reverses the scale direction, or is within the tolerance, the
    // controller doesn't take any scaling action."
    if (this.withinTolerance(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
      return { ...report, metricDesired: this.current, reason: 'no action after counting unready/missing pods' };
    }
    const newReplicas = ceilRatio(newRatio * n);
    // replica_calculator.go: the larger pod count must not flip the direction either.
    if ((newRatio < 1 && newReplicas > this.current) || (newRatio > 1 && newReplicas < this.current)) {
      return { ...report, metricDesired: this.current, reason: 'no action after counting unready/missing pods' };
    }
    return { ...report, metricDesired: newReplicas, reason: newRatio > 1 ? 'above target (dampened)' : 'below target (dampened)' };
  }

  /**
   * "Algorithm details" and "Pod readiness and autoscaling metrics": a pod's CPU sample is set
   * aside while the pod is not Ready, and, within the CPU initialisation period after its
   * start, while the sample's window began before the pod became Ready (the sample still
   * covers start-up).
   */
  private notYetReady(nowS: number, startedS: number): boolean {
    const readyAt = startedS + this.readinessDelayS;
    if (nowS < readyAt) return true;
    if (nowS < startedS + this.cpuInitializationPeriodS) return nowS < readyAt + this.metricWindowS;
    return false;
  }

  /**
   * "Tolerance": an inclusive band around 1, [1 - t, 1 + t] as in the current controller.
   * The slack keeps float noise in a mean (ten pods at 0.525 average 0.5250000000000001) from
   * deciding a boundary case that Kubernetes, in integer milli-units, gets exactly.
   */
  private withinTolerance(ratio: number): boolean {
    return ratio >= 1 - this.tolerance - 1e-9 && ratio <= 1 + this.tolerance + 1e-9;
  }

  /**
   * "Stabilization window" (and the last paragraph of "Algorithm details"): every
   * recommendation is recorded; a scale-down goes only as low as the highest recommendation
   * of the last downscaleStabilisationS seconds. Scale-up has no window by default.
   */
  private stabilise(nowS: number, metricDesired: number): number {
    const cutoff = nowS - this.downscaleStabilisationS;
    // horizontal.go keeps a record while it is strictly newer than the cutoff.
    while (this.recommendations.length > 0 && !(this.recommendations[0].t > cutoff)) this.recommendations.shift();
    let highest = metricDesired;
    for (const r of this.recommendations) highest = Math.max(highest, r.n);
    this.recommendations.push({ t: nowS, n: metricDesired });
    if (metricDesired > this.current) return metricDesired;
    return Math.min(this.current, highest);
  }

  /**
   * "Default behavior": scale-up adds at most max(scaleUpPods, scaleUpPercent% of the count at
   * the start of the period) per scaleUpPeriodS. Scale-down may remove 100% per 15 s, which
   * limits nothing, so only minReplicas bounds it. Then the min/max clamp.
   */
  private limit(nowS: number, stabilised: number): { desired: number; reason?: string } {
    if (stabilised > this.current) {
      const cutoff = nowS - this.scaleUpPeriodS;
      // horizontal.go counts scale events strictly newer than the period's start.
      const added = this.scaleUps.filter((e) => e.t > cutoff).reduce((s, e) => s + e.n, 0);
      const removed = this.scaleDowns.filter((e) => e.t > cutoff).reduce((s, e) => s + e.n, 0);
      const periodStart = this.current - added + removed;
      const byPods = periodStart + this.scaleUpPods;
      const byPercent = Math.ceil(periodStart * (1 + this.scaleUpPercent / 100));
      const upLimit = Math.max(byPods, byPercent, this.current);
      if (stabilised > this.maxReplicas && this.maxReplicas <= upLimit) return { desired: this.maxReplicas, reason: 'clamped to maxReplicas' };
      if (stabilised > upLimit) return { desired: upLimit, reason: 'scale-up rate limit' };
      return { desired: stabilised };
    }
    if (stabilised < this.current && stabilised < this.minReplicas) return { desired: this.minReplicas, reason: 'clamped to minReplicas' };
    return { desired: stabilised };
  }

  private apply(nowS: number, desired: number, status: HpaStatus): number {
    const delta = desired - this.current;
    const keep = nowS - this.scaleUpPeriodS;
    if (delta > 0) this.scaleUps.push({ t: nowS, n: delta });
    if (delta < 0) this.scaleDowns.push({ t: nowS, n: -delta });
    while (this.scaleUps.length > 0 && this.scaleUps[0].t <= keep) this.scaleUps.shift();
    while (this.scaleDowns.length > 0 && this.scaleDowns[0].t <= keep) this.scaleDowns.shift();
    this.current = desired;
    this.lastStatus = status;
    return desired;
  }
}
