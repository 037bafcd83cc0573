/**
 * The team deployment files (infra/team/deploy/) offline: compose.yaml against the Compose spec
 * (PyPI check-jsonschema), every Kubernetes manifest against the 1.33 schemas with unknown
 * fields rejected (PyPI kubernetes-validate), each validator shown to reject a broken copy, and
 * consistency with rexsweep's code: GPU counts, the environment names the code reads, pinned
 * images, no committed secret, MLflow's flags, what binds where, the search attributes.
 * Nothing here runs Docker or kubectl. The validators install once into the cache; if they
 * cannot be installed the tests fail, never skip.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ensureDeployValidators, validateCompose, validateKubernetes, type DeployValidators } from '../../infra/team/validators.ts';
import { REXSWEEP_SEARCH_ATTRIBUTES } from '../../sweep/search-attributes.ts';
import { mlflowPoolEnv } from '../../infra/local/mlflow-pool.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const DEPLOY = join(ROOT, 'infra/team/deploy');
const K8S = join(DEPLOY, 'k8s');
const read = (p: string) => readFileSync(join(DEPLOY, p), 'utf8');

/** Machines in the team's setup: compose.yaml runs its GPU workers once on each. */
const GPU_MACHINES = 2;
const GPUS_PER_MACHINE = 4;
const TOTAL_GPU_WORKERS = 8;

/** Files in k8s/ that are not Kubernetes manifests. */
const NOT_MANIFESTS = new Set(['kustomization.yaml', 'temporal-helm-values.yaml']);
const MANIFESTS = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && !NOT_MANIFESTS.has(f)).sort();

type Obj = Record<string, any>;
const composeDoc = (): Obj => parse(read('compose.yaml'), { merge: true }) as Obj;
const k8sDocs = (): Obj[] =>
  MANIFESTS.flatMap((f) => parseAllDocuments(read(`k8s/${f}`), { merge: true }).map((d) => d.toJS() as Obj).filter(Boolean).map((d) => ({ ...d, __file: f })));

/** `${VAR:-default}` → default, as Compose does when VAR is unset. */
const withDefaults = (s: string) => s.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

// --- What rexsweep's code reads -------------------------------------------------------------

/** Files whose environment names a worker container may set. */
const ENV_SOURCES = ['worker/temporal-connection.ts', 'tracking/auth.ts', 'infra/local/config.ts', 'worker/worker-identity.ts', 'client/git-commit.ts'];
/** Read by the container runtime, not by rexsweep. */
const RUNTIME_ENV = new Set(['NVIDIA_DRIVER_CAPABILITIES']);

