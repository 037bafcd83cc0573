/**
 * Study experiments open in MLflow 3's model-training view: tag mlflow.experimentKind =
 * custom_model_development at creation, set on an existing experiment without it when a sweep
 * begins, and a kind a user chose left alone. On the real MLflow server.
 */
import { describe, expect, it } from 'vitest';
import { createRecordActivities } from '../../activities/record.ts';
import type { MlflowClient } from '../../tracking/client.ts';
import { EXPERIMENT_KIND_TAG, getOrCreateStudyExperiment, MODEL_TRAINING_KIND } from '../../tracking/layout.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

let client: MlflowClient;

requireServerForEachTest(() => {
  client = testClient();
});

const kindOf = async (experimentId: string) => (await client.getExperiment(experimentId)).tags[EXPERIMENT_KIND_TAG];

/** beginSweep as the workflow calls it, for a sweep of that study. */
async function beginSweep(study: string): Promise<string> {
  const record = createRecordActivities({ mlflow: client, gitCommit: 'test', backend: 'wasm' });
  const sweepId = uniqueName('kind-sweep');
  const got = await record.beginSweep({ sweepId, study, workflowId: `rexsweep-sweep-${sweepId}` }, {});
  return got.experimentId;
}

describe('mlflow.experimentKind on study experiments', () => {
  it('a study experiment is created with the model-training kind', async () => {
    const id = await getOrCreateStudyExperiment(client, uniqueName('kind-new'));
    expect(await kindOf(id)).toBe(MODEL_TRAINING_KIND);
  });

  it('the first sweep of a study creates its experiment with the kind', async () => {
    const id = await beginSweep(uniqueName('kind-sweep-new'));
    expect(await kindOf(id)).toBe(MODEL_TRAINING_KIND);
  });

  it('an existing experiment without the tag gets it when a sweep begins', async () => {
    const study = uniqueName('kind-old');
    const id = await client.createExperiment(study);
    expect(await kindOf(id)).toBeUndefined();
    expect(await beginSweep(study)).toBe(id);
    expect(await kindOf(id)).toBe(MODEL_TRAINING_KIND);
  });

  it('a deleted experiment without the tag is restored and tagged', async () => {
    const study = uniqueName('kind-deleted');
    const id = await client.createExperiment(study);
    await client.deleteExperiment(id);
    expect(await getOrCreateStudyExperiment(client, study)).toBe(id);
    expect(await kindOf(id)).toBe(MODEL_TRAINING_KIND);
  });

  it('a kind a user set otherwise is left alone', async () => {
    const study = uniqueName('kind-user');
    const id = await client.createExperiment(study, { tags: { [EXPERIMENT_KIND_TAG]: 'genai_development' } });
    expect(await beginSweep(study)).toBe(id);
    expect(await kindOf(id)).toBe('genai_development');
  });
});
