// The simulator's HTML report: one self-contained page (Chart.js inlined from node_modules,
// the data as embedded JSON, no network), so a report can be mailed, archived or opened from
// CI artifacts as is. When the charts are drawn the page sets
// document.body.dataset.chartsRendered to their number, which a headless browser test reads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { project2d } from './pca.ts';

export interface Curve {
  x: number[];
  y: number[];
}

export interface LabelledSeries {
  label: string;
  /** One value per entry of the section's `t`. */
  values: number[];
}

export interface ReportData {
  title: string;
  /** Rows of the summary table, in order (e.g. nodes, seed, latency model, final median error). */
  summary: { label: string; value: string | number }[];
  /** CDF of the relative error at the end of the run (metrics.cdf). */
  errorCdf: Curve;
  /** Error over simulated time; t in seconds. */
  errorOverTime: { t: number[]; median: number[]; p90: number[] };
  /** Final coordinates (Euclidean part, any dimension), projected to 2-D by PCA for the plot. */
  coordinates: {
    vectors: ArrayLike<number>[];
    /** Region number of each node (LatencyModel.region). */
    region: ArrayLike<number>;
    regionNames: readonly string[];
  };
  /** CDF of the stretch of the kernels' routing choices (metrics.choiceQuality), when replicas were placed. */
  stretchCdf?: Curve;
  /** Mitosis runs: present only when the swarm hosted cells that divide. */
  mitosis?: MitosisData;
}

export interface MitosisData {
  /** Simulated time in seconds, shared by every series below. */
  t: number[];
  /** Replica count over time, one series per species or per controller. */
  replicas: LabelledSeries[];
  /** CPU share (0..1) over time; cpuTarget draws the cell.toml target as a line. */
  cpuShare: LabelledSeries[];
  cpuTarget?: number;
  /** p99 request latency in ms over time, one series per controller (e.g. mitosis vs HPA). */
  p99LatencyMs: LabelledSeries[];
}

export interface RenderOptions {
  /** Most nodes drawn in the coordinate plot (an even stride over the nodes); default 5000. */
  maxPoints?: number;
}

/** Number of charts renderReport draws for this data. */
export function chartCount(data: ReportData): number {
  return 3 + (data.stretchCdf ? 1 : 0) + (data.mitosis ? 3 : 0);
}

