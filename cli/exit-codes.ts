/** Exit codes: scripts and the sweep tooling rely on them. */
export const EXIT = {
  ok: 0,
  /** The run itself failed (diverged, infeasible, crashed). */
  failed: 1,
  /** Bad input: a config or data file the user must fix. Nothing was started. */
  badInput: 2,
} as const;
