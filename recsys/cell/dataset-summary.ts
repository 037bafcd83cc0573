/** What a cell result says of its dataset: shared by `rexsweep cell` and the sweep's training activity. */
import type { PreparedDataset } from '../data/dataset.ts';
import type { CellResult } from './result.ts';

export function datasetSummary(data: PreparedDataset, folder: string): CellResult['dataset'] {
  const m = data.manifest;
  return {
    id: m.id,
    folder,
    users: m.userCount,
    items: m.itemCount,
    features: m.featureCount,
    trainPairs: data.train.labels.length,
    testUsers: data.test.users.length,
  };
}
