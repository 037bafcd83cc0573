/**
 * A private LAN of "hosts" on one Linux machine, for multi-host tests and benchmarks: one network
 * namespace per host, each with an `eth0` on a bridge that lives in a namespace of its own, and
 * addresses from a private /24 that exist only inside these namespaces. Needs root. Nothing here
 * touches the root namespace's interfaces or routes; `destroy()` kills every process in every
 * host (by PID, as `ip netns pids` lists them) and deletes the namespaces.
 *
 * The root namespace has no route into the LAN: talk to a host's servers from a process started
 * in another host (`spawnIn`), never from the test process itself.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { runCommand } from '../local/run-command.ts';

export interface LabHost {
  name: string;
  /** The namespace's name (`ip netns exec <ns> …`). */
  ns: string;
  address: string;
}

export interface Lab {
  hosts: Record<string, LabHost>;
  /** Runs argv in the host's namespace; optionally in a private mount namespace with `hide` folders masked by empty tmpfs. */
  spawnIn(host: string, argv: string[], options?: SpawnOptions & { hide?: string[] }): ChildProcess;
  /** Runs argv in the host's namespace to completion. */
  run(host: string, argv: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; tail: string }>;
  /** PIDs of every process in the host's namespace. */
  pids(host: string): Promise<number[]>;
  /** SIGKILL to every process in the host: the host "dies". */
  killHost(host: string): Promise<number>;
  destroy(): Promise<void>;
}

async function ip(args: string[]): Promise<void> {
  const r = await runCommand('ip', args, { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.tail.trim()}`);
}

/**
 * `tag` keeps concurrent labs apart (namespace names); `subnet` is the first three octets of
 * a private /24, e.g. '10.231.7'. Hosts get .2, .3, … in the order given.
 */
export async function createLab(tag: string, subnet: string, hostNames: string[]): Promise<Lab> {
  if (process.getuid?.() !== 0) throw new Error('network namespaces need root');
  const lanNs = `rx-${tag}-lan`;
  const hosts: Record<string, LabHost> = {};
  const created: string[] = [];
  const destroy = async () => {
    for (const ns of [...created].reverse()) {
      for (const pid of await nsPids(ns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    // Give the kernel a moment to reap, then remove the namespaces (veths go with them).
    await new Promise((r) => setTimeout(r, 300));
    for (const ns of [...created].reverse()) await ip(['netns', 'del', ns]).catch(() => undefined);
  };
  try {
    await ip(['netns', 'add', lanNs]);
    created.push(lanNs);
    await ip(['-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', lanNs, 'link', 'set', 'br0', 'up']);
    hostNames.forEach((name, k) => {
      hosts[name] = { name, ns: `rx-${tag}-${name}`, address: `${subnet}.${k + 2}` };
    });
    for (const [k, h] of Object.values(hosts).entries()) {
      await ip(['netns', 'add', h.ns]);
      created.push(h.ns);
      await ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      const port = `p${k}`;
      await ip(['-n', lanNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      await ip(['-n', lanNs, 'link', 'set', port, 'master', 'br0']);
      await ip(['-n', lanNs, 'link', 'set', port, 'up']);
      await ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      await ip(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
    }
  } catch (err) {
    await destroy();
    throw err;
  }

  const nsOf = (host: string) => {
    const h = hosts[host];
    if (!h) throw new Error(`no host ${host} in this lab`);
    return h.ns;
  };
  const argvIn = (host: string, argv: string[], hide: string[] = []) => {
    if (hide.length === 0) return ['ip', 'netns', 'exec', nsOf(host), ...argv];
    // A private mount namespace whose view of `hide` is an empty tmpfs: the host cannot read
    // those folders, as a machine without a shared filesystem could not.
    const script = `${hide.map((d, i) => `mount -t tmpfs -o size=1m rx-hide-${i} "$${i + 1}"`).join(' && ')} && shift ${hide.length} && exec "$@"`;
    return ['ip', 'netns', 'exec', nsOf(host), 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...hide, ...argv];
  };
  return {
    hosts,
    spawnIn(host, argv, options = {}) {
      const [cmd, ...args] = argvIn(host, argv, options.hide);
      return spawn(cmd, args, options);
    },
    async run(host, argv, options = {}) {
      const [cmd, ...args] = argvIn(host, argv);
      const r = await runCommand(cmd, args, { capture: true, env: options.env, timeoutMs: options.timeoutMs ?? 10 * 60_000 });
      return { code: r.code, stdout: r.stdout, tail: r.tail };
    },
    pids: (host) => nsPids(nsOf(host)),
    async killHost(host) {
      // Again until none is left: a process may fork between the listing and the kill.
      const killed = new Set<number>();
      const deadline = Date.now() + 10_000;
      for (;;) {
        const pids = await nsPids(nsOf(host));
        if (pids.length === 0 || Date.now() > deadline) return killed.size;
        for (const pid of pids) {
          killed.add(pid);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    destroy,
  };
}

async function nsPids(ns: string): Promise<number[]> {
  const r = await runCommand('ip', ['netns', 'pids', ns], { capture: true, timeoutMs: 10_000 });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}
