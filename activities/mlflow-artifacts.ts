/** The compute activities' artifact store on MLflow: the worker's and the tests' one wiring. */
import { findPublishedDatasets, type Tracker } from '../tracking/index.ts';
import type { ArtifactStore } from './compute-work.ts';

export function mlflowArtifactStore(mlflow: Tracker): ArtifactStore {
  return {
    upload: (runId, path, body) => mlflow.uploadArtifact(runId, path, body),
    download: (runId, path) => mlflow.downloadArtifact(runId, path),
    list: async (runId, dir) => (await mlflow.listArtifacts(runId, dir)).filter((f) => !f.isDir).map((f) => f.path),
    findDatasets: (experimentId, key) => findPublishedDatasets(mlflow, experimentId, key),
    downloadToFile: (runId, path, localPath) => mlflow.downloadArtifactToFile(runId, path, localPath),
  };
}
