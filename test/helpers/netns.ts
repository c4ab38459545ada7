// Network namespaces as hosts for the sharded-run tests: a "hub" namespace holds a bridge, every host
// namespace gets one veth pair to it and an address in a private /24. Everything the test creates
// is named after its pid and removed by destroy() (deleting a namespace removes its veth ends),
// which tests call in finally/afterAll. Needs root and iproute2; probe() says why not otherwise.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: 10_000 });
  return stdout;
}

/** Can this machine create namespaces? Returns null when yes, else the reason (for a skip message). */
export async function probeNetns(): Promise<string | null> {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const name = `b21-${process.pid}-probe`;
  try {
    await ip('netns', 'add', name);
  } catch (error) {
    const text = (error as { stderr?: string }).stderr ?? (error as Error).message;
    return `cannot create a network namespace (${text.trim().split('\n')[0] ?? 'ip netns add failed'}): needs root and iproute2`;
  } finally {
    await ip('netns', 'del', name).catch(() => {});
  }
  return null;
}

export interface Host {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
}

export class NetnsTopology {
  readonly hosts = new Map<string, Host>();
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  readonly hub: string;

  private constructor(
    readonly prefix: string,
    readonly subnet: string,
  ) {
    this.hub = `${prefix}-hub`;
  }

  /** A hub with a bridge; `subnet` is the first three octets, e.g. "10.77.0". */
  static async create(subnet = '10.77.0'): Promise<NetnsTopology> {
    const topology = new NetnsTopology(`b21-${process.pid}`, subnet);
    try {
      await topology.addNamespace(topology.hub);
      await ip('-n', topology.hub, 'link', 'add', 'br0', 'type', 'bridge');
      await ip('-n', topology.hub, 'link', 'set', 'br0', 'up');
    } catch (error) {
      await topology.destroy();
      throw error;
    }
    return topology;
  }

  private async addNamespace(ns: string): Promise<void> {
    await ip('netns', 'add', ns);
    this.namespaces.push(ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }

  /** A host namespace with eth0 = `<subnet>.<octet>/24`, bridged to every other host. */
  async addHost(name: string, octet: number): Promise<Host> {
    const namespace = `${this.prefix}-${name}`;
    const address = `${this.subnet}.${octet}`;
    await this.addNamespace(namespace);
    const port = `p${octet}`;
    // Both ends are created inside their namespaces: no name is ever taken in the root namespace.
    await ip(
      'link',
      'add',
      'eth0',
      'netns',
      namespace,
      'type',
      'veth',
      'peer',
      'name',
      port,
      'netns',
      this.hub,
    );
    await ip('-n', this.hub, 'link', 'set', port, 'master', 'br0');
    await ip('-n', this.hub, 'link', 'set', port, 'up');
    await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    const host = { name, namespace, address };
    this.hosts.set(name, host);
    return host;
  }

  /** Spawns `command args…` inside a host's namespace; destroy() kills what is still running. */
  spawn(host: Host, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.namespace, command, ...args], {
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(
      [...this.children].map(
        (c) =>
          new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve()))),
      ),
    );
    for (const ns of this.namespaces.reverse()) await ip('netns', 'del', ns).catch(() => {});
    this.namespaces.length = 0;
  }
}

/** Collects a child's output; `line(re)` resolves with the first stdout/stderr line matching re. */
export function watch(child: ChildProcess): {
  readonly output: () => string;
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  exit(timeoutMs?: number): Promise<number | null>;
} {
  let text = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const w of [...waiters]) {
      const match = text.split('\n').find((l) => w.re.test(l));
      if (match !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => text,
    line: (re, timeoutMs = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const found = text.split('\n').find((l) => re.test(l));
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${text}`)),
          timeoutMs,
        );
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      }),
    exit: (timeoutMs = 120_000) =>
      new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`process did not exit within ${timeoutMs} ms:\n${text}`)),
          timeoutMs,
        );
        void exited.then((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      }),
  };
}
