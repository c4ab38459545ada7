// Key handling as a small state machine (pure): q / Ctrl-C stop, a second Ctrl-C forces exit.

export type KeyAction = 'stop' | 'force-exit' | 'toggle-help' | 'none';

export interface KeyState {
  readonly stopRequested: boolean;
}

export function keyAction(input: string, ctrl: boolean, state: KeyState): KeyAction {
  if (ctrl && input === 'c') return state.stopRequested ? 'force-exit' : 'stop';
  if (input === '\u0003') return state.stopRequested ? 'force-exit' : 'stop';
  if (!ctrl && (input === 'q' || input === 'Q')) return state.stopRequested ? 'none' : 'stop';
  if (!ctrl && input === '?') return 'toggle-help';
  return 'none';
}
