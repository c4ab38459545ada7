// Project-owned render helper: renders a node into a VirtualTerminal of a given size and returns
// the screen a user would see (ink-testing-library is fixed at 100 columns).
import { render } from 'ink';
import type { ReactNode } from 'react';
import { createTheme, ThemeContext } from '../../src/app/console/theme.js';
import { FakeStdin, VirtualTerminal } from './virtual-terminal.js';

export interface RenderedFrame {
  readonly lines: string[];
  readonly text: string;
  /** Raw bytes Ink wrote (with colour escapes). */
  readonly raw: string;
}

export async function renderFrame(
  node: ReactNode,
  { columns = 80, rows = 24, noColor = true }: { columns?: number; rows?: number; noColor?: boolean } = {},
): Promise<RenderedFrame> {
  const vt = new VirtualTerminal(columns, rows);
  let raw = '';
  const write = vt.write;
  vt.write = (chunk, ...rest) => {
    raw += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return write(chunk, ...rest);
  };
  const instance = render(
    <ThemeContext.Provider value={createTheme(noColor)}>{node}</ThemeContext.Provider>,
    {
      stdout: vt as unknown as NodeJS.WriteStream,
      stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
      patchConsole: false,
      exitOnCtrlC: false,
    },
  );
  instance.unmount();
  await Promise.resolve();
  const lines = vt.screen();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return { lines, text: lines.join('\n'), raw };
}
