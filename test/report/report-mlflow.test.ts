/**
 * Reports on the real MLflow server: a finished sweep written through the record activities (the
 * same calls the cell workflow makes, with known metric values), then the report activity, the
 * `rexsweep report` CLI and MLflow's own Python client read it back.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepRef, SweepTracking } from '../../activities/contracts.ts';
import { createRecordActivities } from '../../activities/record.ts';
import { createReportActivities } from '../../activities/report.ts';
import { installPaths } from '../../infra/local/paths.ts';
import { MLFLOW_VERSION, TEMPORAL_CLI_VERSION, resolveConfig } from '../../infra/local/index.ts';
import { buildTable, collectSweep, type AggregateGroup, type AggregateTable } from '../../report/index.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { MlflowClient, TAG } from '../../tracking/index.ts';
import { FIXTURE, FIXTURE_TRAINED, fixtureCells, fixtureRows } from './fixtures.ts';

const mlflowUri = () => {
  const v = process.env.MLFLOW_TRACKING_URI;
  if (!v) throw new Error('MLFLOW_TRACKING_URI is not set: these tests need the real servers of test/setup/servers.ts');
  return v;
};

let dir: string;
let sweepFile: string;
let config: SweepConfig;
let mlflow: MlflowClient;
let sweep: SweepRef;
let tracking: SweepTracking;

const SWEEP_YAML = (study: string) => `
study: ${study}
name: reptest
datasets:
  - { source: synthetic, name: ${FIXTURE.dataset} }
models: [cer, efm]
lambdas: [0, 0.5]
epsilonsD: [0.5, 1]
epsilonsA: [0.5, 1]
seeds: [0, 1, 2]
`;

/** 18 cells FINISHED with the fixture's values, plus one extra run that FAILED (left out of the aggregates). */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-report-'));
  const study = `report-${Date.now()}`;
  sweepFile = join(dir, 'reptest.yaml');
  await writeFile(sweepFile, SWEEP_YAML(study));
  config = parseSweepYaml(SWEEP_YAML(study), sweepFile);
  mlflow = new MlflowClient({ trackingUri: mlflowUri() });
  const record = createRecordActivities({ mlflow, gitCommit: 'test', backend: 'cpu' });
  const id = sweepId(config);
  sweep = { sweepId: id, study, workflowId: `rexsweep-sweep-${id}` };
  tracking = await record.beginSweep(sweep, { name: config.name });
  const trained = FIXTURE_TRAINED;
  for (const cell of expandSweep(config)) {
    const ref = { sweep, tracking, cellKey: cell.key, cell: cell.config, workflowId: `${sweep.workflowId}/cell-${cell.key}` };
    const begun = await record.beginCell(ref);
    await record.finishCell(ref, begun.runId, trained, fixtureRows(cell.model, cell.lambda, cell.epsilonD, cell.seed));
  }
  // A failed cell of another grid point: not in any aggregate.
  const failedCell = expandSweep(parseSweepYaml(SWEEP_YAML(study).replace('seeds: [0, 1, 2]', 'seeds: [9]'), 'other.yaml'))[0];
  const failedRef = { sweep, tracking, cellKey: failedCell.key, cell: failedCell.config, workflowId: 'x' };
  const failed = await record.beginCell(failedRef);
  await record.failCell(failedRef, failed.runId, 'diverged', 'FAILED');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The numbers the fixture defines, computed without MLflow. */
const expected = () => buildTable({ sweepId: sweep.sweepId, study: sweep.study, cells: fixtureCells({ models: ['cer', 'efm'] }) });

