import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commanderOption } from '../../../src/app/commands/run.js';
import {
  attributeOf,
  driverOptionsFromTable,
  MAX_SECONDS,
  RUN_FLAGS,
  trialsParentFlags,
} from '../../../src/app/run/flags.js';
import { parseRunFlags } from '../../../src/app/run/options.js';
import { childArgs } from '../../../src/app/run/trials.js';

describe('the bench run flag table', () => {
  it('every help text is one line, every name unique', () => {
    for (const row of RUN_FLAGS) expect(row.help, row.name).not.toMatch(/\n/);
    expect(new Set(RUN_FLAGS.map((r) => r.name)).size).toBe(RUN_FLAGS.length);
  });

  it('every numeric flag has a finite documented range, durations within Node timers', () => {
    for (const row of RUN_FLAGS.filter((r) => r.range !== undefined)) {
      expect(Number.isFinite(row.range?.max), row.name).toBe(true);
      expect(row.help).not.toContain('\n');
    }
    // 24 days in ms still fits a Node timer (2^31 − 1 ms).
    expect(MAX_SECONDS * 1000).toBeLessThan(2 ** 31 - 1);
  });

  it.each([
    [
      { duration: String(MAX_SECONDS + 1) },
      '--duration must be a positive number of seconds, at most 2073600',
    ],
    [{ requestTimeout: '1e9' }, '--request-timeout must be a positive number of seconds, at most 2073600'],
    [{ drainGrace: '3000000' }, '--drain-grace must be a non-negative number of seconds, at most 2073600'],
    [{ gateTimeout: '3000000' }, '--gate-timeout must be a non-negative number of seconds, at most 2073600'],
    [{ concurrency: '100001' }, '--concurrency must be a positive integer, at most 100000'],
    [{ sweep: '1,100001' }, '--sweep must be positive integers, at most 100000'],
    [{ rps: '1000001' }, '--rps must be a non-negative rate in req/s, at most 1000000'],
    [{ rpsSweep: '1,2e6' }, '--rps-sweep must be positive rates, at most 1000000'],
    [{ duration: 'Infinity' }, '--duration must be'],
    [{ seed: '1.5' }, '--seed must be a non-negative integer'],
  ])('rejects %o (exit 2)', (flags, message) => {
    let caught: unknown;
    try {
      parseRunFlags('x', flags);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toContain(message);
    expect((caught as { exitCode: number }).exitCode).toBe(2);
  });

  it('every flag whose value is a number has a range (the rest take names, paths, URLs or distributions)', () => {
    const textual = /^<(id|name|class|format|path|url|dir|id\|path|dist|file|i\/N|uuid)>$/;
    const unranged = RUN_FLAGS.filter(
      (r) => r.arg !== undefined && r.range === undefined && r.choices === undefined && !textual.test(r.arg),
    );
    expect(unranged.map((r) => `${r.name} ${r.arg ?? ''}`)).toEqual([]);
  });

  it.each([
    [{ duration: String(24.8 * 86400) }, '--duration'],
    [{ requestTimeout: String(25 * 86400) }, '--request-timeout'],
    [{ concurrency: '1e6' }, '--concurrency'],
    [{ rps: '1e9' }, '--rps'],
    [{ maxEventBytes: '100' }, '--max-event-bytes must be an integer from 1024 to 268435456'],
    [{ maxEventBytes: '1e12' }, '--max-event-bytes'],
    [{ numPrompts: '0' }, '--num-prompts must be a positive integer'],
  ])('issue 15: rejects %o up front (exit 2)', (flags, message) => {
    let caught: unknown;
    try {
      parseRunFlags('x', flags);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toContain(message);
    expect((caught as { exitCode: number }).exitCode).toBe(2);
  });

  it('accepts the limits themselves', () => {
    const config = parseRunFlags('x', { duration: String(MAX_SECONDS), concurrency: '100000' });
    expect(config.durationS).toBe(MAX_SECONDS);
    expect(config.points[0]?.value).toBe(100000);
    expect(parseRunFlags('x', { rps: '1000000' }).points[0]?.value).toBe(1e6);
  });

  it('commander gets exactly the table: names, defaults, choices', () => {
    const command = new Command('run');
    for (const row of RUN_FLAGS) command.addOption(commanderOption(row));
    expect(command.options.map((o) => o.long)).toEqual(
      RUN_FLAGS.map((r) => (r.negatable ? `--no-${r.name}` : `--${r.name}`)),
    );
    command.parse(['node', 'run'], { from: 'node' });
    const values = command.opts();
    for (const row of RUN_FLAGS.filter((r) => r.default !== undefined))
      expect(values[attributeOf(row.name)], row.name).toBe(row.default);
    // commander's defaults parse to the documented config defaults
    const config = parseRunFlags('x', values);
    expect(config).toMatchObject({ durationS: 300, seed: 42, warmupRequests: 3, drainGraceS: 30, tui: true });
    expect(config.gate).toEqual({ enabled: true, targetCov: 0.05, window: 30, timeoutS: 60 });
  });

  it('a plugin flag lands in extra and in driver_options from its row alone', () => {
    const config = parseRunFlags('x', { thinkMs: 'uniform:1,2', timeScale: '2', ignoreEos: true });
    expect(config.extra).toEqual({ thinkMs: 'uniform:1,2', timeScale: 2, ignoreEos: 1 });
  });

  it('driver_options come from the rows with a driver key', () => {
    const config = parseRunFlags('x', {
      gateTimeout: '7',
      ramp: '2',
      maxConcurrency: '8',
      numRequests: '50',
    });
    expect(driverOptionsFromTable(config)).toMatchObject({
      duration_s: 300,
      num_requests: 50,
      max_concurrency: 8,
      ramp_s: 2,
      gate: { enabled: true, target_cov: 0.05, window: 30, timeout_s: 7 },
    });
  });

  it('the trials parent strips and sets the rows marked for it', () => {
    const { withValue, alone } = trialsParentFlags();
    expect([...withValue].sort()).toEqual(['--output', '--report', '--seed', '--trials']);
    expect([...alone].sort()).toEqual(['--detach', '--json', '--no-tui']);
    // --report html: children write no page; the parent writes one for the aggregate envelopes
    expect(
      childArgs(['--trials', '3', '--seed=7', '--json', '--report', 'html', '--duration', '5'], 8, '/o'),
    ).toEqual(['--duration', '5', '--trials', '1', '--seed', '8', '--output', '/o', '--no-tui', '--json']);
  });
});
