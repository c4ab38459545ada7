// Styled line segments → one pre-fitted ANSI string (pure). The console builds every line this
// way and hands Ink a same-width ASCII placeholder (see Line.tsx): Ink then measures ASCII (fast)
// instead of running its grapheme segmenter over block characters on every frame.

export interface Seg {
  readonly text: string;
  readonly color?: string | undefined;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

const FG: Readonly<Record<string, number>> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  grey: 90,
};

/** East Asian Wide / Fullwidth blocks and emoji: two cells. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Terminal cells of one code point (1 for ASCII, Latin, punctuation, box drawing, blocks, shapes). */
export function codePointWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (cp <= 0x36f || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0; // combining, zero-width
  if (cp < 0x1100 || (cp >= 0x2000 && cp <= 0x27bf)) return 1;
  return WIDE.some(([lo, hi]) => cp >= lo && cp <= hi) ? 2 : 1;
}

export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += codePointWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** Cuts segments to `width` cells; a cut line ends with …. Returns the kept segments and their width. */
export function fitSegs(segs: readonly Seg[], width: number): { segs: Seg[]; width: number } {
  const total = segs.reduce((a, s) => a + textWidth(s.text), 0);
  if (total <= width) return { segs: [...segs], width: total };
  const out: Seg[] = [];
  let used = 0;
  const limit = Math.max(0, width - 1);
  for (const seg of segs) {
    let text = '';
    for (const ch of seg.text) {
      const w = codePointWidth(ch.codePointAt(0) ?? 0);
      if (used + w > limit) break;
      text += ch;
      used += w;
    }
    if (text) out.push({ ...seg, text });
    if (used >= limit || text.length < seg.text.length) break;
  }
  if (width > 0) {
    const last = out.at(-1);
    out.push({ text: '…', ...(last?.color ? { color: last.color } : {}) });
    used += 1;
  }
  return { segs: out, width: used };
}

function styled(seg: Seg): string {
  const open: number[] = [];
  const close: number[] = [];
  if (seg.bold) open.push(1);
  if (seg.dim) open.push(2);
  if (seg.bold || seg.dim) close.push(22);
  if (seg.inverse) {
    open.push(7);
    close.push(27);
  }
  const fg = seg.color ? FG[seg.color] : undefined;
  if (fg !== undefined) {
    open.push(fg);
    close.push(39);
  }
  if (open.length === 0) return seg.text;
  return `\u001B[${open.join(';')}m${seg.text}\u001B[${close.join(';')}m`;
}

export function plainText(segs: readonly Seg[]): string {
  return segs.map((s) => s.text).join('');
}

/** The line as an ANSI string, cut to `width` cells, and its visible width. */
export function renderSegs(segs: readonly Seg[], width: number): { ansi: string; width: number } {
  const fitted = fitSegs(segs, width);
  return { ansi: fitted.segs.map(styled).join(''), width: fitted.width };
}
