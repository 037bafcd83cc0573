/**
 * The static HTML report: one self-contained file (figures inlined as SVG, no scripts, no
 * network), readable from disk, from MLflow's artifact viewer, or mailed around.
 *
 * Per dataset and attack, a table in the paper's shape: rows model × defense, columns the clean
 * metrics and the same metrics at every ε_A; then the robustness curves and the heatmaps; then the
 * paired comparisons (report/comparisons.ts), one table per dataset and kind, a row each.
 */
import { ATTACK_NAMES, ATTACKS, type AttackName } from '../recsys/attacks/index.ts';
import { defenseLabel } from './aggregate.ts';
import type { Figure } from './figures/index.ts';
import { COMPARISON_NOTE, comparisonLabel } from './comparisons.ts';
import { formatCi, formatDiff, formatP, formatStats, formatVerdict } from './format.ts';
import type { AggregateTable, ComparisonKind } from './schema.ts';
import { defenseRows, epsilonsOf, findGroup, metricLabel } from './table.ts';

export const HTML_CLEAN_METRICS = ['ndcg5', 'f1', 'pn', 'ps', 'fns', 'explained_frac'];
export const HTML_ATTACKED_METRICS = ['ndcg5', 'f1', 'fns', 'stability'];

export interface HtmlMeta {
  /** Link to the sweep's parent run in MLflow's UI. */
  mlflowRunUrl?: string;
  /** ISO time of generation (left out for reproducible files). */
  generatedAt?: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function resultsTable(table: AggregateTable, dataset: string, attack: AttackName): string {
  const groups = table.groups.filter((g) => g.dataset === dataset);
  const epsilons = epsilonsOf(groups, attack);
  if (epsilons.length === 0) return '';
  const rows = defenseRows(groups);
  const head1 =
    `<tr><th rowspan="2">model</th><th rowspan="2">defense</th><th colspan="${HTML_CLEAN_METRICS.length}">clean</th>` +
    epsilons.map((e) => `<th colspan="${HTML_ATTACKED_METRICS.length}">${esc(ATTACKS[attack].title)} ε<sub>A</sub> = ${e}</th>`).join('') +
    '</tr>';
  const head2 = `<tr>${[...HTML_CLEAN_METRICS, ...epsilons.flatMap(() => HTML_ATTACKED_METRICS)].map((m) => `<th>${esc(metricLabel(m))}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => {
      const clean = findGroup(groups, row, 'clean', 0);
      const cells = [
        ...HTML_CLEAN_METRICS.map((m) => formatStats(clean?.metrics[m])),
        ...epsilons.flatMap((e) => {
          const g = findGroup(groups, row, attack, e);
          return HTML_ATTACKED_METRICS.map((m) => formatStats(g?.metrics[m]));
        }),
      ];
      const cls = row.lambda === 0 ? ' class="vanilla"' : '';
      return `<tr${cls}><th>${esc(row.model)}</th><th>${esc(defenseLabel(row.lambda, row.epsilonD))}</th>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="results" data-dataset="${esc(dataset)}" data-attack="${attack}">\n<caption>${esc(dataset)}: clean vs ${esc(ATTACKS[attack].title)}</caption>\n<thead>${head1}${head2}</thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

const KIND_TITLE: Record<ComparisonKind, string> = { defended_vs_vanilla: 'defended vs vanilla', fgsm_vs_random: 'FGSM vs random' };

function comparisonsTable(table: AggregateTable, dataset: string, kind: ComparisonKind): string {
  const rows = table.comparisons.filter((c) => c.dataset === dataset && c.kind === kind);
  if (rows.length === 0) return '';
  const head = `<tr>${['model', 'metric', 'a − b', 'mean', '95 % CI', 'p', 'n', ''].map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((c) => {
      const cells = [formatDiff(c.meanDiff), formatCi(c.ci95), formatP(c.p).replace(/^p=/, ''), String(c.n), formatVerdict(c)];
      const cls = c.supported ? ' class="supported"' : c.contradicted ? ' class="contradicted"' : '';
      return `<tr${cls}><th>${esc(c.model)}</th><th>${esc(metricLabel(c.metric))}</th><th>${esc(comparisonLabel(c))}</th>${cells.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="comparisons" data-dataset="${esc(dataset)}" data-kind="${kind}">\n<caption>${esc(dataset)}: ${esc(KIND_TITLE[kind])}</caption>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/** SVG inlined in HTML: drop the XML prolog, if any. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

export function reportHtml(table: AggregateTable, figures: ReadonlyArray<Figure>, meta: HtmlMeta = {}): string {
  const datasets = [...new Set(table.groups.map((g) => g.dataset))];
  const seeds = [...new Set(table.groups.flatMap((g) => g.seeds))].sort((a, b) => a - b);
  const tables = datasets.flatMap((d) => ATTACK_NAMES.map((a) => resultsTable(table, d, a))).filter((t) => t !== '');
  const comparisons = datasets.flatMap((d) => (['defended_vs_vanilla', 'fgsm_vs_random'] as const).map((k) => comparisonsTable(table, d, k))).filter((t) => t !== '');
  const figureHtml = (kind: Figure['kind']) =>
    figures
      .filter((f) => f.kind === kind)
      .map((f) => `<figure data-figure="${esc(f.name)}" data-series="${f.series}">${inlineSvg(f.svg)}<figcaption>${esc(f.title)} (<a href="figures/${esc(f.name)}.png">PNG</a>, <a href="figures/${esc(f.name)}.svg">SVG</a>)</figcaption></figure>`)
      .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rexsweep report: ${esc(table.sweepId)}</title>
<style>
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2em; color: #222; }
.table-wrap { max-width: 100%; overflow-x: auto; }
table.results { border-collapse: collapse; margin: 1.5em 0; font-size: 13px; }
table.results caption { text-align: left; font-weight: bold; margin-bottom: .4em; }
table.results th, table.results td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; white-space: nowrap; }
table.results thead th { background: #f3f3f3; text-align: center; }
table.results tbody th { text-align: left; font-weight: normal; }
tr.vanilla { background: #fafafa; font-style: italic; }
table.comparisons { border-collapse: collapse; margin: 1.5em 0; font-size: 13px; }
table.comparisons caption { text-align: left; font-weight: bold; margin-bottom: .4em; }
table.comparisons th, table.comparisons td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; white-space: nowrap; }
table.comparisons thead th { background: #f3f3f3; text-align: center; }
table.comparisons tbody th { text-align: left; font-weight: normal; }
tr.supported td { background: #eef7ee; font-weight: bold; }
tr.contradicted td { background: #fbeeee; font-weight: bold; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; }
figcaption { font-size: 12px; color: #555; }
</style>
</head>
<body>
<h1>Sweep ${esc(table.sweepId)}</h1>
<p>Study <b>${esc(table.study)}</b>; ${table.cells} finished cell(s); seeds ${esc(seeds.join(', ') || '—')}.
Values are the mean ± sample standard deviation (n − 1) over seeds; a value without ± had one seed.
${meta.mlflowRunUrl ? `MLflow: <a href="${esc(meta.mlflowRunUrl)}">the sweep's run</a>.` : ''}
${meta.generatedAt ? `Generated ${esc(meta.generatedAt)}.` : ''}
Every metric of every group: <a href="aggregates.csv">aggregates.csv</a>, <a href="aggregates.json">aggregates.json</a>;
the paired comparisons: <a href="comparisons.csv">comparisons.csv</a>.</p>
<h2>Results</h2>
${tables.join('\n') || '<p>No finished cells yet.</p>'}
<h2>Robustness curves</h2>
<div class="figures">
${figureHtml('curve') || '<p>None.</p>'}
</div>
<h2>Drop under attack, λ × ε<sub>D</sub></h2>
<div class="figures">
${figureHtml('heatmap') || '<p>No defended cells.</p>'}
</div>
<h2>Paired comparisons</h2>
<p>Each row: ${esc(COMPARISON_NOTE)}. Defended vs vanilla compares a defense with the vanilla model of the same seed under the same evaluation;
FGSM vs random compares the two attacks at the same ε<sub>A</sub> on the same model. A drop is clean − attacked, so a negative defended − vanilla drop means the defense lost less.</p>
${comparisons.join('\n') || '<p>No comparisons: no defended and vanilla, or FGSM and random, cells share a seed.</p>'}
</body>
</html>
`;
}
