// NVML through koffi 3. Signatures copied from nvml.h (NVML API 12/13); checked against an H100
// (driver 580) in ../shared research and against fixtures/nvml/fake_nvml.c in the tests.
//
// `bindNvml` is SELF-CONTAINED on purpose: the sampler worker is built from its source text
// (`bindNvml.toString()`), so this function may reference nothing outside its own body except its
// parameters. All koffi types are anonymous (koffi type NAMES are process-global and a second
// declaration — e.g. in the worker thread — would throw).
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;

export interface NvmlRawSample {
  readonly powerMw: number;
  /** Total-energy counter, mJ since driver load; null when not supported or not read this time. */
  readonly energyMj: number | null;
  readonly utilGpuPct: number;
  readonly utilMemPct: number;
  readonly memUsedB: number;
  readonly memTotalB: number;
  readonly smClockMhz: number | null;
  readonly tempC: number | null;
}

export interface NvmlDeviceInfo {
  readonly index: number;
  readonly name: string;
  readonly uuid: string;
  /** "" when the board does not report one. */
  readonly serial: string;
  /** PCI bus id as NVML writes it, e.g. "00000000:09:00.0". */
  readonly pciBusId: string;
  readonly vbios: string;
  readonly memTotalMiB: number;
  readonly powerLimitW: number | null;
  readonly defaultPowerLimitW: number | null;
}

export interface NvmlProcess {
  readonly pid: number;
  readonly usedMemMiB: number | null;
}

export interface NvmlRawHealth {
  readonly persistenceMode: boolean | null;
  readonly eccEnabled: boolean | null;
  /** Aggregate (lifetime) ECC error counts; null when ECC is off or unsupported. */
  readonly eccErrors: { readonly corrected: number; readonly uncorrected: number } | null;
  readonly throttleMask: number | null;
  readonly tempC: number | null;
  readonly slowdownTempC: number | null;
  readonly shutdownTempC: number | null;
  readonly powerLimitW: number | null;
  readonly defaultPowerLimitW: number | null;
  readonly processes: readonly NvmlProcess[] | null;
}

export interface NvmlBinding {
  readonly libPath: string;
  readonly driverVersion: string;
  /** e.g. 13000 for CUDA 13.0; null when the call is missing. */
  readonly cudaDriverVersion: number | null;
  readonly nvmlVersion: string | null;
  readonly deviceCount: number;
  info(index: number): NvmlDeviceInfo;
  sample(index: number, withEnergy: boolean): NvmlRawSample;
  health(index: number): NvmlRawHealth;
  close(): void;
}

