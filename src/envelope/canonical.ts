// Canonical JSON, byte-compatible with Python's
//   json.dumps(obj, sort_keys=True, separators=(",", ":"))   (ensure_ascii=True by default)
// which is what InferenceBench hashes. Two entry points:
//   canonicalJson(value)          for values WE build (plain JS numbers → Python text rules below)
//   canonicalJsonLossless(parsed) for files parsed with lossless-json: each number literal becomes
//                                 what Python's json.loads → json.dumps makes of it (pythonNumberLiteral)
// Number rules for plain JS numbers (ARCHITECTURE.md, docs/envelope.md): integral doubles below 1e21 are written as
// integers (Python reads them as int and writes them back unchanged); -0 becomes 0; every other
// finite double is written in Python's float repr (`0.1`, `1e-05`, `1.5e+16`, `1e+21`).
import { isLosslessNumber } from 'lossless-json';
import { CanonicalJsonError } from './errors.js';

/** Python's repr() of a finite double: shortest round-trip digits, sci notation outside 1e-4 ≤ |x| < 1e16. */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) throw new CanonicalJsonError(`cannot represent ${x} in JSON`);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const exponential = Math.abs(x).toExponential(); // shortest digits, e.g. "1.5e+16", "1e-7"
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential);
  if (!match) throw new CanonicalJsonError(`unexpected number form ${exponential}`);
  const digits = match[1]! + (match[2] ?? '');
  const exponent = Number(match[3]);
  const decimalPoint = exponent + 1; // value = 0.<digits> × 10^decimalPoint
  if (decimalPoint > 16 || decimalPoint <= -4) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponentText = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${exponentText}`;
  }
  if (decimalPoint <= 0) return `${sign}0.${'0'.repeat(-decimalPoint)}${digits}`;
  if (decimalPoint >= digits.length) return `${sign}${digits}${'0'.repeat(decimalPoint - digits.length)}.0`;
  return `${sign}${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`;
}

/** Text of a JS number in envelopes we write: integers below 1e21 without a fraction, else Python repr. */
export function numberText(x: number, path = '$'): string {
  if (!Number.isFinite(x)) throw new CanonicalJsonError(`${path}: ${x} is not allowed in an envelope`);
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return x === 0 ? '0' : String(x);
  return pythonFloatRepr(x);
}

/** Python's int() reads at most 4300 digits (CPython ≥ 3.11 int_max_str_digits default). */
const PYTHON_MAX_INT_DIGITS = 4300;
const INTEGER_LITERAL = /^-?\d+$/;

/**
 * What Python's json.loads → json.dumps makes of one JSON number literal: an integer literal is an
 * int and keeps every digit (`-0` becomes `0`); a literal with `.`, `e` or `E` is a float and is
 * re-rendered in Python's repr (`0.000025` → `2.5e-05`, `2.50` → `2.5`, `1E5` → `100000.0`).
 * A literal outside the double range (Python would read inf) and an integer Python refuses to
 * read (over 4300 digits) are refused.
 */
export function pythonNumberLiteral(literal: string, path = '$'): string {
  if (INTEGER_LITERAL.test(literal)) {
    const digits = literal.startsWith('-') ? literal.slice(1) : literal;
    if (digits.length > PYTHON_MAX_INT_DIGITS)
      throw new CanonicalJsonError(
        `${path}: an integer of ${digits.length} digits (Python reads at most 4300)`,
      );
    return /^-0+$/.test(literal) ? '0' : literal;
  }
  const value = Number(literal);
  if (!Number.isFinite(value))
    throw new CanonicalJsonError(`${path}: ${literal.slice(0, 40)} is not a finite double`);
  return pythonFloatRepr(value);
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
};

/** A JSON string literal as Python writes it with ensure_ascii=True (\uXXXX lower-case, surrogate pairs). */
export function pythonStringLiteral(text: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c) continue;
    out += text.slice(runStart, i);
    out += SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, '0')}`;
    runStart = i + 1;
  }
  return `${out}${text.slice(runStart)}"`;
}

/** Orders strings by Unicode code point, as Python does (JS's default sort compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

type NumberWriter = (value: unknown, path: string) => string | undefined;

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return typeof value === 'bigint' || typeof value === 'number' ? String(value) : typeof value;
}

function serialize(value: unknown, path: string, writeNumber: NumberWriter): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return pythonStringLiteral(value);
  const numberTextOrUndefined = writeNumber(value, path);
  if (numberTextOrUndefined !== undefined) return numberTextOrUndefined;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (let index = 0; index < value.length; index++)
      parts.push(serialize(value[index], `${path}[${index}]`, writeNumber)); // holes → undefined → refused
    return `[${parts.join(',')}]`;
  }
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = typeof value.constructor === 'function' ? value.constructor.name : 'non-plain';
      throw new CanonicalJsonError(
        `${path}: a ${name} object is not allowed in an envelope (use plain objects, strings and numbers)`,
      );
    }
    const keys = Object.keys(value).sort(compareCodePoints);
    const record = value as Record<string, unknown>;
    const parts = keys.map(
      (key) => `${pythonStringLiteral(key)}:${serialize(record[key], `${path}.${key}`, writeNumber)}`,
    );
    return `{${parts.join(',')}}`;
  }
  throw new CanonicalJsonError(`${path}: ${describe(value)} is not allowed in an envelope`);
}

const plainNumbers: NumberWriter = (value, path) => {
  if (typeof value === 'number') return numberText(value, path);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
};

const losslessNumbers: NumberWriter = (value, path) => {
  if (isLosslessNumber(value)) return pythonNumberLiteral(value.value, path);
  return plainNumbers(value, path);
};

/** Canonical JSON of a value we built (see the module comment for number rules). */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$', plainNumbers);
}

/**
 * Canonical JSON of a lossless-json parse result, byte-identical to Python's
 * json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")).
 */
export function canonicalJsonLossless(parsed: unknown): string {
  return serialize(parsed, '$', losslessNumbers);
}

/**
 * Pretty JSON (2-space indent, insertion key order) with the same string and number text as the
 * canonical form, so Python's json.loads + canonical dumps of the file reproduces canonicalJson.
 */
export function prettyJson(value: unknown, lossless = false): string {
  const writeNumber = lossless ? losslessNumbers : plainNumbers;
  const render = (node: unknown, path: string, indent: string): string => {
    if (node !== null && typeof node === 'object' && !isLosslessNumber(node)) {
      const inner = `${indent}  `;
      if (Array.isArray(node)) {
        if (node.length === 0) return '[]';
        const items = node.map((item, index) => inner + render(item, `${path}[${index}]`, inner));
        return `[\n${items.join(',\n')}\n${indent}]`;
      }
      const record = node as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 0) return '{}';
      const items = keys.map(
        (key) => `${inner}${pythonStringLiteral(key)}: ${render(record[key], `${path}.${key}`, inner)}`,
      );
      return `{\n${items.join(',\n')}\n${indent}}`;
    }
    return serialize(node, path, writeNumber);
  };
  return render(value, '$', '');
}
