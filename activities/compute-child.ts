/**
 * Entry of a compute attempt's child process (see activities/isolate.ts): runs one of
 * prepareData / trainCell / evaluateCell / runCell with the compute work, its artifact store being calls
 * to the parent's, its heartbeats and previous heartbeat those of the parent's attempt.
 */
import { serveChild, type ChildIo } from './child-host.ts';
import { createComputeWork, type ArtifactStore, type AttemptIo } from './compute-work.ts';
import type { ComputeTask } from './compute-task.ts';

function artifactsVia(io: ChildIo): ArtifactStore {
  return {
    upload: (runId, path, body) => io.call('upload', runId, path, body),
    download: (runId, path) => io.call('download', runId, path),
    list: (runId, dir) => io.call('list', runId, dir),
    findDatasets: (experimentId, key) => io.call('findDatasets', experimentId, key),
    // The parent writes the file (same host, same cache): multi-GB dataset files never cross IPC.
    downloadToFile: (runId, path, localPath) => io.call('downloadToFile', runId, path, localPath),
  };
}

serveChild(async (raw, io) => {
  const task = raw as ComputeTask;
  const work = createComputeWork(task.settings, artifactsVia(io));
  const attempt: AttemptIo = { heartbeat: io.heartbeat, log: io.log, previous: () => task.previous, attemptId: task.attemptId };
  switch (task.op) {
    case 'prepareData':
      return work.prepareData(task.args[0], attempt);
    case 'trainCell':
      return work.trainCell(task.args[0], task.args[1], attempt);
    case 'evaluateCell':
      return work.evaluateCell(task.args[0], attempt);
    case 'runCell':
      return work.runCell(task.args[0], attempt);
  }
});
