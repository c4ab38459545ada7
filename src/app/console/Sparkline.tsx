import { Text } from 'ink';
import { sparkline, type SparklineOptions } from './sparkline-series.js';
import { useTheme } from './theme.js';

/** A block-character sparkline exactly `width` cells wide (left-padded while the series is short). */
export function Sparkline({
  values,
  width,
  color,
  ...options
}: { values: readonly number[]; width: number; color?: string | undefined } & SparklineOptions) {
  const theme = useTheme();
  const line = sparkline(values, width, options);
  return <Text color={color ?? theme.spark}>{line.padStart(Math.max(0, width))}</Text>;
}
