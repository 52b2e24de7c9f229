import test from 'ava';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chartCount, renderReport, type ReportData } from '../simulator/report-html.ts';
import { cdf } from '../simulator/metrics.ts';
import { Rng } from '../simulator/rng.ts';

const run = promisify(execFile);

/** Synthetic report data: 300 nodes in 4 regions with 4-D coordinates, optional sections on. */
function synthetic(withOptional: boolean): ReportData {
  const rng = new Rng(11);
  const regionNames = ['North America', 'Europe', 'East Asia', 'Oceania'];
  const vectors: number[][] = [];
  const region: number[] = [];
  for (let i = 0; i < 300; i++) {
    const r = i % 4;
    region.push(r);
    vectors.push([r * 40 + rng.normal() * 5, (r % 2) * 60 + rng.normal() * 5, rng.normal() * 3, rng.normal()]);
  }
  const errors = Float64Array.from({ length: 5000 }, () => rng.exponential() * 0.12).sort();
  const t = Array.from({ length: 30 }, (_, k) => k * 60);
  const data: ReportData = {
    title: 'Synthetic <swarm> & friends',
    summary: [
      { label: 'nodes', value: 300 },
      { label: 'latency model', value: 'geo' },
      { label: 'final median error', value: 0.083 },
    ],
    errorCdf: cdf(errors),
    errorOverTime: { t, median: t.map((s) => 0.08 + 1 / (1 + s / 60)), p90: t.map((s) => 0.4 + 2 / (1 + s / 60)) },
    coordinates: { vectors, region, regionNames },
  };
  if (withOptional) {
    data.stretchCdf = cdf(Float64Array.from({ length: 1000 }, () => 1 + rng.exponential() * 0.2).sort());
    data.mitosis = {
      t,
      replicas: [{ label: 'echo', values: t.map((s) => 2 + Math.floor(s / 400)) }],
      cpuShare: [{ label: 'echo', values: t.map((s) => 0.5 + 0.3 * Math.sin(s / 300)) }],
      cpuTarget: 0.6,
      p99LatencyMs: [
        { label: 'mitosis', values: t.map((s) => 80 + 40 / (1 + s / 200)) },
        { label: 'HPA', values: t.map((s) => 90 + 80 / (1 + s / 300)) },
      ],
    };
  }
  return data;
}

function findChromium(): string | undefined {
  const names = process.env.CHROMIUM_BIN ? [process.env.CHROMIUM_BIN] : ['chromium', 'chromium-browser', 'google-chrome'];
  for (const name of names) {
    const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
    for (const c of candidates) {
      try {
        accessSync(c, constants.X_OK);
        return c;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Render in headless Chromium and return the DOM after the page's scripts ran. */
async function dumpDom(html: string): Promise<string> {
  const chromium = findChromium();
  if (!chromium) {
    throw new Error(
      process.env.CI === 'true'
        ? 'chromium is not installed in CI: npm test (test/system-packages.mjs) must install the Debian package "chromium"'
        : 'this test needs headless Chromium: install it with `apt-get update && apt-get install -y chromium` ' +
            '(or set CHROMIUM_BIN to a Chrome/Chromium binary)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'cell-report-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const { stdout } = await run(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--virtual-time-budget=10000',
        '--dump-dom',
        pathToFileURL(file).href,
      ],
      // A hung browser must not hang the suite; this is a guard, not a timed assertion.
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const withOptional of [true, false]) {
  const data = synthetic(withOptional);
  const expected = withOptional ? 7 : 3;
  test.serial(`headless Chromium draws ${expected} charts (${withOptional ? 'all sections' : 'required sections only'})`, async (t) => {
    t.is(chartCount(data), expected);
    const dom = await dumpDom(renderReport(data));
    t.notRegex(dom, /data-chart-error/, dom.match(/chart error:[^<]*/)?.[0]);
    const body = /<body[^>]*>/.exec(dom)?.[0] ?? '';
    t.regex(body, new RegExp(`data-charts-rendered="${expected}"`));
    t.is(dom.match(/<canvas/g)?.length, expected);
    // Chart.js sizes each canvas it draws on.
    t.is(dom.match(/<canvas[^>]*\bwidth="\d+"/g)?.length, expected);
    // The title is escaped, not injected.
    t.true(dom.includes('Synthetic &lt;swarm&gt; &amp; friends'));
  });
}

test('the page is self-contained: no network URLs are loaded', (t) => {
  const html = renderReport(synthetic(true));
  t.notRegex(html, /<script[^>]+src=/);
  t.notRegex(html, /<link[^>]+href=/);
  t.true(html.includes('Chart.js v4'));
});

test('large swarms are subsampled in the coordinate plot', (t) => {
  const data = synthetic(false);
  const html = renderReport(data, { maxPoints: 50 });
  t.true(html.includes('50 of 300 nodes'));
});

test('bad report data gets clear errors', (t) => {
  const bad = synthetic(false);
  bad.errorOverTime.p90.pop();
  t.throws(() => renderReport(bad), { message: 'report data: errorOverTime: 30 time points but 29 values in p90' });
  const badRegion = synthetic(false);
  (badRegion.coordinates.region as number[])[3] = 9;
  t.throws(() => renderReport(badRegion), { message: /coordinates\.region\[3\] is 9, not an index into regionNames/ });
  const badCdf = synthetic(false);
  badCdf.errorCdf.x[0] = NaN;
  t.throws(() => renderReport(badCdf), { message: /errorCdf\.x\[0\] is NaN/ });
  const badMitosis = synthetic(true);
  badMitosis.mitosis!.p99LatencyMs[1].values.pop();
  t.throws(() => renderReport(badMitosis), { message: /mitosis\.p99LatencyMs "HPA": 30 time points but 29 values/ });
  t.throws(() => renderReport(synthetic(false), { maxPoints: 0 }), { message: /maxPoints must be a positive integer/ });
});
