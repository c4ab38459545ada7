import { Text, Transform } from 'ink';
import { renderSegs, type Seg } from './segments.js';

/**
 * One console line, at most `width` cells. Ink lays out and measures an ASCII placeholder of the
 * same width; the Transform swaps in the styled text when the frame is written.
 */
export function Line({ segs, width }: { segs: readonly Seg[]; width: number }) {
  const { ansi, width: w } = renderSegs(segs, width);
  return (
    <Transform transform={() => ansi}>
      <Text>{'x'.repeat(Math.max(1, w))}</Text>
    </Transform>
  );
}