function expectSameNumbers(actual: AggregateTable, want: AggregateTable, metrics = ['ndcg5', 'fns', 'f1', 'stability', 'ndcg5_drop', 'fns_drop']): void {
  const key = (g: AggregateGroup) => `${g.dataset}/${g.model}/${g.lambda}/${g.epsilonD}/${g.attack}/${g.epsilonA}`;
  expect(actual.groups.map(key)).toEqual(want.groups.map(key));
  actual.groups.forEach((g, i) => {
    expect(g.seeds).toEqual(want.groups[i].seeds);
    for (const m of metrics) {
      const w = want.groups[i].metrics[m];
      if (!w) continue;
      expect(g.metrics[m].mean, `${key(g)} ${m}`).toBeCloseTo(w.mean, 12);
      expect(g.metrics[m].n).toBe(w.n);
      if (w.sd === null) expect(g.metrics[m].sd).toBeNull();
      else expect(g.metrics[m].sd!, `${key(g)} ${m} sd`).toBeCloseTo(w.sd, 12);
    }
  });
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/rexsweep.mjs', 'report', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MLFLOW_TRACKING_URI: mlflowUri() },
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the report of a finished sweep, on the real MLflow server', () => {
  it('collects one FINISHED run per cell and aggregates them to the hand-computed numbers', async () => {
    const collected = await collectSweep(mlflow, { sweepId: sweep.sweepId, study: sweep.study });
    expect(collected.cells).toHaveLength(18);
    expect(collected.unfinished).toBe(1);
    expectSameNumbers(buildTable(collected), expected());
  });

  it('reads the same curves through the bulk history endpoint and the public per-run one', async () => {
    const bulk = await collectSweep(mlflow, { sweepId: sweep.sweepId, study: sweep.study });
    const one = await collectSweep(mlflow, { sweepId: sweep.sweepId, study: sweep.study }, { publicOnly: true });
    expect(bulk.cells).toEqual(one.cells);
    // small pages of runs/search and small bulk requests: the same cells
    const paged = await collectSweep(mlflow, { sweepId: sweep.sweepId, study: sweep.study }, { pageSize: 5, bulkRuns: 7 });
    expect(paged.cells).toEqual(bulk.cells);
    // bulk answers cut at a tiny cap: those chunks are read again run by run, the same cells
    const capped = await collectSweep(mlflow, { sweepId: sweep.sweepId, study: sweep.study }, { bulkResults: 3 });
    expect(capped.cells).toEqual(bulk.cells);
    expect(paged.unfinished).toBe(1);
    // 18 cells × (clean + 2 attacks × 2 ε_A)
    expect(bulk.cells.reduce((s, c) => s + c.evaluations.length, 0)).toBe(18 * 5);
  });

  it('aggregateSweep logs metrics, CSV/JSON, figures and HTML on the parent run', async () => {
    const report = createReportActivities({ mlflow });
    expect(await report.aggregateSweep({ sweep, tracking, final: true })).toEqual({ groups: 2 * 3 * 5, cells: 18 });

    const parent = await mlflow.getRun(tracking.parentRunId);
    const latest = new Map(parent.data.metrics.map((m) => [m.key, m]));
    expect(latest.get('toy/cer/vanilla/eval.clean.ndcg5.mean')!.value).toBeCloseTo(0.31, 12);
    expect(latest.get('toy/cer/vanilla/eval.clean.ndcg5.sd')!.value).toBeCloseTo(0.01, 12);
    // latest = highest step = ε_A 1: vanilla efm under FGSM, 0.4 − 0.2 + 0.01 on average
    expect(latest.get('toy/efm/vanilla/eval.fgsm.ndcg5.mean')).toMatchObject({ step: 100 });
    expect(latest.get('toy/efm/vanilla/eval.fgsm.ndcg5.mean')!.value).toBeCloseTo(0.21, 12);
    expect(latest.get('toy/cer/l0.5_e1/eval.fgsm.n')!.value).toBe(3);

    const files = (await mlflow.listArtifacts(tracking.parentRunId, 'report')).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['report/aggregates.json', 'report/aggregates.csv', 'report/comparisons.csv', 'report/report.html', 'report/figures']));
    // the paired comparisons as metrics: λ 0.5 ε_D 1 loses 0.1 of NDCG@5 under FGSM at ε_A 1, vanilla 0.2
    expect(latest.get('toy/cer/l0.5_e1/vs_vanilla.fgsm.ndcg5_drop.diff')).toMatchObject({ step: 100 });
    expect(latest.get('toy/cer/l0.5_e1/vs_vanilla.fgsm.ndcg5_drop.diff')!.value).toBeCloseTo(-0.1, 12);
    expect(latest.get('toy/cer/l0.5_e1/vs_vanilla.fgsm.ndcg5_drop.supported')!.value).toBe(1);
    // FGSM drop − random drop, vanilla at ε_A 1: 0.2 − 0.05
    expect(latest.get('toy/efm/vanilla/fgsm_vs_random.ndcg5_drop.diff')!.value).toBeCloseTo(0.15, 12);
    const figures = (await mlflow.listArtifacts(tracking.parentRunId, 'report/figures')).map((f) => f.path);
    expect(figures).toContain('report/figures/curve-toy-cer-fgsm-ndcg5.png');
    expect(figures).toContain('report/figures/heatmap-toy-efm-fgsm-fns_drop.svg');
    expect(figures.filter((f) => f.endsWith('.png'))).toHaveLength(16);

    const logged = JSON.parse((await mlflow.downloadArtifact(tracking.parentRunId, 'report/aggregates.json')).toString('utf8')) as AggregateTable;
    expectSameNumbers(logged, expected());
    const html = (await mlflow.downloadArtifact(tracking.parentRunId, 'report/report.html')).toString('utf8');
    expect(html.match(/<table class="results"/g)).toHaveLength(2);
    expect(html.match(/<table class="comparisons"/g)).toHaveLength(2);
    expect(logged.comparisons).toEqual(expected().comparisons.map((c) => expect.objectContaining({ kind: c.kind, model: c.model, metric: c.metric, a: c.a, n: c.n })));
    expect(html.match(/<figure /g)).toHaveLength(16);
  });

  it('aggregating again adds no metric points when nothing changed', async () => {
    const key = 'toy/cer/vanilla/eval.fgsm.ndcg5.mean';
    const before = await mlflow.getMetricHistory(tracking.parentRunId, key);
    expect(before.map((p) => p.step).sort((a, b) => a - b)).toEqual([0, 50, 100]);
    await createReportActivities({ mlflow }).aggregateSweep({ sweep, tracking, final: false });
    expect(await mlflow.getMetricHistory(tracking.parentRunId, key)).toHaveLength(3);
  });

  it('`rexsweep report --json` recomputes the same numbers from MLflow (by sweep file and by sweep id)', async () => {
    const logged = JSON.parse((await mlflow.downloadArtifact(tracking.parentRunId, 'report/aggregates.json')).toString('utf8')) as AggregateTable;
    const byFile = cli([sweepFile, '--json']);
    expect(byFile.status, byFile.stderr).toBe(0);
    expect(JSON.parse(byFile.stdout)).toEqual(logged); // identical, not just close
    const byId = cli([sweep.sweepId, '--json']);
    expect(byId.status, byId.stderr).toBe(0);
    expect(JSON.parse(byId.stdout)).toEqual(logged);
  });

  it('`rexsweep report` prints the paper-shaped table; --csv; --out writes the HTML report', async () => {
    const table = cli([sweepFile]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain('FGSM ε_A = 1');
    expect(table.stdout).toMatch(/toy +cer +vanilla +│ 0\.310±0\.010 .*│ 0\.110±0\.010/);
    expect(table.stdout.split('\n').filter((l) => /^toy /.test(l))).toHaveLength(6);
    expect(table.stderr).toContain('1 cell run(s) not FINISHED are left out');
    expect(table.stdout).toMatch(/\n {2}NDCG@5 drop +λ=0\.5 ε_D=1 vs vanilla · fgsm ε_A=1 +-0\.100 /);

    const csv = cli([sweepFile, '--csv']);
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(1 + 30);

    const out = join(dir, 'out');
    const written = cli([sweepFile, '--out', out, '--no-log']);
    expect(written.status, written.stderr).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect((await readdir(join(out, 'figures'))).filter((f) => f.endsWith('.svg'))).toHaveLength(16);
    expect(await readFile(join(out, 'aggregates.csv'), 'utf8')).toBe(csv.stdout);
    const comparisonsCsv = cli([sweepFile, '--comparisons', '--csv']);
    expect(comparisonsCsv.status, comparisonsCsv.stderr).toBe(0);
    expect(await readFile(join(out, 'comparisons.csv'), 'utf8')).toBe(comparisonsCsv.stdout);
    expect(comparisonsCsv.stdout.trimEnd().split('\n')).toHaveLength(1 + expected().comparisons.length);

    const bad = cli(['no-such-sweep-00000000']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/no MLflow run of sweep no-such-sweep-00000000/);
  });

  it("MLflow's own Python client sees the parent run, the children with sweep params, and the aggregates", () => {
    const config = resolveConfig(process.env);
    const python = join(installPaths(config.cacheDir, TEMPORAL_CLI_VERSION, MLFLOW_VERSION).mlflowVenv, 'bin', 'python');
    const script = `
import json, sys, mlflow
runs = mlflow.search_runs(experiment_names=[sys.argv[1]], output_format="list", max_results=1000)
parents = [r for r in runs if r.data.tags.get("rexsweep.kind") == "sweep"]
children = mlflow.search_runs(experiment_names=[sys.argv[1]], output_format="list",
    filter_string="params.\`sweep.id\` = '%s' and attributes.status = 'FINISHED'" % sys.argv[2])
client = mlflow.MlflowClient()
curve = client.get_metric_history(parents[0].info.run_id, "toy/cer/l0.5_e0.5/eval.fgsm.fns.mean")
print(json.dumps({
  "parents": len(parents),
  "children": len(children),
  "parent_of_children": sorted({c.data.tags.get("mlflow.parentRunId") for c in children}),
  "studies": sorted({c.data.params.get("sweep.study") for c in children}),
  "names": sorted(c.info.run_name for c in children)[:2],
  "clean_mean": parents[0].data.metrics["toy/cer/vanilla/eval.clean.fns.mean"],
  "curve": sorted([p.step, p.value] for p in curve),
}))
`;
    const r = spawnSync(python, ['-c', script, sweep.study, sweep.sweepId], { encoding: 'utf8', env: { ...process.env, MLFLOW_TRACKING_URI: mlflowUri() }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(got.parents).toBe(1);
    expect(got.children).toBe(18);
    expect(got.parent_of_children).toEqual([tracking.parentRunId]);
    expect(got.studies).toEqual([sweep.study]);
    expect(got.names).toEqual(['cer·toy·vanilla·s0', 'cer·toy·vanilla·s1']);
    expect(got.clean_mean as number).toBeCloseTo(0.52, 12); // clean fns 0.50, 0.52, 0.54 over seeds
    // fns under FGSM for λ 0.5 ε_D 0.5 (drop 0.15): 0.5 − 0.3·ε_A + 0.02 (mean of seed/50)
    const curve = got.curve as Array<[number, number]>;
    expect(curve.map(([s]) => s)).toEqual([0, 50, 100]);
    expect(curve[1][1]).toBeCloseTo(0.52 - 0.15, 12);
    expect(curve[2][1]).toBeCloseTo(0.52 - 0.3, 12);
  });

  it('cell runs carry the sweep-level params for MLflow filters', async () => {
    const runs = await mlflow.searchAllRuns({
      experimentIds: [tracking.experimentId],
      filter: `params.\`sweep.id\` = '${sweep.sweepId}' AND params.model = 'efm' AND params.lambda = '0.5'`,
    });
    expect(runs).toHaveLength(2 * 3); // 2 ε_D × 3 seeds
    expect(runs.every((r) => r.data.tags[TAG.kind] === 'cell' && r.data.params['sweep.study'] === sweep.study)).toBe(true);
  });
});