export function bindNvml(koffi: Koffi, libPath: string): NvmlBinding {
  class NvmlCallError extends Error {
    override name = 'NvmlCallError';
    readonly code = 'E_NVML_CALL';
    constructor(
      readonly fn: string,
      readonly nvmlReturn: number,
      text: string,
    ) {
      super(`${fn}: ${text} (nvmlReturn_t=${nvmlReturn})`);
    }
  }
  const SUCCESS = 0;
  const NOT_SUPPORTED = 3;
  const INSUFFICIENT_SIZE = 7;
  // Declare the types and functions once per library per thread (cached on globalThis under a
  // registered symbol, which keeps this function self-contained for the worker).
  const declare = () => {
    const lib = koffi.load(libPath);
    const DevT = koffi.pointer(koffi.opaque());
    const UtilT = koffi.struct({ gpu: 'unsigned int', memory: 'unsigned int' });
    const MemT = koffi.struct({
      total: 'unsigned long long',
      free: 'unsigned long long',
      used: 'unsigned long long',
    });
    const PciT = koffi.struct({
      busIdLegacy: koffi.array('char', 16),
      domain: 'unsigned int',
      bus: 'unsigned int',
      device: 'unsigned int',
      pciDeviceId: 'unsigned int',
      pciSubSystemId: 'unsigned int',
      busId: koffi.array('char', 32),
    });
    const u32Out = koffi.out(koffi.pointer('unsigned int'));
    const i32Out = koffi.out(koffi.pointer('int'));
    const u64Out = koffi.out(koffi.pointer('unsigned long long'));
    // Functions that older drivers lack are optional: a missing symbol makes that query null.
    const opt = (name: string, ret: string, args: unknown[]): ((...a: unknown[]) => number) | null => {
      try {
        return lib.func(name, ret, args as never) as (...a: unknown[]) => number;
      } catch {
        return null;
      }
    };
    const req = (name: string, ret: string, args: unknown[]): ((...a: unknown[]) => number) =>
      lib.func(name, ret, args as never) as (...a: unknown[]) => number;

    const errorString = req('nvmlErrorString', 'const char *', ['int']) as unknown as (rc: number) => string;
    const f = {
      init: req('nvmlInit_v2', 'int', []),
      shutdown: req('nvmlShutdown', 'int', []),
      driverVersion: req('nvmlSystemGetDriverVersion', 'int', ['char *', 'unsigned int']),
      nvmlVersion: opt('nvmlSystemGetNVMLVersion', 'int', ['char *', 'unsigned int']),
      cudaVersion: opt('nvmlSystemGetCudaDriverVersion_v2', 'int', [i32Out]),
      count: req('nvmlDeviceGetCount_v2', 'int', [u32Out]),
      handle: req('nvmlDeviceGetHandleByIndex_v2', 'int', ['unsigned int', koffi.out(koffi.pointer(DevT))]),
      name: req('nvmlDeviceGetName', 'int', [DevT, 'char *', 'unsigned int']),
      uuid: req('nvmlDeviceGetUUID', 'int', [DevT, 'char *', 'unsigned int']),
      serial: opt('nvmlDeviceGetSerial', 'int', [DevT, 'char *', 'unsigned int']),
      vbios: opt('nvmlDeviceGetVbiosVersion', 'int', [DevT, 'char *', 'unsigned int']),
      pci: req('nvmlDeviceGetPciInfo_v3', 'int', [DevT, koffi.out(koffi.pointer(PciT))]),
      power: req('nvmlDeviceGetPowerUsage', 'int', [DevT, u32Out]),
      energy: opt('nvmlDeviceGetTotalEnergyConsumption', 'int', [DevT, u64Out]),
      util: req('nvmlDeviceGetUtilizationRates', 'int', [DevT, koffi.out(koffi.pointer(UtilT))]),
      mem: req('nvmlDeviceGetMemoryInfo', 'int', [DevT, koffi.out(koffi.pointer(MemT))]),
      clock: opt('nvmlDeviceGetClockInfo', 'int', [DevT, 'int', u32Out]),
      temp: opt('nvmlDeviceGetTemperature', 'int', [DevT, 'int', u32Out]),
      tempThreshold: opt('nvmlDeviceGetTemperatureThreshold', 'int', [DevT, 'int', u32Out]),
      powerLimit: opt('nvmlDeviceGetEnforcedPowerLimit', 'int', [DevT, u32Out]),
      defaultLimit: opt('nvmlDeviceGetPowerManagementDefaultLimit', 'int', [DevT, u32Out]),
      // Renamed in CUDA 12.2 headers; r580 exports both names.
      reasons:
        opt('nvmlDeviceGetCurrentClocksEventReasons', 'int', [DevT, u64Out]) ??
        opt('nvmlDeviceGetCurrentClocksThrottleReasons', 'int', [DevT, u64Out]),
      eccErrors: opt('nvmlDeviceGetTotalEccErrors', 'int', [DevT, 'int', 'int', u64Out]),
      eccMode: opt('nvmlDeviceGetEccMode', 'int', [DevT, i32Out, i32Out]),
      persistence: opt('nvmlDeviceGetPersistenceMode', 'int', [DevT, i32Out]),
      processes: opt('nvmlDeviceGetComputeRunningProcesses_v3', 'int', [
        DevT,
        koffi.inout(koffi.pointer('unsigned int')),
        'void *',
      ]),
    };
    return { errorString, f };
  };
  type Decls = ReturnType<typeof declare>;
  const registry = globalThis as unknown as Record<symbol, Map<string, Decls> | undefined>;
  const cacheKey = Symbol.for('inferencebench.nvml.declarations');
  const cache = (registry[cacheKey] ??= new Map<string, Decls>());
  let decls = cache.get(libPath);
  if (!decls) {
    decls = declare();
    cache.set(libPath, decls);
  }
  const { errorString, f } = decls;

  const check = (fn: string, rc: number): void => {
    if (rc !== SUCCESS) throw new NvmlCallError(fn, rc, errorString(rc));
  };
  const cstr = (buf: Buffer): string => {
    const end = buf.indexOf(0);
    return buf.toString('utf8', 0, end < 0 ? buf.length : end).trim();
  };
  const readStr = (
    fn: string,
    call: ((...a: unknown[]) => number) | null,
    dev: unknown,
    size: number,
  ): string => {
    if (!call) return '';
    const buf = Buffer.alloc(size);
    const rc = dev === undefined ? call(buf, size) : call(dev, buf, size);
    if (rc === NOT_SUPPORTED) return '';
    check(fn, rc);
    return cstr(buf);
  };
  // Optional numeric query: null when missing or not supported; other errors throw.
  const optNum = (
    fn: string,
    call: ((...a: unknown[]) => number) | null,
    ...args: unknown[]
  ): number | null => {
    if (!call) return null;
    const out: unknown[] = [0];
    const rc = call(...args, out);
    if (rc === NOT_SUPPORTED || rc === 4 /* NO_PERMISSION */) return null;
    check(fn, rc);
    return Number(out[0]);
  };

  check('nvmlInit_v2', f.init());
  let open = true;
  try {
    const driverVersion = readStr('nvmlSystemGetDriverVersion', f.driverVersion, undefined, 80);
    const nvmlVersion = f.nvmlVersion
      ? readStr('nvmlSystemGetNVMLVersion', f.nvmlVersion, undefined, 80)
      : null;
    const cudaDriverVersion = optNum('nvmlSystemGetCudaDriverVersion_v2', f.cudaVersion);
    const cnt: unknown[] = [0];
    check('nvmlDeviceGetCount_v2', f.count(cnt));
    const deviceCount = Number(cnt[0]);
    const devices: unknown[] = [];
    for (let i = 0; i < deviceCount; i++) {
      const h: unknown[] = [null];
      check('nvmlDeviceGetHandleByIndex_v2', f.handle(i, h));
      devices.push(h[0]);
    }
    const dev = (index: number): unknown => {
      if (!open) throw new NvmlCallError('nvml', 1, 'library already closed');
      if (!Number.isInteger(index) || index < 0 || index >= devices.length)
        throw new NvmlCallError('nvml', 2, `no GPU with index ${index}`);
      return devices[index];
    };
    const energySupported = devices.map(() => f.energy !== null);

    return {
      libPath,
      driverVersion,
      cudaDriverVersion,
      nvmlVersion,
      deviceCount,
      info(index: number): NvmlDeviceInfo {
        const d = dev(index);
        const pci: { busId?: string } = {};
        check('nvmlDeviceGetPciInfo_v3', f.pci(d, pci));
        const m: { total?: number | bigint } = {};
        check('nvmlDeviceGetMemoryInfo', f.mem(d, m));
        const limit = optNum('nvmlDeviceGetEnforcedPowerLimit', f.powerLimit, d);
        const defLimit = optNum('nvmlDeviceGetPowerManagementDefaultLimit', f.defaultLimit, d);
        return {
          index,
          name: readStr('nvmlDeviceGetName', f.name, d, 96),
          uuid: readStr('nvmlDeviceGetUUID', f.uuid, d, 96),
          serial: readStr('nvmlDeviceGetSerial', f.serial, d, 30),
          pciBusId: String(pci.busId ?? '').trim(),
          vbios: readStr('nvmlDeviceGetVbiosVersion', f.vbios, d, 32),
          memTotalMiB: Math.round(Number(m.total ?? 0) / 1048576),
          powerLimitW: limit === null ? null : limit / 1000,
          defaultPowerLimitW: defLimit === null ? null : defLimit / 1000,
        };
      },
      sample(index: number, withEnergy: boolean): NvmlRawSample {
        const d = dev(index);
        const p: unknown[] = [0];
        check('nvmlDeviceGetPowerUsage', f.power(d, p));
        let energyMj: number | null = null;
        if (withEnergy && energySupported[index] && f.energy) {
          const e: unknown[] = [0];
          const rc = f.energy(d, e);
          if (rc === SUCCESS) energyMj = Number(e[0]);
          else if (rc === NOT_SUPPORTED) energySupported[index] = false;
          else check('nvmlDeviceGetTotalEnergyConsumption', rc);
        }
        const u: { gpu?: number; memory?: number } = {};
        check('nvmlDeviceGetUtilizationRates', f.util(d, u));
        const m: { total?: number | bigint; used?: number | bigint } = {};
        check('nvmlDeviceGetMemoryInfo', f.mem(d, m));
        return {
          powerMw: Number(p[0]),
          energyMj,
          utilGpuPct: Number(u.gpu ?? 0),
          utilMemPct: Number(u.memory ?? 0),
          memUsedB: Number(m.used ?? 0),
          memTotalB: Number(m.total ?? 0),
          smClockMhz: optNum('nvmlDeviceGetClockInfo', f.clock, d, 1 /* NVML_CLOCK_SM */),
          tempC: optNum('nvmlDeviceGetTemperature', f.temp, d, 0 /* NVML_TEMPERATURE_GPU */),
        };
      },
      health(index: number): NvmlRawHealth {
        const d = dev(index);
        const persistence = optNum('nvmlDeviceGetPersistenceMode', f.persistence, d);
        let eccEnabled: boolean | null = null;
        if (f.eccMode) {
          const cur: unknown[] = [0];
          const pend: unknown[] = [0];
          const rc = f.eccMode(d, cur, pend);
          if (rc === SUCCESS) eccEnabled = Number(cur[0]) === 1;
          else if (rc !== NOT_SUPPORTED) check('nvmlDeviceGetEccMode', rc);
        }
        let eccErrors: NvmlRawHealth['eccErrors'] = null;
        if (eccEnabled) {
          // errorType 0 = corrected, 1 = uncorrected; counterType 1 = aggregate (lifetime)
          const corrected = optNum('nvmlDeviceGetTotalEccErrors', f.eccErrors, d, 0, 1);
          const uncorrected = optNum('nvmlDeviceGetTotalEccErrors', f.eccErrors, d, 1, 1);
          if (corrected !== null && uncorrected !== null) eccErrors = { corrected, uncorrected };
        }
        let processes: NvmlProcess[] | null = null;
        if (f.processes) {
          let rc = INSUFFICIENT_SIZE;
          let cap = 0;
          let buf: Buffer | null = null;
          const count: unknown[] = [0];
          for (let attempt = 0; attempt < 4 && rc === INSUFFICIENT_SIZE; attempt++) {
            count[0] = cap;
            // 24-byte entries (nvml.h 12/13); 64 per entry leaves slack should a driver write a larger struct
            buf = cap > 0 ? Buffer.alloc(cap * 64) : null;
            rc = f.processes(d, count, buf);
            cap = Number(count[0]) + 8; // processes may start between the two calls
          }
          if (rc === SUCCESS) {
            processes = [];
            const n = Number(count[0]);
            for (let i = 0; i < n && buf; i++) {
              // nvmlProcessInfo_t: {unsigned int pid; unsigned long long usedGpuMemory; unsigned int gi, ci}
              const mem = buf.readBigUInt64LE(i * 24 + 8);
              processes.push({
                pid: buf.readUInt32LE(i * 24),
                usedMemMiB: mem === 0xffffffffffffffffn ? null : Number(mem / 1048576n),
              });
            }
          } else if (rc !== NOT_SUPPORTED && rc !== 4) check('nvmlDeviceGetComputeRunningProcesses_v3', rc);
        }
        const limit = optNum('nvmlDeviceGetEnforcedPowerLimit', f.powerLimit, d);
        const defLimit = optNum('nvmlDeviceGetPowerManagementDefaultLimit', f.defaultLimit, d);
        return {
          persistenceMode: persistence === null ? null : persistence === 1,
          eccEnabled,
          eccErrors,
          throttleMask: optNum('nvmlDeviceGetCurrentClocksEventReasons', f.reasons, d),
          tempC: optNum('nvmlDeviceGetTemperature', f.temp, d, 0),
          slowdownTempC: optNum('nvmlDeviceGetTemperatureThreshold', f.tempThreshold, d, 1),
          shutdownTempC: optNum('nvmlDeviceGetTemperatureThreshold', f.tempThreshold, d, 0),
          powerLimitW: limit === null ? null : limit / 1000,
          defaultPowerLimitW: defLimit === null ? null : defLimit / 1000,
          processes,
        };
      },
      close(): void {
        if (!open) return;
        open = false;
        f.shutdown();
      },
    };
  } catch (e) {
    f.shutdown();
    throw e;
  }
}