export function renderReport(data: ReportData, opts: RenderOptions = {}): string {
  validate(data);
  const maxPoints = opts.maxPoints ?? 5000;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);

  const { vectors, region, regionNames } = data.coordinates;
  const stride = Math.max(1, Math.ceil(vectors.length / maxPoints));
  const shown: ArrayLike<number>[] = [];
  const shownRegion: number[] = [];
  for (let i = 0; i < vectors.length; i += stride) {
    shown.push(vectors[i]);
    shownRegion.push(region[i]);
  }
  const proj = project2d(shown);
  const round = (v: number) => Math.round(v * 100) / 100; // 0.01 ms is plenty for a picture
  const page = {
    title: data.title,
    errorCdf: data.errorCdf,
    errorOverTime: data.errorOverTime,
    scatter: {
      regionNames,
      points: shownRegion.map((r, k) => [round(proj.x[k]), round(proj.y[k]), r]),
      explained: proj.explained,
      drawn: shown.length,
      total: vectors.length,
    },
    stretchCdf: data.stretchCdf ?? null,
    mitosis: data.mitosis ?? null,
    expectedCharts: chartCount(data),
  };

  const rows = data.summary.map((r) => `<tr><th>${escapeHtml(r.label)}</th><td>${escapeHtml(String(r.value))}</td></tr>`).join('\n');
  const sections = [
    section('error-cdf', 'Relative error, all evaluated pairs (CDF)'),
    section('error-time', 'Median and p90 relative error over time'),
    section(
      'coords',
      `Coordinates projected to 2-D (PCA${shown.length < vectors.length ? `, ${shown.length} of ${vectors.length} nodes` : ''}), coloured by region`,
    ),
    data.stretchCdf ? section('stretch-cdf', "Kernel routing: the chosen replica's RTT / the nearest replica's RTT (CDF)") : '',
    data.mitosis
      ? '<h2 class="part">Mitosis</h2>' +
        `<p class="source">${escapeHtml(MITOSIS_SOURCES)}</p>` +
        section('replicas', 'Replicas over time') +
        section('cpu', 'CPU share over time') +
        section('p99', 'p99 request latency over time')
      : '',
  ].join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 960px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; } h2.part { font-size: 1.3rem; border-top: 1px solid #ccc; padding-top: 1rem; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 0.2rem 1rem 0.2rem 0; border-bottom: 1px solid #eee; }
th { font-weight: 600; } .chart { position: relative; height: 360px; }
#chart-error { color: #b00; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<table id="summary">
${rows}
</table>
${sections}
<p id="chart-error"></p>
<script id="report-data" type="application/json">${jsonForScript(page)}</script>
<script>${chartJsSource().replace(/<\/script/gi, '<\\/script')}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** Which mitosis figures come from the firmware and which from a model standing in for something else. */
export const MITOSIS_SOURCES =
  "cell: the kernels' own division rounds and routing (firmware). HPA: a model of the Kubernetes controller " +
  '(simulator/mitosis/hpa.ts). Both: each call is served by a queue model charging it the exchange cell\'s metered cost ' +
  '(simulator/mitosis/load-model.ts), not by running the cell.';

function section(id: string, title: string): string {
  return `<section><h2>${escapeHtml(title)}</h2><div class="chart"><canvas id="${id}"></canvas></div></section>`;
}

let chartJs: string | undefined;

/** Chart.js's UMD build, read once from node_modules (its path is not in the package's exports map). */
function chartJsSource(): string {
  if (chartJs === undefined) {
    const require = createRequire(import.meta.url);
    let entry: string;
    try {
      entry = require.resolve('chart.js'); // .../chart.js/dist/chart.cjs
    } catch {
      throw new Error('the HTML report needs the chart.js package: run `npm install`');
    }
    chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a <script> element: no "</script>" or "<!--" can appear. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function validate(d: ReportData): void {
  const fail = (msg: string): never => {
    throw new RangeError(`report data: ${msg}`);
  };
  if (typeof d.title !== 'string') fail('title must be a string');
  if (!Array.isArray(d.summary)) fail('summary must be an array of { label, value }');
  const sameLength = (what: string, a: ArrayLike<number>, b: ArrayLike<number>, bName: string) => {
    if (a.length !== b.length) fail(`${what}: ${a.length} time points but ${b.length} values in ${bName}`);
  };
  const finite = (what: string, xs: ArrayLike<number>) => {
    for (let k = 0; k < xs.length; k++) if (!Number.isFinite(xs[k])) fail(`${what}[${k}] is ${xs[k]}, not a finite number`);
  };
  const curve = (what: string, c: Curve) => {
    if (!c || !Array.isArray(c.x) || !Array.isArray(c.y)) fail(`${what} must be { x: number[], y: number[] }`);
    sameLength(what, c.x, c.y, 'y');
    finite(`${what}.x`, c.x);
    finite(`${what}.y`, c.y);
  };
  curve('errorCdf', d.errorCdf);
  if (d.stretchCdf) curve('stretchCdf', d.stretchCdf);
  const e = d.errorOverTime;
  if (!e || !Array.isArray(e.t)) fail('errorOverTime must be { t, median, p90 }');
  sameLength('errorOverTime', e.t, e.median, 'median');
  sameLength('errorOverTime', e.t, e.p90, 'p90');
  finite('errorOverTime.t', e.t);
  const c = d.coordinates;
  if (!c || !c.vectors || !c.region || !c.regionNames) fail('coordinates must be { vectors, region, regionNames }');
  if (c.vectors.length !== c.region.length) fail(`coordinates: ${c.vectors.length} vectors but ${c.region.length} region labels`);
  for (let i = 0; i < c.region.length; i++) {
    const r = c.region[i];
    if (!Number.isInteger(r) || r < 0 || r >= c.regionNames.length) fail(`coordinates.region[${i}] is ${r}, not an index into regionNames`);
  }
  if (d.mitosis) {
    const m = d.mitosis;
    finite('mitosis.t', m.t);
    for (const [name, list] of [['replicas', m.replicas], ['cpuShare', m.cpuShare], ['p99LatencyMs', m.p99LatencyMs]] as const) {
      if (!Array.isArray(list)) fail(`mitosis.${name} must be an array of { label, values }`);
      for (const s of list) sameLength(`mitosis.${name} "${s.label}"`, m.t, s.values, 'values');
    }
    if (m.cpuTarget !== undefined && !Number.isFinite(m.cpuTarget)) fail(`mitosis.cpuTarget is ${m.cpuTarget}`);
  }
}

// Runs in the browser: plain JS, no build step. Animation is off so the charts are fully
// drawn when the constructor returns, and the count is set only after the last one.
const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var count = 0;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  function xy(xs, ys) { return xs.map(function (x, k) { return { x: x, y: ys[k] }; }); }
  function line(label, points, colour, extra) {
    var d = { label: label, data: points, borderColor: colour, backgroundColor: colour, pointRadius: 0, borderWidth: 2, fill: false };
    for (var k in extra || {}) d[k] = extra[k];
    return d;
  }
  function chart(id, config) {
    new Chart(document.getElementById(id), config);
    count++;
  }
  function linear(xTitle, yTitle, yExtra) {
    var y = { type: 'linear', title: { display: true, text: yTitle } };
    for (var k in yExtra || {}) y[k] = yExtra[k];
    return { x: { type: 'linear', title: { display: true, text: xTitle } }, y: y };
  }
  // Cut CDF x axes at the 99th percentile so a few huge outliers do not flatten the curve.
  function p99(c) {
    for (var k = 0; k < c.y.length; k++) if (c.y[k] >= 0.99) return c.x[k];
    return undefined;
  }
  function cdfChart(id, c, xTitle, colour) {
    var scales = linear(xTitle, 'cumulative share', { min: 0, max: 1 });
    var top = p99(c);
    if (top !== undefined && top > (c.x[0] || 0)) scales.x.max = top;
    chart(id, { type: 'line', data: { datasets: [line(xTitle, xy(c.x, c.y), colour)] }, options: { parsing: false, scales: scales, plugins: { legend: { display: false } } } });
  }
  function seriesChart(id, t, list, yTitle, extra) {
    var datasets = list.map(function (s, k) { return line(s.label, xy(t, s.values), palette[k % palette.length]); });
    if (extra) datasets.push(extra);
    chart(id, { type: 'line', data: { datasets: datasets }, options: { parsing: false, scales: linear('simulated time (s)', yTitle) } });
  }
  try {
    cdfChart('error-cdf', data.errorCdf, 'relative error', palette[0]);
    var e = data.errorOverTime;
    seriesChart('error-time', e.t, [{ label: 'median', values: e.median }, { label: 'p90', values: e.p90 }], 'relative error');
    var s = data.scatter;
    var byRegion = s.regionNames.map(function () { return []; });
    s.points.forEach(function (p) { byRegion[p[2]].push({ x: p[0], y: p[1] }); });
    var datasets = [];
    byRegion.forEach(function (pts, r) {
      if (pts.length > 0) datasets.push({ label: s.regionNames[r], data: pts, pointRadius: 2, backgroundColor: palette[r % palette.length], borderColor: palette[r % palette.length] });
    });
    var pc = function (k) { return 'PC' + (k + 1) + ' (' + Math.round(s.explained[k] * 100) + '% of variance, ms)'; };
    chart('coords', { type: 'scatter', data: { datasets: datasets }, options: { parsing: false, scales: linear(pc(0), pc(1)) } });
    if (data.stretchCdf) cdfChart('stretch-cdf', data.stretchCdf, 'stretch', palette[2]);
    var m = data.mitosis;
    if (m) {
      seriesChart('replicas', m.t, m.replicas, 'replicas');
      var target = m.cpuTarget === undefined ? null
        : line('target', xy(m.t, m.t.map(function () { return m.cpuTarget; })), '#888', { borderDash: [6, 4], borderWidth: 1 });
      seriesChart('cpu', m.t, m.cpuShare, 'CPU share', target);
      seriesChart('p99', m.t, m.p99LatencyMs, 'p99 latency (ms)');
    }
    document.body.dataset.chartsRendered = String(count);
  } catch (err) {
    document.getElementById('chart-error').textContent = 'chart error: ' + (err && err.stack || err);
    document.body.dataset.chartError = String(err && err.message || err);
  }
})();
`;
