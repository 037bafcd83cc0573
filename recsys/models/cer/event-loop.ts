/**
 * Long TF.js loops on WASM/CPU run synchronously; awaiting tensor.data() only yields a microtask.
 * Awaiting this between steps lets timers (activity heartbeats, cancellation) run.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
