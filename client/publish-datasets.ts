/**
 * Publish a sweep's file-sourced datasets before it starts or is extended (README "Data"): each
 * is prepared here, on the submitting host that has the raw files, and its prepared folder is
 * published to MLflow in the study's experiment (tracking/dataset-publication.ts), where every
 * worker, on any host, finds it by the dataset's name key. Synthetic datasets need nothing: any
 * worker regenerates them bit for bit.
 *
 * Refused before anything starts: bad data (the located InputError of the parsers), and a name
 * whose published content differs (a ConfigError on `datasets[i]`). The cell key hashes the
 * dataset's name and settings, not its content (sweep/cell-key.ts), so new data under an old name
 * would silently mix with the finished cells computed from the old data.
 */
import { resolveCellConfig } from '../recsys/config.ts';
import { datasetKey, isFileSourced } from '../recsys/data/dataset-key.ts';
import { prepareDataset } from '../recsys/data/prepare.ts';
import { ConfigError, InputError } from '../recsys/errors.ts';
import { cellConfigFor, gridPoints } from '../sweep/expand.ts';
import type { SweepConfig } from '../sweep/schema.ts';
import { getOrCreateStudyExperiment, publishDataset, type Tracker, type PublishOutcome } from '../tracking/index.ts';

export interface PublishedSweepDataset {
  /** Index in the sweep's `datasets`. */
  index: number;
  name: string;
  outcome: Exclude<PublishOutcome, { status: 'changed' }>;
}

export async function publishSweepDatasets(
  mlflow: Tracker,
  config: SweepConfig,
  file: string,
  log: (message: string) => void = () => {},
): Promise<PublishedSweepDataset[]> {
  // No-op cells never read their data.
  if (config.cell.noop) return [];
  const fileSourced = config.datasets.map((spec, index) => ({ spec, index })).filter(({ spec }) => isFileSourced(spec));
  if (fileSourced.length === 0) return [];
  // The same lookup beginSweep makes (activities/record.ts), so both find the same experiment.
  const experimentId = await getOrCreateStudyExperiment(mlflow, config.study);
  const out: PublishedSweepDataset[] = [];
  for (const { spec, index } of fileSourced) {
    // Data settings are the sweep's, the same for every cell of the dataset: any cell resolves them.
    const cell = resolveCellConfig(cellConfigFor(config, spec, config.models[0], gridPoints(config)[0], config.seeds[0]));
    const prepared = await prepareDataset(spec, cell.data, cell.datasetCache, log);
    const outcome = await publishDataset(mlflow, { experimentId, key: datasetKey(spec, cell.data), folder: prepared.folder, log });
    if (outcome.status === 'changed') {
      throw new ConfigError(file, [
        new InputError(
          { file, field: `datasets[${index}]` },
          `the same data as before under the dataset name "${spec.name}": study "${config.study}" has it published with content id ` +
            `${outcome.publishedId} (MLflow run ${outcome.runId}), the files here give ${outcome.datasetId}. Cells are keyed by the ` +
            `dataset's name, not its content, so the new data would mix with results of the old; give the changed data a new name ` +
            `(e.g. ${spec.name} → ${spec.name}-v2), or restore the original files`,
          `changed data (content id ${outcome.datasetId})`,
        ),
      ]);
    }
    out.push({ index, name: spec.name, outcome });
    log(`dataset ${spec.name}: ${outcome.status === 'present' ? 'already published' : 'published'} (MLflow run ${outcome.runId})`);
  }
  return out;
}
