/** Every figure of a sweep's report, rendered. */
import type { AggregateTable } from '../schema.ts';
import { curveSpecs, type FigureSpec } from './curves.ts';
import { heatmapSpecs } from './heatmaps.ts';
import { renderFigure, type RenderedFigure } from './render.ts';

export type { FigureSpec } from './curves.ts';
export interface Figure extends FigureSpec, RenderedFigure {}

export function figureSpecs(table: AggregateTable): FigureSpec[] {
  return [...curveSpecs(table), ...heatmapSpecs(table)];
}

/** Rendered one at a time: vega and resvg are CPU-bound and the machine may be small. */
export async function renderFigures(table: AggregateTable): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const spec of figureSpecs(table)) out.push({ ...spec, ...(await renderFigure(spec.name, spec.spec)) });
  return out;
}
