import { describe, expect, it } from 'vitest';
import { headlessReason } from '../../../src/app/terminal.js';

const tty = { stdout: { isTTY: true }, stderr: { isTTY: true } };

describe('headlessReason', () => {
  it('a terminal on both streams, no CI, a real TERM: the live console', () => {
    expect(headlessReason({ TERM: 'xterm-256color' }, tty)).toBeNull();
    expect(headlessReason({}, tty)).toBeNull();
    expect(headlessReason({ CI: 'false' }, tty)).toBeNull();
    expect(headlessReason({ CI: '0' }, tty)).toBeNull();
  });

  it.each([
    [{ CI: 'true' }, tty, 'CI is set'],
    [{ CI: '1' }, tty, 'CI is set'],
    [{ CI: '' }, tty, 'CI is set'], // Ink counts an empty CI as CI
    [{ CONTINUOUS_INTEGRATION: 'yes' }, tty, 'CI is set'],
    [{ TERM: 'dumb' }, tty, 'TERM=dumb'],
    [{}, { stdout: { isTTY: false }, stderr: { isTTY: true } }, 'output is not a terminal'],
    [{}, { stdout: { isTTY: true }, stderr: {} }, 'output is not a terminal'],
  ])('%j → headless (%s)', (env, streams, reason) => {
    expect(headlessReason(env, streams)).toBe(reason);
  });
});
