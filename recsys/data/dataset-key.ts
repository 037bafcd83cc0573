/**
 * The name key of a prepared dataset: what a dataset publication in MLflow is found by
 * (tracking/dataset-publication.ts, activities/published-dataset.ts). It hashes exactly what the
 * cell key hashes of the data (sweep/cell-key.ts): the spec without file paths and the resolved
 * data settings, never the content. So one key stands for one dataset name under one set of
 * settings; the content id that prepareDataset computes from the files is what a publication
 * records against it, and two content ids under one key mean the data behind a name changed.
 */
import { datasetIdentity, type DatasetSpec, type ResolvedDataSettings } from '../config.ts';
import { canonicalJson, sha256 } from './hashing.ts';

export function datasetKey(spec: DatasetSpec, settings: ResolvedDataSettings): string {
  return sha256(canonicalJson({ dataset: datasetIdentity(spec), data: settings }));
}

/** Datasets read from files that only some hosts have; synthetic ones any worker regenerates. */
export function isFileSourced(spec: DatasetSpec): spec is Exclude<DatasetSpec, { source: 'synthetic' }> {
  return spec.source !== 'synthetic';
}

/** The source files of a dataset and the spec field each comes from (for located errors). */
export function sourceFiles(spec: DatasetSpec): { field: string; path: string }[] {
  if (spec.source === 'amazon' || spec.source === 'yelp') {
    return [
      { field: 'dataset.sentires', path: spec.sentires },
      { field: 'dataset.reviews', path: spec.reviews },
    ];
  }
  if (spec.source === 'interchange') return [{ field: 'dataset.path', path: spec.path }];
  return [];
}
