// The HTML page of `cell sim --chaos-suite --report FILE`: the suite's table, each condition
// spelled out, and the calm run's figures as the baseline every other row is read against.
import { escapeHtml } from '../report-html.ts';
import { suiteCells, type SuiteRow } from './chaos-suite.ts';

export function renderSuiteReport(run: { nodes: number; duration: number; seed: number }, rows: readonly SuiteRow[]): string {
  const [head, ...body] = suiteCells(rows);
  const tr = (cells: string[], tag: 'th' | 'td') => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  const title = `Cell swarm under chaos: ${run.nodes} nodes, ${run.duration} s, seed ${run.seed}`;
  const conditions = rows.map((r) => `<li><b>${escapeHtml(r.name)}</b>: ${escapeHtml(r.description)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
table { border-collapse: collapse; } th, td { padding: 0.2rem 0.8rem; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; } tr:nth-child(2) td { background: #f4f8ff; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Each row is the calm run's swarm and seed under one condition. Vivaldi: relative error over sampled pairs at the end;
nearest, stretch p90, to forger: the replica the kernels' routing chose; mitosis: the cell controller on the load step.</p>
<table id="suite">
${tr(head!, 'th')}
${body.map((r) => tr(r, 'td')).join('\n')}
</table>
<ul>
${conditions}
</ul>
</body>
</html>
`;
}
