// A measured RTT matrix (--matrix FILE): N lines of N whitespace-separated RTTs in ms; a
// negative number or `-` means unknown. See shared/data/README.md.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Rng } from '../rng.ts';
import { clusterByRtt } from './clusters.ts';
import type { LatencyModel } from './model.ts';
import { frameDelay, jittered } from './perturbation.ts';

/** A pair counts as asymmetric when its two directions differ by more than this share of the larger. */
export const ASYMMETRY_TOLERANCE = 0.5;
/** Warn when more than this share of the pairs measured both ways is asymmetric. */
export const ASYMMETRY_WARN_SHARE = 0.05;

export interface ParsedMatrix {
  size: number;
  /** Row-major size x size, symmetric, diagonal 0, NaN for unknown. */
  rtt: Float32Array;
  warnings: string[];
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The text of a matrix file, gunzipped when it is gzip (test/fixtures ships PlanetLab 490 as .gz). */
export function readMatrixFile(path: string): string {
  const bytes = readFileSync(path);
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
}

/**
 * Parse the matrix text. `source` names the file in error messages, which point at
 * line:column (1-based) so a broken file can be fixed by hand.
 */
export function parseMatrix(text: string, source = '<matrix>'): ParsedMatrix {
  const lines = text.split(/\r?\n/);
  // Trailing blank lines are an editor's habit, not a row.
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new Error(`${source}: the file is empty; expected N lines of N RTTs in ms`);

  let size = -1;
  let rtt = new Float32Array(0);
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row];
    const lineNo = row + 1;
    const fields: { text: string; col: number }[] = [];
    const re = /[^\s]+/g;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) fields.push({ text: m[0], col: m.index + 1 });
    if (fields.length === 0) throw new Error(`${source}:${lineNo}: empty line inside the matrix`);
    if (size < 0) {
      size = fields.length;
      if (lines.length !== size) {
        throw new Error(
          `${source}: line 1 has ${size} values but the file has ${lines.length} rows; the matrix must be square (N lines of N values)`,
        );
      }
      rtt = new Float32Array(size * size);
    } else if (fields.length !== size) {
      const last = fields[Math.min(fields.length, size) - 1];
      const col = fields.length > size ? fields[size].col : last.col + last.text.length;
      throw new Error(`${source}:${lineNo}:${col}: ragged row: ${fields.length} values, expected ${size} like line 1`);
    }
    for (let c = 0; c < size; c++) {
      const { text: tok, col } = fields[c];
      let v: number;
      if (tok === '-') v = NaN;
      else if (NUMBER.test(tok)) {
        v = Number(tok);
        if (!Number.isFinite(v)) throw new Error(`${source}:${lineNo}:${col}: ${JSON.stringify(tok)} is out of range`);
        if (v < 0) v = NaN;
      } else {
        throw new Error(
          `${source}:${lineNo}:${col}: ${JSON.stringify(tok)} is not a number (RTTs are in ms; use - or a negative number for unknown)`,
        );
      }
      rtt[row * size + c] = v;
    }
  }
  return { size, rtt, warnings: symmetrise(rtt, size) };
}

/**
 * Make the matrix symmetric in place (a frame's delay is half the pair's RTT, whichever way
 * it goes): the mean of the two directions, or the one that is known. Returns warnings.
 */
function symmetrise(m: Float32Array, n: number): string[] {
  const warnings: string[] = [];
  let badDiagonal = 0;
  for (let i = 0; i < n; i++) {
    const d = m[i * n + i];
    if (d === d && d !== 0) badDiagonal++;
    m[i * n + i] = 0;
  }
  if (badDiagonal > 0) warnings.push(`${badDiagonal} diagonal entries were not 0; a node's RTT to itself is taken as 0`);

  let both = 0, asymmetric = 0, unknown = 0, zero = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = m[i * n + j], b = m[j * n + i];
      let v: number;
      if (a === a && b === b) {
        both++;
        const hi = Math.max(a, b);
        if (hi > 0 && Math.abs(a - b) / hi > ASYMMETRY_TOLERANCE) asymmetric++;
        v = (a + b) / 2;
      } else v = a === a ? a : b;
      if (v !== v) unknown++;
      else if (v === 0) zero++;
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  if (both > 0 && asymmetric / both > ASYMMETRY_WARN_SHARE) {
    warnings.push(
      `asymmetric matrix: ${pct(asymmetric / both)} of the pairs measured both ways differ by more than ` +
        `${ASYMMETRY_TOLERANCE * 100}% between directions; the model uses the mean of the two`,
    );
  }
  if (unknown > 0) warnings.push(`${unknown} of ${pairs} pairs (${pct(unknown / pairs)}) have no known RTT; frames between them are lost`);
  if (zero > 0) warnings.push(`${zero} pairs of distinct hosts have RTT 0; they are left out of relative-error metrics`);
  return warnings;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Number of regions the matrix's hosts are clustered into for colouring (no geography is known). */
const MATRIX_REGIONS = 6;

export class MatrixModel implements LatencyModel {
  readonly name: string;
  readonly size: number;
  readonly jitter: number;
  readonly loss: number;
  readonly warnings: readonly string[];
  private readonly m: Float32Array;
  private readonly seed: number;
  private labels: Uint8Array | undefined;

  constructor(parsed: ParsedMatrix, opts: { name: string; seed: number; jitter: number; loss: number }) {
    this.name = opts.name;
    this.size = parsed.size;
    this.m = parsed.rtt;
    this.warnings = parsed.warnings;
    this.seed = opts.seed;
    this.jitter = opts.jitter;
    this.loss = opts.loss;
  }

  get regionNames(): readonly string[] {
    const k = Math.min(MATRIX_REGIONS, this.size);
    return Array.from({ length: k }, (_, c) => `cluster ${String.fromCharCode(65 + c)}`);
  }

  rtt(i: number, j: number): number {
    const n = this.size;
    if (i >>> 0 >= n || j >>> 0 >= n || (i | 0) !== i || (j | 0) !== j) throw outOfRange(i, j, n);
    return this.m[i * n + j];
  }

  known(i: number, j: number): boolean {
    const v = this.rtt(i, j);
    return v === v;
  }

  sample(i: number, j: number, rng: Rng): number {
    return jittered(this.rtt(i, j), this.jitter, rng);
  }

  oneWay(i: number, j: number, rng: Rng): number {
    return frameDelay(this.rtt(i, j), this.jitter, this.loss, rng);
  }

  region(i: number): number {
    if (i >>> 0 >= this.size || (i | 0) !== i) throw outOfRange(i, i, this.size);
    // Clustering costs O(N^2); only a report needs it.
    this.labels ??= clusterByRtt(this.size, (a, b) => this.m[a * this.size + b], MATRIX_REGIONS, this.seed);
    return this.labels[i];
  }
}

export function outOfRange(i: number, j: number, n: number): RangeError {
  return new RangeError(`node index out of range: (${i}, ${j}) with ${n} nodes (valid: integers 0..${n - 1})`);
}
