// A tiny terminal emulator for tests: enough of VT100 to replay what Ink writes (cursor moves,
// erase line/down, clear screen; SGR and private modes are ignored). Lets tests read the screen
// a user would see after incremental redraws, instead of trusting the last write.
import { EventEmitter } from 'node:events';

// eslint-disable-next-line no-control-regex -- parsing terminal escapes is the point
const CSI = /^\u001B\[([?0-9;]*)([A-Za-z])/;

export class VirtualTerminal extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  /** Every line ever written (scrollback + screen). */
  private lines: string[][] = [[]];
  private row = 0;
  private col = 0;
  bytesWritten = 0;
  writes = 0;

  constructor(columns = 80, rows = 24) {
    super();
    this.columns = columns;
    this.rows = rows;
  }

  private top(): number {
    return Math.max(0, this.lines.length - this.rows);
  }

  private ensureRow(): void {
    while (this.lines.length <= this.row) this.lines.push([]);
  }

  private put(ch: string): void {
    this.ensureRow();
    const line = this.lines[this.row]!;
    if (this.col >= this.columns) {
      // Autowrap, as a real terminal does: the sign of a frame wider than the terminal.
      this.row += 1;
      this.col = 0;
      this.ensureRow();
      this.put(ch);
      return;
    }
    while (line.length < this.col) line.push(' ');
    line[this.col] = ch;
    this.col += 1;
  }

  private csi(params: string, cmd: string): void {
    const n =
      params === '' || params.startsWith('?') ? 1 : Number.parseInt(params.split(';')[0] ?? '1', 10) || 1;
    this.ensureRow();
    switch (cmd) {
      case 'A':
        this.row = Math.max(this.top(), this.row - n);
        break;
      case 'B':
        this.row += n;
        this.ensureRow();
        break;
      case 'C':
        this.col = Math.min(this.columns - 1, this.col + n);
        break;
      case 'D':
        this.col = Math.max(0, this.col - n);
        break;
      case 'E':
        this.row += n;
        this.col = 0;
        this.ensureRow();
        break;
      case 'F':
        this.row = Math.max(this.top(), this.row - n);
        this.col = 0;
        break;
      case 'G':
        this.col = Math.max(0, n - 1);
        break;
      case 'H':
        this.row = this.top();
        this.col = 0;
        break;
      case 'K': {
        const line = this.lines[this.row]!;
        if (params === '2') line.length = 0;
        else if (params === '1') for (let i = 0; i <= this.col && i < line.length; i += 1) line[i] = ' ';
        else line.length = Math.min(line.length, this.col);
        break;
      }
      case 'J':
        if (params === '2' || params === '3') {
          this.lines = [[]];
          this.row = 0;
          this.col = 0;
        } else {
          this.lines[this.row]!.length = Math.min(this.lines[this.row]!.length, this.col);
          this.lines.length = this.row + 1;
        }
        break;
      default:
        break; // m (SGR), h/l (modes), etc.
    }
  }

  write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    this.bytesWritten += Buffer.byteLength(text);
    this.writes += 1;
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\u001B') {
        const m = CSI.exec(text.slice(i, i + 32));
        if (m) {
          this.csi(m[1] ?? '', m[2] ?? '');
          i += m[0].length;
          continue;
        }
        // ESC 7 / ESC 8 / ESC c and other two-byte sequences: skip.
        i += 2;
        continue;
      }
      if (ch === '\n') {
        this.row += 1;
        this.col = 0;
        this.ensureRow();
      } else if (ch === '\r') {
        this.col = 0;
      } else {
        const cp = text.codePointAt(i)!;
        const s = String.fromCodePoint(cp);
        this.put(s);
        i += s.length;
        continue;
      }
      i += 1;
    }
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };

  /** The visible screen: the last `rows` lines, right-trimmed. */
  screen(): string[] {
    const all = this.lines.map((l) => l.join('').replace(/\s+$/, ''));
    const visible = all.slice(this.top());
    while (visible.length > 0 && visible.at(-1) === '') visible.pop();
    return visible;
  }

  /** Everything written, scrollback included. */
  allLines(): string[] {
    return this.lines.map((l) => l.join('').replace(/\s+$/, ''));
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** A stdin Ink accepts as a raw-mode TTY; `press()` feeds keys. */
export class FakeStdin extends EventEmitter {
  isTTY = true;
  private queue: string[] = [];
  setEncoding(): this {
    return this;
  }
  setRawMode(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  read = (): string | null => this.queue.shift() ?? null;
  press(data: string): void {
    this.queue.push(data);
    this.emit('readable');
  }
}
