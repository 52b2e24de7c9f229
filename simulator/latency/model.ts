// The latency model interface shared by the measured matrix and the geographic model, and
// the one entry point the simulator's CLI uses to build either.
import { basename } from 'node:path';
import { GeoModel, type GeoParams } from './geo.ts';
import { MatrixModel, parseMatrix, readMatrixFile } from './matrix.ts';
import { HostSample } from './host-sample.ts';
import { checkPerturbation } from './perturbation.ts';
import type { Rng } from '../rng.ts';

export interface LatencyModel {
  /** e.g. "matrix:planetlab490.txt" or "geo". */
  readonly name: string;
  /** Number of nodes; node indices are 0 .. size-1. */
  readonly size: number;
  /** Mean relative extra delay of one sample (see perturbation.ts). */
  readonly jitter: number;
  /** Probability that one frame is lost. */
  readonly loss: number;
  /** Labels for region(i), indexed by region number. */
  readonly regionNames: readonly string[];
  /** Problems with the input that did not stop the load (e.g. an asymmetric matrix). */
  readonly warnings: readonly string[];
  /** Base round-trip time in ms; symmetric; 0 on the diagonal; NaN when unknown. */
  rtt(i: number, j: number): number;
  /** Whether rtt(i, j) is known (measured, or modelled). */
  known(i: number, j: number): boolean;
  /** One measured RTT with jitter (never below the base RTT); NaN when unknown. */
  sample(i: number, j: number, rng: Rng): number;
  /** One-way delay in ms for a frame from i to j, or -1 when the frame is lost (loss or unknown pair). */
  oneWay(i: number, j: number, rng: Rng): number;
  /** Region number of node i, for colouring plots. */
  region(i: number): number;
}

export interface LoadLatencyOptions {
  /** Path of a measured RTT matrix (--matrix). */
  matrix?: string;
  /** Which model; default: 'matrix' when a matrix is given, else 'geo'. */
  latency?: 'geo' | 'matrix';
  /** Number of simulated nodes (--nodes). */
  nodes: number;
  seed: number;
  jitter?: number;
  loss?: number;
  /** --sample: when nodes exceed the matrix, draw hosts with replacement. */
  sampleWithReplacement?: boolean;
  /** Overrides for the geographic model's parameters. */
  geo?: Partial<GeoParams>;
}

export function loadLatencyModel(opts: LoadLatencyOptions): LatencyModel {
  const { nodes, seed } = opts;
  const jitter = opts.jitter ?? 0;
  const loss = opts.loss ?? 0;
  if (!Number.isInteger(nodes) || nodes < 1) throw new RangeError(`--nodes must be a positive integer, got ${nodes}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`--seed must be a non-negative integer, got ${seed}`);
  checkPerturbation(jitter, loss);
  const latency = opts.latency ?? (opts.matrix !== undefined ? 'matrix' : 'geo');
  if (latency !== 'geo' && latency !== 'matrix') {
    throw new RangeError(`--latency must be "geo" or "matrix", got ${JSON.stringify(latency)}`);
  }
  if (latency === 'geo') {
    if (opts.matrix !== undefined) {
      throw new Error(`--matrix ${opts.matrix} is only read with --latency matrix; drop one of the two`);
    }
    return new GeoModel({ ...opts.geo, nodes, seed, jitter, loss });
  }
  if (opts.matrix === undefined) throw new Error('--latency matrix needs --matrix FILE (e.g. shared/data/planetlab490.txt)');
  let text: string;
  try {
    text = readMatrixFile(opts.matrix);
  } catch (e) {
    throw new Error(`cannot read the RTT matrix ${opts.matrix}: ${(e as Error).message}`);
  }
  const parsed = parseMatrix(text, opts.matrix);
  const file = basename(opts.matrix);
  const model = new MatrixModel(parsed, { name: `matrix:${file}`, seed, jitter, loss });
  if (nodes === model.size) return model;
  if (nodes > model.size && !opts.sampleWithReplacement) {
    throw new RangeError(
      `--nodes ${nodes} exceeds the ${model.size} hosts in ${file}; pass --sample to draw hosts with ` +
        `replacement (nodes on the same host get a LAN RTT under 1 ms), or use --latency geo for large swarms`,
    );
  }
  return new HostSample(model, { nodes, seed, withReplacement: nodes > model.size });
}
