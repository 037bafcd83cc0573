/** Colours and dashes of the defenses: vanilla is black and dashed in every figure. */
export const VANILLA = 'vanilla';
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** The colour scale of a list of defense labels (vanilla first if present). */
export function defenseColors(labels: ReadonlyArray<string>): { domain: string[]; range: string[] } {
  const domain = [...labels].sort((a, b) => Number(b === VANILLA) - Number(a === VANILLA));
  let k = 0;
  return { domain, range: domain.map((l) => (l === VANILLA ? '#000000' : COLORS[k++ % COLORS.length])) };
}

/** A file-name-safe form of a dataset or model name. */
export function fileSlug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}
