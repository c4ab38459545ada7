import { Box, Static, Text, useInput, useStdin } from 'ink';
import { useStore } from 'zustand';
import { Dashboard } from './Dashboard.js';
import { keyAction } from './keys.js';
import type { ConsoleStore } from './store.js';
import { sweepStaticLine } from './sweep-format.js';
import { createTheme, ThemeContext } from './theme.js';
import type { SweepRow } from './types.js';
import { useTerminalSize } from './useTerminalSize.js';

export interface ConsoleAppProps {
  readonly store: ConsoleStore;
  readonly noColor: boolean;
  /** Called for q / Ctrl-C (first) and Ctrl-C (second). */
  readonly onKeyAction: (action: 'stop' | 'force-exit') => void;
}

function Keys({ store, onKeyAction }: Pick<ConsoleAppProps, 'store' | 'onKeyAction'>) {
  useInput((input, key) => {
    const action = keyAction(input, key.ctrl, store.getState());
    if (action === 'toggle-help') store.setState((s) => ({ helpVisible: !s.helpVisible }));
    else if (action === 'stop' || action === 'force-exit') onKeyAction(action);
  });
  return null;
}

interface StaticItem {
  readonly key: string;
  readonly row: SweepRow | 'header';
}

/** Root: finished sweep points as static lines above, the live dashboard below. */
export function ConsoleApp({ store, noColor, onKeyAction }: ConsoleAppProps) {
  const state = useStore(store);
  const { columns, rows } = useTerminalSize();
  const { isRawModeSupported } = useStdin();
  const items: StaticItem[] =
    state.printedRows.length === 0
      ? []
      : [
          { key: 'header', row: 'header' },
          ...state.printedRows.map((row, i) => ({ key: `${i}:${row.point}`, row })),
        ];
  return (
    <ThemeContext.Provider value={createTheme(noColor)}>
      <Static items={items}>
        {(item) => (
          <Box key={item.key}>
            <Text bold={item.row === 'header'}>{sweepStaticLine(item.row)}</Text>
          </Box>
        )}
      </Static>
      {isRawModeSupported ? <Keys store={store} onKeyAction={onKeyAction} /> : null}
      <Dashboard state={state} columns={columns} rows={rows} />
    </ThemeContext.Provider>
  );
}
