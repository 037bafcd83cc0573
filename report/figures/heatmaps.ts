/**
 * λ × ε_D heatmaps of the drop (clean − attacked, mean over seeds) of NDCG@5 and F_NS under an
 * attack, one panel per ε_A, for each (dataset, model). Vanilla has no ε_D, so it is not a cell
 * of the grid: its drop at each ε_A is in the subtitle, the number to beat.
 */
import { ATTACK_NAMES, ATTACKS } from '../../recsys/attacks/index.ts';
import type { TopLevelSpec } from 'vega-lite';
import type { AggregateTable } from '../schema.ts';
import { metricLabel } from '../table.ts';
import type { FigureSpec } from './curves.ts';
import { fileSlug } from './palette.ts';

export const HEATMAP_METRICS = ['ndcg5_drop', 'fns_drop'] as const;

export function heatmapSpecs(table: AggregateTable, metrics: ReadonlyArray<string> = HEATMAP_METRICS): FigureSpec[] {
  const out: FigureSpec[] = [];
  const pairs = [...new Map(table.groups.map((g) => [JSON.stringify([g.dataset, g.model]), g])).values()];
  for (const { dataset, model } of pairs) {
    for (const attack of ATTACK_NAMES) {
      const attacked = table.groups.filter((g) => g.dataset === dataset && g.model === model && g.attack === attack);
      const defended = attacked.filter((g) => g.lambda > 0);
      if (defended.length === 0) continue;
      for (const metric of metrics) {
        const cells = defended
          .filter((g) => g.metrics[metric])
          .map((g) => ({ lambda: g.lambda, epsilonD: g.epsilonD, epsilonA: g.epsilonA, drop: g.metrics[metric].mean, n: g.metrics[metric].n }));
        if (cells.length === 0) continue;
        const vanilla = attacked
          .filter((g) => g.lambda === 0 && g.metrics[metric])
          .map((g) => `ε_A ${g.epsilonA}: ${g.metrics[metric].mean.toFixed(3)}`);
        const panels = new Set(cells.map((c) => c.epsilonA)).size;
        // White numbers on the darker half of the colour scale.
        const drops = cells.map((c) => c.drop);
        const middle = (Math.min(...drops) + Math.max(...drops)) / 2;
        const title = `${metricLabel(metric)} under ${ATTACKS[attack].title}: ${model} on ${dataset}`;
        out.push({
          name: `heatmap-${fileSlug(dataset)}-${fileSlug(model)}-${attack}-${metric}`,
          kind: 'heatmap',
          title,
          series: panels,
          spec: {
            $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
            title: {
              text: title,
              subtitle: [`clean − attacked, mean over seeds (lower is more robust)`, `vanilla: ${vanilla.join(', ') || '—'}`],
            },
            background: 'white',
            data: { values: cells },
            facet: { column: { field: 'epsilonA', type: 'ordinal', title: 'attack budget ε_A' } },
            spec: {
              width: 150,
              height: 150,
              layer: [
                {
                  mark: 'rect',
                  encoding: {
                    x: { field: 'epsilonD', type: 'ordinal', title: 'ε_D', axis: { labelAngle: 0 } },
                    y: { field: 'lambda', type: 'ordinal', title: 'λ', sort: 'descending' },
                    color: { field: 'drop', type: 'quantitative', title: [`${metricLabel(metric)}`, 'clean − attacked'], scale: { scheme: 'orangered' } },
                  },
                },
                {
                  mark: { type: 'text', fontSize: 11 },
                  encoding: {
                    x: { field: 'epsilonD', type: 'ordinal' },
                    y: { field: 'lambda', type: 'ordinal', sort: 'descending' },
                    text: { field: 'drop', type: 'quantitative', format: '.3f' },
                    color: { condition: { test: `datum.drop > ${middle}`, value: 'white' }, value: 'black' },
                  },
                },
              ],
            },
          } as TopLevelSpec,
        });
      }
    }
  }
  return out;
}
