import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectFingerprintParts,
  collectProvenance,
  EMPTY_SHA256,
  openNvml,
  parseCpuList,
  probeEngineVersion,
  readCpuGovernors,
  readSwapTotalKb,
  ZERO_COMMIT,
} from '../../../src/telemetry/index.js';
import { fakeNvml } from './fake-nvml.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fakeroot-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

/** Python's json.dumps(obj, sort_keys=True, separators=(",", ":")) for ints, bools and ASCII strings. */
function pyCanonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyCanonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${pyCanonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

describe('collectFingerprintParts', () => {
  it('on this machine (no GPU): gpus [], driver/cuda "unknown", the InferenceBench placeholders', async () => {
    const prev = process.env.BENCH_NVML_LIB;
    delete process.env.BENCH_NVML_LIB;
    try {
      const nvml = openNvml();
      const p = await collectFingerprintParts(nvml);
      if (nvml.available) nvml.close();
      expect(Object.keys(p).sort()).toEqual([
        'bios',
        'cpu',
        'cuda',
        'dmi_uuid',
        'driver',
        'gpus',
        'memory',
        'nccl',
        'numa',
      ]);
      if (!nvml.available) {
        expect(p.gpus).toEqual([]);
        // InferenceBench's model needs ≥ 1 character here: its own placeholder
        expect(p.driver).toBe('unknown');
        expect(p.cuda).toBe('unknown');
      }
      expect(p.memory).toEqual({ channels: 1, speed_mts: 1, ecc: false });
      expect(p.bios.resizable_bar).toBe(false);
      expect(p.bios.above_4g).toBe(false);
      expect(p.nccl).toBe('');
      expect(p.cpu.model).not.toBe('');
      expect(p.numa.nodes.length).toBeGreaterThanOrEqual(1);
      expect(p.numa.nodes[0]?.cpus.length).toBeGreaterThanOrEqual(1);
    } finally {
      if (prev !== undefined) process.env.BENCH_NVML_LIB = prev;
    }
  });

  it('reproduces an InferenceBench fingerprint from a fake /proc+/sys tree (same sha256 over the parts)', async () => {
    // The hardware of fixture envelope 010e9504589b minus the GPUs, whose values come from NVML.
    const cpus = (a: number, b: number, c: number, d: number): string => `${a}-${b},${c}-${d}`;
    const root = fakeRoot({
      'proc/cpuinfo':
        'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nmicrocode\t: 0x2b000643\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nmicrocode\t: 0x2b000643\n',
      'sys/class/dmi/id/bios_version': 'R24\n',
      'sys/devices/system/node/node0/cpulist': `${cpus(0, 27, 112, 139)}\n`,
      'sys/devices/system/node/node0/meminfo': 'Node 0 MemTotal:       528055296 kB\n',
      'sys/devices/system/node/node1/cpulist': `${cpus(28, 55, 140, 167)}\n`,
      'sys/devices/system/node/node1/meminfo': `Node 1 MemTotal:       ${516081 * 1024 + 1000} kB\n`,
      'sys/devices/system/node/node2/cpulist': `${cpus(56, 83, 168, 195)}\n`,
      'sys/devices/system/node/node2/meminfo': `Node 2 MemTotal:       ${516034 * 1024} kB\n`,
      'sys/devices/system/node/node3/cpulist': `${cpus(84, 111, 196, 223)}\n`,
      'sys/devices/system/node/node3/meminfo': `Node 3 MemTotal:       ${516069 * 1024} kB\n`,
      'sys/devices/system/node/online': '0-3\n',
    });
    const p = await collectFingerprintParts(null, { root });
    const fixtureGpus = [
      ['00000000:09:00.0', '1653623070767'],
      ['00000000:17:00.0', '1654023030096'],
      ['00000000:22:00.0', '1654023067981'],
      ['00000000:2B:00.0', '1654023030507'],
      ['00000000:87:00.0', '1654023004905'],
      ['00000000:90:00.0', '1654023068544'],
      ['00000000:B8:00.0', '1654023020346'],
      ['00000000:C1:00.0', '1654023003983'],
    ].map(([pci_id, serial]) => ({
      model: 'NVIDIA H100 80GB HBM3',
      pci_id,
      serial,
      vbios: '96.00.D0.00.02',
    }));
    const parts = { ...p, gpus: fixtureGpus, driver: '580.126.09', cuda: '13.0' };
    expect(p.dmi_uuid).toBe('unknown'); // product_uuid absent (root-only on real hosts)
    expect(p.bios.version).toBe('R24');
    expect(p.numa.nodes.map((n) => n.memory_mb)).toEqual([515679, 516081, 516034, 516069]);
    expect(createHash('sha256').update(pyCanonical(parts)).digest('hex')).toBe(
      '550474fc9132129654f5d20c316eaffec99a1f67c0cc0b4641e60efb46ea79e7', // fixture 010e9504589b
    );
  });

  it('opens NVML itself when no handle is passed ($BENCH_NVML_LIB)', async () => {
    const prev = process.env.BENCH_NVML_LIB;
    process.env.BENCH_NVML_LIB = fakeNvml({ gpus: 2, driver: '570.86.15', cuda: 12080 });
    try {
      const p = await collectFingerprintParts(undefined, { root: fakeRoot({}) });
      expect(p.gpus.map((g) => g.pci_id)).toEqual(['00000000:B0:00.0', '00000000:C1:00.0']);
      expect(p.driver).toBe('570.86.15');
      expect(p.cuda).toBe('12.8');
    } finally {
      if (prev === undefined) delete process.env.BENCH_NVML_LIB;
      else process.env.BENCH_NVML_LIB = prev;
    }
  });

  it('writes "unknown" for a GPU string NVML leaves empty (their GPU model refuses "")', async () => {
    const nvml = openNvml(fakeNvml({ gpus: 1, vbios: '' }));
    if (!nvml.available) throw new Error(nvml.reason);
    const p = await collectFingerprintParts(nvml, { root: fakeRoot({}) });
    nvml.close();
    expect(p.gpus).toHaveLength(1);
    expect(p.gpus[0]?.vbios).toBe('unknown');
    expect(p.gpus[0]?.serial).toMatch(/^\d+$/);
  });

  it('takes GPUs from NVML sorted by pci_id, with driver and CUDA versions', async () => {
    const nvml = openNvml(fakeNvml({ gpus: 3 }));
    if (!nvml.available) throw new Error(nvml.reason);
    const p = await collectFingerprintParts(nvml, { root: fakeRoot({}) });
    nvml.close();
    expect(p.gpus).toEqual([
      {
        model: 'NVIDIA H100 80GB HBM3',
        pci_id: '00000000:9F:00.0',
        serial: '1654023030098',
        vbios: '96.00.D0.00.02',
      },
      {
        model: 'NVIDIA H100 80GB HBM3',
        pci_id: '00000000:B0:00.0',
        serial: '1654023030097',
        vbios: '96.00.D0.00.02',
      },
      {
        model: 'NVIDIA H100 80GB HBM3',
        pci_id: '00000000:C1:00.0',
        serial: '1654023030096',
        vbios: '96.00.D0.00.02',
      },
    ]);
    expect(p.driver).toBe('580.126.09');
    expect(p.cuda).toBe('13.0');
    expect(p.cpu).toEqual({ model: 'unknown', microcode: 'unknown' });
    expect(p.bios.version).toBe('unknown');
    expect(p.numa.nodes).toEqual([]);
  });
});

describe('host readers', () => {
  it.each([
    ['0-3', [0, 1, 2, 3]],
    ['0-1,8,10-11\n', [0, 1, 8, 10, 11]],
    ['', []],
  ])('parseCpuList(%j)', (text, cpus) => {
    expect(parseCpuList(text)).toEqual(cpus);
  });

  it('governors and swap from a fake tree; [] / null when absent', async () => {
    const root = fakeRoot({
      'sys/devices/system/cpu/cpu0/cpufreq/scaling_governor': 'performance\n',
      'sys/devices/system/cpu/cpu1/cpufreq/scaling_governor': 'powersave\n',
      'sys/devices/system/cpu/cpu2/cpufreq/scaling_governor': 'performance\n',
      'proc/meminfo': 'MemTotal:       4417752 kB\nSwapTotal:       2097148 kB\n',
    });
    expect(await readCpuGovernors(root)).toEqual(['performance', 'powersave']);
    expect(await readSwapTotalKb(root)).toBe(2097148);
    const empty = fakeRoot({});
    expect(await readCpuGovernors(empty)).toEqual([]);
    expect(await readSwapTotalKb(empty)).toBeNull();
  });
});

describe('collectProvenance', () => {
  it('hashes the lockfile bytes and reads the git commit of the checkout', async () => {
    const p = await collectProvenance({ cwd: ROOT, nvidiaSmi: '/nonexistent/nvidia-smi' });
    expect(p.pip_freeze_hash).toBe(
      createHash('sha256')
        .update(readFileSync(join(ROOT, 'package-lock.json')))
        .digest('hex'),
    );
    expect(p.git_commit).toBe(
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
    );
    expect(p.image_digest).toBe('');
    expect(p.nvidia_smi_q_hash).toBe(EMPTY_SHA256);
  });

  it('outside a checkout and without a lockfile: 40 zeros and the empty-string hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'noprov-'));
    const p = await collectProvenance({ cwd: dir, nvidiaSmi: '/nonexistent/nvidia-smi' });
    expect(p).toEqual({
      image_digest: '',
      pip_freeze_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      git_commit: ZERO_COMMIT,
      nvidia_smi_q_hash: EMPTY_SHA256,
    });
  });

  it('hashes nvidia-smi -q stdout when the tool is present', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smi-'));
    const smi = join(dir, 'nvidia-smi');
    const out = '==============NVSMI LOG==============\nDriver Version : 580.126.09\n';
    writeFileSync(smi, `#!/bin/sh\n[ "$1" = "-q" ] || exit 3\nprintf '%s' '${out}'\n`);
    chmodSync(smi, 0o755);
    const p = await collectProvenance({ cwd: dir, nvidiaSmi: smi });
    expect(p.nvidia_smi_q_hash).toBe(createHash('sha256').update(out).digest('hex'));
  });
});

