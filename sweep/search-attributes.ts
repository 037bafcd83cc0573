/**
 * The custom search attributes a sweep workflow keeps up to date, so the Temporal UI's workflow
 * list can show and filter sweeps by name, state and counts (`RexsweepState = "paused"`). The
 * local dev server registers them at every start (infra/local/temporal.ts); on another server
 * run `temporal operator search-attribute create --name <name> --type <type>` for each, or
 * sweeps simply go without (rexsweep checks before it asks the workflow to upsert them).
 */
export const REXSWEEP_SEARCH_ATTRIBUTES = {
  RexsweepSweepId: 'Keyword',
  /** The sweep's name (without the fixed-settings hash): finds sweeps whose settings changed. */
  RexsweepName: 'Keyword',
  RexsweepState: 'Keyword',
  RexsweepCellsDone: 'Int',
  RexsweepCellsTotal: 'Int',
  RexsweepCellsFailed: 'Int',
} as const;

export type RexsweepSearchAttribute = keyof typeof REXSWEEP_SEARCH_ATTRIBUTES;
