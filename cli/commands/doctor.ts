/**
 * `rexsweep doctor [--backend B] [--json]`: which TF.js backend a worker here would use, on which
 * device, and why: every candidate in order with the reason it was skipped, then whether each of
 * the others works, the state of `rexsweep setup native` and `setup native --gpu`, and which CUDA
 * device TensorFlow's GPU build sees, or exactly why none.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseBackendOption } from '../options.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface CandidateLine {
  name: string;
  status: 'chosen' | 'skipped' | 'works' | 'unavailable';
  detail: string;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('which TF.js backend a worker would use here, on which device, and why')
    .option('--backend <name>', 'what the worker would be asked for (default: auto, or REXSWEEP_BACKEND)', 'auto')
    .option('--json', 'print one JSON object')
    .action(async (opts: { backend: string; json?: boolean }) => {
      const configured = parseBackendOption(opts.backend);
      const { BACKEND_ORDER, probeBackends, requestedBackend, selectBackend } = await import('../../recsys/backend.ts');
      const requested = requestedBackend(configured);
      const lines: CandidateLine[] = [];
      let chosen: Awaited<ReturnType<typeof selectBackend>> | undefined;
      let failure: string | undefined;
      try {
        chosen = await selectBackend(requested);
        for (const s of chosen.skipped) lines.push({ name: s.name, status: 'skipped', detail: s.reason });
        lines.push({ name: chosen.name, status: 'chosen', detail: chosen.device });
      } catch (err) {
        failure = (err as Error).message;
      }
      // The candidates after the chosen one were not tried: say whether they would work.
      const seen = new Set(lines.map((l) => l.name));
      for (const p of await probeBackends()) {
        if (seen.has(p.name) || !BACKEND_ORDER.includes(p.name)) continue;
        const software = p.name === 'webgpu' && p.ok && p.detail.includes('software rasteriser');
        const detail = software ? `${p.detail}; auto passes over software adapters (REXSWEEP_BACKEND=webgpu forces it)` : p.detail;
        lines.push({ name: p.name, status: p.ok ? 'works' : 'unavailable', detail });
      }
      const { buildState, describeBuildState, gpuView } = await import('../../infra/native/index.ts');
      const native = describeBuildState(await buildState(REPO_ROOT, 'cpu'));
      const { state: gpuState, view: cuda } = await gpuView(REPO_ROOT);
      const nativeGpu = describeBuildState(gpuState);
      const report = { requested, chosen: chosen && { name: chosen.name, device: chosen.device }, failure, candidates: lines, native, nativeGpu, cuda };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const out: string[] = [];
        out.push(chosen ? `a worker here uses: ${chosen.name} on ${chosen.device} (requested: ${requested})` : `no usable backend for '${requested}': ${failure}`);
        out.push('candidates, in order of preference:');
        for (const l of lines) out.push(`  ${l.name.padEnd(15)} ${l.status.padEnd(12)} ${l.detail}`);
        out.push(`native setup (rexsweep setup native): ${native}`);
        out.push(`GPU build (rexsweep setup native --gpu): ${nativeGpu}`);
        out.push(cuda.devices.length ? `CUDA device TensorFlow sees: ${cuda.devices.join(', ')}` : `CUDA device TensorFlow sees: none — ${cuda.why}`);
        if (cuda.note) out.push(`  note: ${cuda.note}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      // Dawn's binding (WebGPU) keeps the event loop alive while its objects live.
      process.exit(chosen ? 0 : 1);
    });
}
