/**
 * Figures without a browser or a display: vega-lite compiles a spec to vega, vega renders SVG
 * headless (`renderer: 'none'`, `toSVG()`), resvg turns the SVG into PNG. Text needs a font:
 * resvg reads the system fonts (Debian `fonts-dejavu-core`; CI installs it) and the specs ask
 * for DejaVu Sans, falling back to any sans-serif font installed.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FigureRenderError } from '../errors.ts';

export const FONT = 'DejaVu Sans';
/** PNG pixels per SVG pixel. */
export const PNG_SCALE = 2;

export interface RenderedFigure {
  svg: string;
  png: Buffer;
  /** SVG size in CSS pixels (the PNG is PNG_SCALE times that). */
  width: number;
  height: number;
}

export async function renderSvg(name: string, spec: TopLevelSpec): Promise<string> {
  let view: vega.View | undefined;
  try {
    const compiled = compile({ ...spec, config: { font: FONT, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    return await view.toSVG();
  } catch (err) {
    throw new FigureRenderError(name, (err as Error).message);
  } finally {
    view?.finalize();
  }
}

export function svgToPng(name: string, svg: string): { png: Buffer; width: number; height: number } {
  try {
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: PNG_SCALE },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
    });
    const image = resvg.render();
    return { png: image.asPng(), width: resvg.width, height: resvg.height };
  } catch (err) {
    throw new FigureRenderError(name, `SVG → PNG: ${(err as Error).message}`);
  }
}

export async function renderFigure(name: string, spec: TopLevelSpec): Promise<RenderedFigure> {
  const svg = await renderSvg(name, spec);
  const { png, width, height } = svgToPng(name, svg);
  return { svg, png, width, height };
}
