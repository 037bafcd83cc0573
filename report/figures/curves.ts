/**
 * Robustness curves: a metric against ε_A (0 = clean), one line per defense (λ, ε_D) of a
 * (dataset, model, attack), the vanilla model black and dashed, a band of mean ± SD over seeds
 * (no band where n = 1).
 */
import { ATTACK_NAMES, ATTACKS } from '../../recsys/attacks/index.ts';
import type { TopLevelSpec } from 'vega-lite';
import { defenseLabel } from '../aggregate.ts';
import type { AggregateTable, ReportAttack } from '../schema.ts';
import { defenseRows, findGroup, metricLabel } from '../table.ts';
import { defenseColors, fileSlug, VANILLA } from './palette.ts';

export interface FigureSpec {
  /** File name without extension, e.g. `curve-synthetic-cer-fgsm-ndcg5`. */
  name: string;
  kind: 'curve' | 'heatmap';
  title: string;
  spec: TopLevelSpec;
  /** Lines (curves) or heatmap panels drawn. */
  series: number;
}

export const CURVE_METRICS = ['ndcg5', 'fns'] as const;

interface CurvePoint {
  defense: string;
  style: 'vanilla' | 'defended';
  epsilonA: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

export function curveSpecs(table: AggregateTable, metrics: ReadonlyArray<string> = CURVE_METRICS): FigureSpec[] {
  const out: FigureSpec[] = [];
  const rows = defenseRows(table.groups);
  const pairs = [...new Map(rows.map((r) => [JSON.stringify([r.dataset, r.model]), r])).values()];
  for (const { dataset, model } of pairs) {
    const mine = rows.filter((r) => r.dataset === dataset && r.model === model);
    for (const attack of ATTACK_NAMES) {
      const attacked = table.groups.filter((g) => g.dataset === dataset && g.model === model && g.attack === attack);
      if (attacked.length === 0) continue;
      for (const metric of metrics) {
        const points: CurvePoint[] = [];
        for (const row of mine) {
          const defense = defenseLabel(row.lambda, row.epsilonD);
          const clean = findGroup(table.groups, row, 'clean', 0);
          const line = [clean, ...attacked.filter((g) => g.lambda === row.lambda && g.epsilonD === row.epsilonD)];
          for (const g of line) {
            const s = g?.metrics[metric];
            if (!g || !s) continue;
            const sd = s.sd ?? 0;
            points.push({ defense, style: defense === VANILLA ? 'vanilla' : 'defended', epsilonA: g.epsilonA, mean: s.mean, lo: s.mean - sd, hi: s.mean + sd, n: s.n });
          }
        }
        const defenses = [...new Set(points.map((p) => p.defense))];
        if (defenses.length === 0) continue;
        // One legend for both layers (vega-lite merges a shared scale's legends; a `legend: null`
        // in either layer would drop the merged one): it names every line's defense.
        const color = { field: 'defense', type: 'nominal', title: 'defense (λ, ε_D)', scale: defenseColors(defenses), legend: { orient: 'right', symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 } } as const;
        const x = { field: 'epsilonA', type: 'quantitative', title: 'attack budget ε_A (0 = clean)' } as const;
        const title = `${metricLabel(metric)} under ${ATTACKS[attack].title}: ${model} on ${dataset}`;
        out.push({
          name: `curve-${fileSlug(dataset)}-${fileSlug(model)}-${attack}-${metric}`,
          kind: 'curve',
          title,
          series: defenses.length,
          spec: {
            $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
            title: { text: title, subtitle: 'mean over seeds; band ± 1 sample SD' },
            width: 420,
            height: 260,
            background: 'white',
            data: { values: points },
            layer: [
              {
                mark: { type: 'area', opacity: 0.15 },
                encoding: { x, y: { field: 'lo', type: 'quantitative', title: metricLabel(metric) }, y2: { field: 'hi' }, color },
              },
              {
                mark: { type: 'line', point: true, strokeWidth: 2 },
                encoding: {
                  x,
                  y: { field: 'mean', type: 'quantitative', title: metricLabel(metric) },
                  color,
                  strokeDash: { field: 'style', type: 'nominal', title: null, scale: { domain: ['vanilla', 'defended'], range: [[6, 3], [1, 0]] }, legend: null },
                },
              },
            ],
          } as TopLevelSpec,
        });
      }
    }
  }
  return out;
}
