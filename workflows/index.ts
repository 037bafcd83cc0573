/** Every workflow the worker registers (the bundler's entry point). */
export { sweepWorkflow, progressQuery } from './sweep.ts';
export { cellWorkflow } from './cell.ts';