function namesTheCodeReads(): Set<string> {
  const names = new Set<string>();
  for (const file of ENV_SOURCES) {
    const src = readFileSync(join(ROOT, file), 'utf8');
    for (const m of src.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]);
    for (const m of src.matchAll(/['"]((?:TEMPORAL|MLFLOW|REXSWEEP)_[A-Z0-9_]+)['"]/g)) names.add(m[1]);
  }
  return names;
}

// --- Checks, as functions, so that each can be shown to catch a broken copy ------------------

function isGpuWorkerCommand(cmd: unknown): boolean {
  const args = Array.isArray(cmd) ? cmd.map(String) : [];
  const i = args.indexOf('--roles');
  return args[0] === 'worker' && i >= 0 && args[i + 1].split(',').includes('gpu');
}

/** compose.yaml: one GPU per GPU worker, device ids 0..3, 4 per machine × 2 machines = 8. */
export function composeGpuProblems(doc: Obj): string[] {
  const problems: string[] = [];
  const services = Object.entries(doc.services as Obj);
  const gpu = services.filter(([, s]) => isGpuWorkerCommand(s.command));
  const ids: string[] = [];
  for (const [name, s] of gpu) {
    const devices = s.deploy?.resources?.reservations?.devices ?? [];
    if (devices.length !== 1) problems.push(`${name}: ${devices.length} device reservations, want 1`);
    for (const d of devices) {
      if (d.driver !== 'nvidia' || !d.capabilities?.includes('gpu')) problems.push(`${name}: not an nvidia gpu reservation`);
      if (d.count !== undefined) problems.push(`${name}: count instead of device_ids`);
      if (!Array.isArray(d.device_ids) || d.device_ids.length !== 1) problems.push(`${name}: device_ids ${JSON.stringify(d.device_ids)}, want exactly one`);
      else ids.push(String(d.device_ids[0]));
    }
  }
  if (gpu.length !== GPUS_PER_MACHINE) problems.push(`${gpu.length} GPU worker services, want ${GPUS_PER_MACHINE}`);
  if ([...ids].sort().join() !== '0,1,2,3') problems.push(`device ids ${ids.join()}, want 0,1,2,3 once each`);
  if (gpu.length * GPU_MACHINES !== TOTAL_GPU_WORKERS) problems.push(`${gpu.length} × ${GPU_MACHINES} machines ≠ ${TOTAL_GPU_WORKERS}`);
  for (const [name, s] of services) {
    if (!isGpuWorkerCommand(s.command) && s.deploy?.resources?.reservations?.devices) problems.push(`${name}: reserves a device but is not a GPU worker`);
  }
  return problems;
}

function podSpec(d: Obj): Obj | undefined {
  return d.spec?.template?.spec ?? d.spec?.jobTemplate?.spec?.template?.spec;
}

/** k8s: every container asking for GPUs asks for exactly 1; the GPU workers' replicas sum to 8. */
export function k8sGpuProblems(docs: Obj[]): string[] {
  const problems: string[] = [];
  let gpuReplicas = 0;
  for (const d of docs) {
    const spec = podSpec(d);
    if (!spec) continue;
    const containers: Obj[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
    const gpus = containers.map((c) => c.resources?.limits?.['nvidia.com/gpu']).filter((g) => g !== undefined);
    const isGpuWorker = containers.some((c) => isGpuWorkerCommand(c.args));
    if (isGpuWorker) {
      if (gpus.length !== 1 || Number(gpus[0]) !== 1) problems.push(`${d.metadata.name}: nvidia.com/gpu ${JSON.stringify(gpus)}, want one container with 1`);
      gpuReplicas += d.spec.replicas ?? 1;
    } else if (gpus.length > 0) problems.push(`${d.metadata.name}: asks for a GPU but is not a GPU worker`);
  }
  if (gpuReplicas !== TOTAL_GPU_WORKERS) problems.push(`GPU worker replicas ${gpuReplicas}, want ${TOTAL_GPU_WORKERS}`);
  return problems;
}

/** An image reference with an explicit tag (or digest) that is not `latest`. */
export function imageProblem(ref: string): string | undefined {
  const image = withDefaults(ref);
  if (image.includes('@sha256:')) return undefined;
  const tag = /:([\w][\w.-]*)$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  if (!tag) return `${image}: no tag`;
  if (tag === 'latest') return `${image}: latest`;
  return undefined;
}

/** Secret-looking names must carry a placeholder (or a file path), never a value. */
const SECRET_NAME = /(PASSWORD|PASSWD|PWD|SECRET|TOKEN|ACCESS_KEY|API_KEY|_KEY$|^tls\.key$|^password$)/i;
export function secretValueProblem(name: string, value: unknown): string | undefined {
  if (!SECRET_NAME.test(name)) return undefined;
  const v = String(value ?? '');
  if (v === '' || v.startsWith('CHANGE_ME') || v.startsWith('/')) return undefined;
  return `${name} carries a value`;
}

// --- Tests ----------------------------------------------------------------------------------

let validators: DeployValidators;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rexsweep-deploy-files-'));
  // Throws (every test below then fails) when PyPI or Python is missing: never a skip.
  validators = await ensureDeployValidators({ log: (l) => process.stderr.write(l + '\n') });
}, 15 * 60_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('compose.yaml against the Compose spec (check-jsonschema --builtin-schema vendor.compose-spec)', () => {
  it('validates', async () => {
    const r = await validateCompose(validators, join(DEPLOY, 'compose.yaml'));
    expect(r.output).toContain('ok -- validation done');
    expect(r.ok, r.output).toBe(true);
  });

  it('rejects a broken copy (so the validator really runs)', async () => {
    const broken = read('compose.yaml').replace('\n  postgres:\n', '\n  postgres:\n    not_a_compose_key: true\n');
    expect(broken).not.toBe(read('compose.yaml'));
    const file = join(tmp, 'compose.yaml');
    await writeFile(file, broken);
    const r = await validateCompose(validators, file);
    expect(r.ok).toBe(false);
    expect(r.output).toContain('not_a_compose_key');
  });
});

describe(`Kubernetes manifests (kubernetes-validate -k 1.33.0 --strict)`, () => {
  it('finds the manifests', () => {
    expect(MANIFESTS).toEqual(
      expect.arrayContaining(['namespace.yaml', 'secrets.example.yaml', 'configmaps.yaml', 'postgres.yaml', 's3.yaml', 'mlflow.yaml', 'workers.yaml', 'temporal-namespace-job.yaml']),
    );
  });

  it('every manifest validates', async () => {
    const r = await validateKubernetes(validators, MANIFESTS.map((f) => join(K8S, f)));
    expect(r.ok, r.output).toBe(true);
    for (const f of MANIFESTS) expect(r.output).toContain(`${f} passed`);
    expect(r.output).not.toMatch(/ERROR|did not validate/);
  });

  it('rejects an unknown field and a wrong type in broken copies', async () => {
    const unknown = join(tmp, 'unknown-field.yaml');
    await writeFile(unknown, read('k8s/workers.yaml').replace('      terminationGracePeriodSeconds: 60\n', '      terminationGracePeriodSeconds: 60\n      gpuCount: 1\n'));
    const r1 = await validateKubernetes(validators, [unknown]);
    expect(r1.ok).toBe(false);
    expect(r1.output).toContain("'gpuCount' was unexpected");

    const wrongType = join(tmp, 'wrong-type.yaml');
    await writeFile(wrongType, read('k8s/workers.yaml').replace('  replicas: 8\n', '  replicas: eight\n'));
    const r2 = await validateKubernetes(validators, [wrongType]);
    expect(r2.ok).toBe(false);
    expect(r2.output).toContain('did not validate');
  });

  it('kustomization.yaml lists every manifest but the example Secrets, and pins its images', () => {
    const k = parse(read('k8s/kustomization.yaml')) as Obj;
    expect([...k.resources].sort()).toEqual(MANIFESTS.filter((f) => f !== 'secrets.example.yaml'));
    for (const img of k.images) expect(imageProblem(`${img.name}:${img.newTag}`)).toBeUndefined();
  });
});

describe('consistency with rexsweep', () => {
  it('GPU workers: one NVIDIA GPU each, 8 in all (compose: 4 per machine, device ids 0..3; k8s: 8 replicas)', () => {
    expect(composeGpuProblems(composeDoc())).toEqual([]);
    expect(k8sGpuProblems(k8sDocs())).toEqual([]);
  });

  it('the GPU checks catch a worker with two GPUs, a missing worker and 7 replicas', () => {
    const doc = composeDoc();
    doc.services['gpu-worker-1'].deploy.resources.reservations.devices[0].device_ids = ['1', '2'];
    expect(composeGpuProblems(doc).join('\n')).toMatch(/gpu-worker-1: device_ids/);
    const fewer = composeDoc();
    delete fewer.services['gpu-worker-3'];
    expect(composeGpuProblems(fewer).join('\n')).toMatch(/3 GPU worker services/);
    const docs = k8sDocs();
    docs.find((d) => d.metadata?.name === 'rexsweep-gpu-worker')!.spec.replicas = 7;
    expect(k8sGpuProblems(docs).join('\n')).toMatch(/replicas 7/);
    const two = k8sDocs();
    two.find((d) => d.metadata?.name === 'rexsweep-gpu-worker')!.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 2;
    expect(k8sGpuProblems(two).join('\n')).toMatch(/nvidia.com\/gpu \[2\]/);
  });

  it('a workflow worker exists in both, without a GPU', () => {
    const compose = composeDoc();
    const wf = Object.values(compose.services as Obj).filter((s) => JSON.stringify(s.command) === JSON.stringify(['worker', '--roles', 'workflow']));
    expect(wf).toHaveLength(1);
    expect(wf[0].deploy).toBeUndefined();
    const k8s = k8sDocs().filter((d) => podSpec(d)?.containers?.some((c: Obj) => JSON.stringify(c.args) === JSON.stringify(['worker', '--roles', 'workflow'])));
    expect(k8s).toHaveLength(1);
  });

  it('workers set only environment names rexsweep reads, and all the ones the team stack needs', () => {
    const known = namesTheCodeReads();
    // The code really does read these (a sanity check on the grep itself).
    for (const n of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_SERVER_NAME', 'MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD']) {
      expect(known, n).toContain(n);
    }
    const required = ['TEMPORAL_ADDRESS', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_SERVER_NAME', 'MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'];

    // compose: environment + env_file (its .example) of every rexsweep worker service.
    const compose = composeDoc();
    const workerServices = Object.entries(compose.services as Obj).filter(([, s]) => Array.isArray(s.command) && s.command[0] === 'worker');
    expect(workerServices).toHaveLength(5);
    for (const [name, s] of workerServices) {
      const names = new Set<string>(Object.keys(s.environment ?? {}));
      for (const f of s.env_file ?? []) {
        for (const line of read(`${f.path ?? f}.example`).split('\n')) {
          const m = /^([A-Z][A-Z0-9_]*)=/.exec(line);
          if (m) names.add(m[1]);
        }
      }
      for (const n of names) expect(known.has(n) || RUNTIME_ENV.has(n), `${name} sets ${n}, which rexsweep does not read`).toBe(true);
      for (const n of required) expect(names, `${name} lacks ${n}`).toContain(n);
      // Each TLS file it names is a secret mounted into that service.
      for (const n of ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']) {
        const path = String(s.environment[n]);
        expect(path.startsWith('/run/secrets/'), `${name} ${n}=${path}`).toBe(true);
        expect(s.secrets, `${name} mounts ${path}`).toContain(path.slice('/run/secrets/'.length));
      }
    }

    // k8s: the worker pods' env, envFrom ConfigMaps and Secrets (their example shapes).
    const docs = k8sDocs();
    const byKindName = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
    const workers = docs.filter((d) => podSpec(d)?.containers?.some((c: Obj) => Array.isArray(c.args) && c.args[0] === 'worker'));
    expect(workers).toHaveLength(2);
    for (const w of workers) {
      const spec = podSpec(w)!;
      for (const c of spec.containers as Obj[]) {
        const names = new Set<string>((c.env ?? []).map((e: Obj) => e.name));
        const values = new Map<string, string>();
        for (const from of c.envFrom ?? []) {
          const src = from.configMapRef ? byKindName('ConfigMap', from.configMapRef.name) : byKindName('Secret', from.secretRef.name);
          expect(src, JSON.stringify(from)).toBeDefined();
          for (const [k, v] of Object.entries({ ...src!.data, ...src!.stringData })) {
            names.add(k);
            values.set(k, String(v));
          }
        }
        for (const n of names) expect(known.has(n) || RUNTIME_ENV.has(n), `${w.metadata.name} sets ${n}, which rexsweep does not read`).toBe(true);
        for (const n of required) expect(names, `${w.metadata.name} lacks ${n}`).toContain(n);
        // The TLS files lie in the mounted client-certificate Secret.
        const tlsMount = (c.volumeMounts as Obj[]).find((m) => spec.volumes.find((v: Obj) => v.name === m.name)?.secret?.secretName === 'temporal-client-tls');
        expect(tlsMount).toBeDefined();
        for (const [n, file] of [['TEMPORAL_TLS_CA', 'ca.crt'], ['TEMPORAL_TLS_CERT', 'tls.crt'], ['TEMPORAL_TLS_KEY', 'tls.key']]) {
          expect(values.get(n)).toBe(`${tlsMount!.mountPath}/${file}`);
        }
      }
    }
  });

  it('every image is pinned (no :latest, no missing tag): compose, k8s, Helm values, Dockerfiles', () => {
    const refs: string[] = [];
    for (const s of Object.values(composeDoc().services as Obj)) refs.push(s.image);
    for (const d of k8sDocs()) {
      const spec = podSpec(d);
      for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) refs.push(c.image);
    }
    const helm = parse(read('k8s/temporal-helm-values.yaml')) as Obj;
    for (const part of [helm.server, helm.admintools, helm.web]) refs.push(`${part.image.repository}:${part.image.tag}`);
    for (const f of ['Dockerfile', 'mlflow.Dockerfile']) {
      for (const m of read(f).matchAll(/^FROM\s+(\S+)/gm)) refs.push(m[1]);
    }
    expect(refs.length).toBeGreaterThan(15);
    expect(refs.map(imageProblem).filter(Boolean)).toEqual([]);
    expect(imageProblem('temporalio/ui:latest')).toBeDefined();
    expect(imageProblem('postgres')).toBeDefined();
    // Temporal's server and admin tools are the same release everywhere.
    const tags = refs.filter((r) => /temporalio\/(server|admin-tools):/.test(r)).map((r) => r.split(':')[1]);
    expect(new Set(tags)).toEqual(new Set(['1.32.1']));
  });

  it('no secret is committed: only *.example env files, placeholder Secrets, no keys, .gitignore covers the real ones', () => {
    const gitignore = read('.gitignore');
    for (const p of ['env/*.env', 'certs/', 'k8s/secrets.yaml']) expect(gitignore).toContain(p);
    const files = readdirSync(DEPLOY, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(DEPLOY.length + 1))
      .filter((f) => !/^env\/[^/]+\.env$/.test(f) && !f.startsWith('certs/') && f !== 'k8s/secrets.yaml');
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      const text = read(f);
      expect(text, f).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, f).not.toMatch(/-----BEGIN CERTIFICATE-----\s*\n[A-Za-z0-9+/]{40,}/);
    }
    const envFiles = files.filter((f) => f.startsWith('env/'));
    expect(envFiles.every((f) => f.endsWith('.env.example'))).toBe(true);
    expect(envFiles.length).toBe(5);
    const problems: string[] = [];
    for (const f of envFiles) {
      for (const line of read(f).split('\n')) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (m) { const p = secretValueProblem(m[1], m[2]); if (p) problems.push(`${f}: ${p}`); }
      }
    }
    for (const d of k8sDocs()) {
      if (d.kind === 'Secret') {
        expect(d.__file).toBe('secrets.example.yaml');
        for (const [k, v] of Object.entries({ ...d.data, ...d.stringData })) {
          const p = secretValueProblem(k, v);
          if (p) problems.push(`${d.__file} ${d.metadata.name}: ${p}`);
        }
      }
      for (const c of [...(podSpec(d)?.containers ?? []), ...(podSpec(d)?.initContainers ?? [])]) {
        for (const e of c.env ?? []) { const p = secretValueProblem(e.name, e.value); if (p) problems.push(`${d.__file} ${c.name}: ${p}`); }
      }
      if (d.kind === 'ConfigMap') {
        for (const [k, v] of Object.entries(d.data ?? {})) { const p = secretValueProblem(k, v); if (p) problems.push(`${d.__file} ${d.metadata.name}: ${p}`); }
      }
    }
    for (const [name, s] of Object.entries(composeDoc().services as Obj)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) { const p = secretValueProblem(k, v); if (p) problems.push(`compose ${name}: ${p}`); }
    }
    const helm = read('k8s/temporal-helm-values.yaml');
    expect(helm).not.toMatch(/^\s*password:/m);
    expect(problems).toEqual([]);
    // The check itself catches a value.
    expect(secretValueProblem('MLFLOW_TRACKING_PASSWORD', 'hunter2')).toBeDefined();
    expect(secretValueProblem('TEMPORAL_TLS_KEY', '/run/secrets/temporal_client.key')).toBeUndefined();
  });

  it('MLflow: PostgreSQL store without a password in the URI, S3 artifacts served by MLflow, basic-auth, allowed hosts; EDIT by default', () => {
    const compose = composeDoc().services.mlflow.command as string[];
    const k8s = (k8sDocs().find((d) => d.kind === 'Deployment' && d.metadata.name === 'mlflow')!.spec.template.spec.containers[0].command) as string[];
    for (const cmd of [compose, k8s]) {
      expect(cmd.slice(0, 2)).toEqual(['mlflow', 'server']);
      const arg = (flag: string) => cmd[cmd.indexOf(flag) + 1];
      expect(cmd).toContain('--serve-artifacts');
      expect(arg('--app-name')).toBe('basic-auth');
      expect(arg('--backend-store-uri')).toMatch(/^postgresql\+psycopg2:\/\/mlflow@postgres:5432\/mlflow$/);
      expect(arg('--artifacts-destination')).toMatch(/^s3:\/\/mlflow\//);
      expect(arg('--allowed-hosts')).toContain('localhost:5000');
    }
    const ini = read('mlflow/basic_auth.ini');
    expect(ini).toMatch(/^default_permission = EDIT$/m);
    expect(ini).toMatch(/^database_uri = postgresql\+psycopg2:\/\/mlflow@postgres:5432\/mlflow_auth$/m);
    expect(ini).not.toMatch(/^admin_password/m);
    expect(composeDoc().services.mlflow.environment.MLFLOW_AUTH_CONFIG_PATH).toBe('/etc/mlflow/basic_auth.ini');
    // The pool that cannot deadlock, as `rexsweep team up` starts MLflow.
    const k8sEnv = Object.fromEntries(
      (k8sDocs().find((d) => d.kind === 'Deployment' && d.metadata.name === 'mlflow')!.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
    );
    for (const [name, value] of Object.entries(mlflowPoolEnv())) {
      expect(composeDoc().services.mlflow.environment[name], `compose ${name}`).toBe(value);
      expect(k8sEnv[name], `k8s ${name}`).toBe(value);
    }
    // The four databases the init script creates are the ones the servers use.
    const init = read('postgres/init-databases.sh');
    for (const db of ['temporal', 'temporal_visibility', 'mlflow', 'mlflow_auth']) expect(init).toMatch(new RegExp(`CREATE DATABASE ${db} OWNER`));
  });

  it('services bind as intended: database and S3 internal, UI on loopback, Temporal (mTLS) and MLflow (auth) published', () => {
    const services = composeDoc().services as Obj;
    const published = Object.fromEntries(Object.entries(services).filter(([, s]) => s.ports).map(([n, s]) => [n, s.ports.map(String)]));
    expect(published).toEqual({ temporal: ['0.0.0.0:7233:7233'], 'temporal-ui': ['127.0.0.1:8080:8080'], mlflow: ['0.0.0.0:5000:5000'] });
    const t = services.temporal.environment;
    expect(t.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH).toBe('true');
    expect(t.TEMPORAL_TLS_FRONTEND_CERT).toBeTruthy();
    expect(t.TEMPORAL_TLS_CLIENT1_CA_CERT).toBeTruthy();
    for (const d of k8sDocs().filter((d) => d.kind === 'Service')) expect(d.spec.type ?? 'ClusterIP', d.metadata.name).toBe('ClusterIP');
    const helm = parse(read('k8s/temporal-helm-values.yaml')) as Obj;
    expect(helm.server.tls.frontend).toMatchObject({ enabled: true, requireClientAuth: true });
    expect(helm.server.tls.internode).toMatchObject({ enabled: true });
    expect(helm.server.config.persistence.datastores.visibility.sql.pluginName).toBe('postgres12');
    expect(helm.server.config.persistence.datastores.default.sql.existingSecret).toBeTruthy();
  });

  it('the namespace script creates exactly the search attributes of sweep/search-attributes.ts', () => {
    const script = read('scripts/temporal-namespace.sh');
    const created = Object.fromEntries([...script.matchAll(/^add (\w+) (\w+)$/gm)].map((m) => [m[1], m[2]]));
    expect(created).toEqual({ ...REXSWEEP_SEARCH_ATTRIBUTES });
    expect(script).toContain('temporal operator namespace create');
  });

  it("the k8s ConfigMaps carry the compose files' exact contents", () => {
    const docs = k8sDocs();
    const cm = (name: string) => docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === name)!.data as Obj;
    expect(cm('postgres-init')['init-databases.sh']).toBe(read('postgres/init-databases.sh'));
    expect(cm('mlflow-config')['basic_auth.ini']).toBe(read('mlflow/basic_auth.ini'));
    expect(cm('mlflow-config')['s3-bucket.py']).toBe(read('scripts/s3-bucket.py'));
    expect(cm('temporal-scripts')['temporal-namespace.sh']).toBe(read('scripts/temporal-namespace.sh'));
  });

  it('the worker image: node 20 on bookworm, npm ci, optional native TensorFlow, SIGTERM reaches the worker', () => {
    const df = read('Dockerfile');
    expect(df).toMatch(/^FROM node:20\.[\d.]+-bookworm$/m);
    expect(df).toMatch(/^RUN npm ci /m);
    expect(df).toContain('setup native');
    expect(df).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "\/opt\/rexsweep\/bin\/rexsweep\.mjs"\]/);
    expect(read('Dockerfile.dockerignore')).toContain('infra/team/deploy/env/*.env');
  });
});
