/**
 * Cell keys of configs as written (validated here first). The key itself, and what it hashes,
 * are sweep/cell-identity.ts, which workflow code imports.
 */
import { CellConfigSchema, type CellConfig, type CellConfigInput } from '../recsys/config.ts';
import { cellIdentityOfParsed, cellKeyOfParsed } from './cell-identity.ts';

export { CELL_KEY_HEX, CELL_KEY_LAYOUT, cellKeyOfParsed } from './cell-identity.ts';

/** The object a cell key hashes (sweep/cell-identity.ts). */
export function cellIdentity(input: CellConfigInput | CellConfig): Record<string, unknown> {
  return cellIdentityOfParsed(CellConfigSchema.parse(input));
}

/** The cell key: CELL_KEY_HEX lowercase hex digits. */
export function cellKey(input: CellConfigInput | CellConfig): string {
  return cellKeyOfParsed(CellConfigSchema.parse(input));
}
