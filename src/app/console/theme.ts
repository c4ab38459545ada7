// Semantic colours. With NO_COLOR every colour is undefined (bold/dim stay: they are not colours).
import { createContext, useContext } from 'react';

export interface Theme {
  readonly noColor: boolean;
  readonly accent: string | undefined;
  readonly ok: string | undefined;
  readonly warn: string | undefined;
  readonly bad: string | undefined;
  readonly muted: string | undefined;
  readonly spark: string | undefined;
  readonly p50: string | undefined;
  readonly p99: string | undefined;
}

export function createTheme(noColor: boolean): Theme {
  if (noColor) {
    return {
      noColor,
      accent: undefined,
      ok: undefined,
      warn: undefined,
      bad: undefined,
      muted: undefined,
      spark: undefined,
      p50: undefined,
      p99: undefined,
    };
  }
  return {
    noColor,
    accent: 'cyan',
    ok: 'green',
    warn: 'yellow',
    bad: 'red',
    muted: 'gray',
    spark: 'cyan',
    p50: 'green',
    p99: 'magenta',
  };
}

/** NO_COLOR is honoured when present and non-empty (https://no-color.org). */
export function noColorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.NO_COLOR;
  return value !== undefined && value !== '';
}

export const ThemeContext = createContext<Theme>(createTheme(false));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
