/**
 * The sweep's query and update handlers (sweep-control.ts names them). Each update is checked by
 * its validator, so a rejected one leaves no trace in the history, then changes the control state
 * (sweep-state.ts) and answers the new progress; none issues a command: the main loop (sweep.ts)
 * acts on what changed.
 */
import { setHandler } from '@temporalio/workflow';
import { evaluationsGrew, extensionProblems } from '../sweep/extension.ts';
import {
  cancelUpdate,
  configQuery,
  extendUpdate,
  MAX_CONCURRENCY,
  pauseUpdate,
  progressQuery,
  rerunFailedUpdate,
  resumeUpdate,
  setConcurrencyUpdate,
} from './sweep-control.ts';
import type { SweepState } from './sweep-state.ts';

/** `showDetails` refreshes the sweep's line on its Temporal UI page (an extension grows it). */
export function setSweepHandlers(control: SweepState, showDetails: () => void): void {
  const { book } = control;
  const notStopping = () => {
    if (control.stop) throw new Error(`the sweep is stopping (${control.stop.reason})`);
  };

  setHandler(progressQuery, () => control.progress());
  setHandler(configQuery, () => book.sweep);
  setHandler(pauseUpdate, () => control.apply(() => (control.paused = true)), { validator: notStopping });
  setHandler(resumeUpdate, () => control.apply(() => (control.paused = false)), { validator: notStopping });
  setHandler(
    cancelUpdate,
    (req) => control.apply(() => control.requestStop({ reason: req.reason || 'cancelled by the user', inFlight: req.inFlight, outcome: 'cancelled' })),
    {
      validator: (req) => {
        if (req?.inFlight !== 'finish' && req?.inFlight !== 'cancel') throw new Error('inFlight must be "finish" or "cancel"');
      },
    },
  );
  setHandler(setConcurrencyUpdate, (n) => control.apply(() => (control.concurrency = n)), {
    validator: (n) => {
      if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) throw new Error(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${n}`);
    },
  });
  setHandler(extendUpdate, (config) => control.apply(() => (book.extend(config, { reevaluate: evaluationsGrew(book.sweep, config) }), showDetails())), {
    validator: (config) => {
      notStopping();
      const problems = extensionProblems(book.sweep, config);
      if (problems.length > 0) throw new Error(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    },
  });
  setHandler(rerunFailedUpdate, (req) => control.apply(() => book.queueReruns(req.from)), {
    validator: (req) => {
      notStopping();
      if (req?.from !== 'checkpoint' && req?.from !== 'scratch') throw new Error('from must be "checkpoint" or "scratch"');
    },
  });
}