describe('probeEngineVersion', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  async function serve(routes: Record<string, unknown>): Promise<string> {
    const server = createServer((req, res) => {
      const body = routes[req.url ?? ''];
      if (body === undefined) {
        res.writeHead(404);
        res.end('{"detail":"Not Found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  }

  it('vLLM: /version plus owned_by from /v1/models', async () => {
    const url = await serve({
      '/version': { version: '0.11.0' },
      '/v1/models': {
        object: 'list',
        data: [{ id: 'm', object: 'model', owned_by: 'vllm', max_model_len: 8192 }],
      },
    });
    expect(await probeEngineVersion(url)).toEqual({ name: 'vllm', version: '0.11.0', source: '/version' });
  });

  it('SGLang: /get_server_info', async () => {
    const url = await serve({
      '/get_server_info': { version: '0.5.3', model_path: 'x' },
      '/v1/models': { data: [{ id: 'm', owned_by: 'sglang' }] },
    });
    expect(await probeEngineVersion(url)).toEqual({
      name: 'sglang',
      version: '0.5.3',
      source: '/get_server_info',
    });
  });

  it('only /v1/models metadata, and nothing at all', async () => {
    const url = await serve({
      '/v1/models': { data: [{ id: 'm', owned_by: 'llamacpp', meta: { version: 'b4500' } }] },
    });
    expect(await probeEngineVersion(url)).toEqual({
      name: 'llamacpp',
      version: 'b4500',
      source: '/v1/models',
    });
    const none = await serve({});
    expect(await probeEngineVersion(none)).toEqual({ name: null, version: null, source: null });
    expect(await probeEngineVersion('http://127.0.0.1:1/v1', { timeoutMs: 300 })).toEqual({
      name: null,
      version: null,
      source: null,
    });
  });
});
