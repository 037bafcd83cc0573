// Lint that guards the shape of the house (DESIGN.md "Layers"), run by `npm test`:
//  - each layer imports only the layers it may (no-restricted-imports per folder);
//  - workflow code awaits or deliberately voids every promise (no-floating-promises): a dropped
//    promise in a workflow is a command that silently never happens.
// Style is not linted here; tsc checks types.
import tseslint from 'typescript-eslint';

/** `from '../<layer>/…'` at any depth. */
const layer = (name) => [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`, `../${name}`, `../../${name}`];
const TEMPORAL = { group: ['@temporalio/*'], message: 'Temporal belongs to workflows/, activities/, worker/, cli/ and infra/' };

export default tseslint.config(
  { ignores: ['node_modules/**', '**/.bundle/**', 'bench/**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // recsys/: the science. Nothing of the sweep, the tracker, Temporal or the processes around it.
  {
    files: ['recsys/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['sweep', 'tracking', 'workflows', 'activities', 'worker', 'cli', 'infra', 'report'].flatMap(layer), message: 'recsys/ imports nothing above it (DESIGN.md Layers)' },
            TEMPORAL,
          ],
        },
      ],
    },
  },
  // sweep/: the sweep language, pure and deterministic (workflows import it).
  {
    files: ['sweep/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'net', 'node:net'].map((name) => ({ name, message: 'sweep/ is pure: no file, process or network access' })),
          patterns: [{ group: ['tracking', 'workflows', 'activities', 'worker', 'cli', 'infra', 'report'].flatMap(layer), message: 'sweep/ imports only recsys/' }, TEMPORAL],
        },
      ],
    },
  },
  // tracking/: MLflow over REST; no Temporal, no sweep orchestration.
  { files: ['tracking/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['workflows', 'activities', 'worker', 'cli', 'infra', 'report'].flatMap(layer), message: 'tracking/ imports only recsys/ and sweep/' }, TEMPORAL] }] } },
  // report/: reads MLflow, aggregates, draws; no Temporal.
  { files: ['report/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['workflows', 'activities', 'worker', 'cli', 'infra'].flatMap(layer), message: 'report/ imports recsys/, sweep/ and tracking/ only' }, TEMPORAL] }] } },
  // workflows/: deterministic. Activities and recsys by type only; no Node built-ins, no tracker.
  {
    files: ['workflows/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['recsys', 'activities'].flatMap(layer), message: 'workflows/ import activities/ and recsys/ types only (import type …)', allowTypeImports: true },
            { group: ['tracking', 'worker', 'cli', 'infra', 'report'].flatMap(layer), message: 'workflows/ never import these layers (DESIGN.md)' },
            { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'workflow code is deterministic: no Node built-ins, no client/worker/activity SDK' },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  // activities/: adapters; they must not reach up into the worker, the CLI or workflow code.
  { files: ['activities/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['workflows', 'worker', 'cli', 'infra'].flatMap(layer), message: 'activities/ call recsys/, sweep/, tracking/ and report/ only' }] }] } },
  // worker/: no CLI.
  { files: ['worker/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['cli'].flatMap(layer), message: 'worker/ must not import the CLI' }] }] } },
  // bench/: benchmarks may use the library, never a test file.
  { files: ['bench/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['test', 'cli'].flatMap(layer), message: 'bench/ uses the library (client/, not cli/), never test files' }] }] } },
  // The tracker seam (tracking/tracker.ts): these layers take a Tracker; only the composition
  // roots (worker/, cli/, bench/) construct the MLflow client.
  {
    files: ['activities/**/*.ts', 'report/**/*.ts', 'client/**/*.ts', 'sweep/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='MlflowClient']", message: 'take a Tracker (tracking/tracker.ts); construct MlflowClient in worker/, cli/ or bench/' }] },
  },
  // client/: starting, attaching to and following sweeps; the CLI prints, client/ does not import it.
  { files: ['client/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['cli'].flatMap(layer), message: 'client/ must not import the CLI' }] }] } },
);
