// Golden strings produced once by CPython 3.11:
//   json.dumps(json.loads(<our pretty text>), sort_keys=True, separators=(",", ":"))
// i.e. what Python makes of the files we write. Committed as literals: the tests need no Python.
import { readFileSync } from 'node:fs';
import { parse as parseLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  canonicalJsonLossless,
  compareCodePoints,
  prettyJson,
  pythonFloatRepr,
} from '../../../src/envelope/index.js';
import { pythonNumberLiteral } from '../../../src/envelope/canonical.js';

const GOLDEN: ReadonlyArray<[string, unknown, string]> = [
  ['zero', 0, '0'],
  ['one', 1, '1'],
  ['minus one', -1, '-1'],
  ['2^53', 2 ** 53, '9007199254740992'],
  ['1e20 integral', 1e20, '100000000000000000000'],
  ['0.1', 0.1, '0.1'],
  ['1e-7', 1e-7, '1e-07'],
  ['1e21', 1e21, '1e+21'],
  ['-0', -0, '0'],
  ['1e-05', 1e-5, '1e-05'],
  ['1.5e+16 (integral double → int)', 1.5e16, '15000000000000000'],
  ['1e16', 1e16, '10000000000000000'],
  ['1e15+0.5', 1e15 + 0.5, '1000000000000000.5'],
  ['0.0001', 0.0001, '0.0001'],
  ['-123.456', -123.456, '-123.456'],
  ['1/3', 1 / 3, '0.3333333333333333'],
  ['5e-324', 5e-324, '5e-324'],
  ['max double', 1.7976931348623157e308, '1.7976931348623157e+308'],
  ['2.5e-9', 2.5e-9, '2.5e-09'],
  ['ascii string', 'hello world', '"hello world"'],
  [
    'escapes',
    'q"b\\n\nr\rt\tb\bf\f\u0001\u001f\u007f',
    '"q\\"b\\\\n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\\u007f"',
  ],
  ['latin/bmp', 'café ☕ naïve — ü', '"caf\\u00e9 \\u2615 na\\u00efve \\u2014 \\u00fc"'],
  ['astral', '𝄞 😀', '"\\ud834\\udd1e \\ud83d\\ude00"'],
  ['lone surrogate', '\ud800x', '"\\ud800x"'],
  [
    'astral keys sort by code point',
    { '😀': 1, ｚ: 2, a: 3, é: 4, '': 5 },
    '{"":5,"a":3,"\\u00e9":4,"\\uff5a":2,"\\ud83d\\ude00":1}',
  ],
  [
    'nested arrays',
    [[1, [2.5, [[], {}]]], [], [null, true, false]],
    '[[1,[2.5,[[],{}]]],[],[null,true,false]]',
  ],
  ['object mix', { b: [1e-7, 0.1], a: { d: -0, c: 'x' } }, '{"a":{"c":"x","d":0},"b":[1e-07,0.1]}'],
];

describe('canonicalJson', () => {
  it.each(GOLDEN)('%s matches the Python golden', (_label, value, golden) => {
    expect(canonicalJson(value)).toBe(golden);
  });

  it('round-trips through our pretty text: canonical(lossless(pretty(x))) equals canonical(x)', () => {
    for (const [, value, golden] of GOLDEN) {
      const text = prettyJson({ v: value });
      expect(canonicalJsonLossless(parseLossless(text))).toBe(`{"v":${golden}}`);
    }
  });

  it.each([
    ['NaN', NaN, /NaN/],
    ['Infinity', Infinity, /Infinity/],
    ['-Infinity', -Infinity, /Infinity/],
    ['undefined', undefined, /undefined/],
    ['a function', () => 1, /function/],
  ])('rejects %s with a coded error naming the path', (_label, bad, pattern) => {
    let caught: unknown;
    try {
      canonicalJson({ metrics: { x: [1, bad] } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'E_CANONICAL_JSON' });
    expect((caught as Error).message).toMatch(pattern);
    expect((caught as Error).message).toContain('$.metrics.x[1]');
  });

  it.each([
    ['a Date', new Date(0), /Date object/],
    ['a Map', new Map([['a', 1]]), /Map object/],
    ['an array hole', [1, , 3], /undefined/], // eslint-disable-line no-sparse-arrays
  ])('rejects %s instead of writing something Python would read differently', (_label, bad, pattern) => {
    expect(() => canonicalJson({ x: bad })).toThrow(pattern);
  });

  it('sorts keys by code point, not by UTF-16 unit', () => {
    const keys = ['\u{1F600}', '\uff5a', 'a'];
    expect([...keys].sort()).toEqual(['a', '\u{1F600}', '\uff5a']); // JS default: wrong for Python
    expect([...keys].sort(compareCodePoints)).toEqual(['a', '\uff5a', '\u{1F600}']);
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
  });
});

describe('pythonFloatRepr', () => {
  it('matches CPython repr() for 3 168 doubles (random bit patterns + decimal edge cases)', () => {
    const lines = readFileSync(new URL('./python-float-repr.golden.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(lines.length).toBeGreaterThan(3000);
    const mismatches: string[] = [];
    for (const line of lines) {
      const [hex, repr] = line.split(' ');
      const value = Buffer.from(hex!, 'hex').readDoubleLE(0);
      const ours = pythonFloatRepr(value);
      if (ours !== repr) mismatches.push(`${hex}: python ${repr}, ours ${ours}`);
    }
    expect(mismatches).toEqual([]);
  });

  it.each([
    [0.1, '0.1'],
    [1e-7, '1e-07'],
    [1e21, '1e+21'],
    [-0, '-0.0'],
    [1e-5, '1e-05'],
    [1.5e16, '1.5e+16'],
    [1e16, '1e+16'],
    [0.0001, '0.0001'],
    [1, '1.0'],
  ])('repr(%s) = %s', (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe('canonicalJsonLossless', () => {
  it('renders each literal as Python json.loads → json.dumps does: ints keep every digit, floats become repr', () => {
    const text = '{"b": 12345678901234567890, "a": 1.0, "c": [1e-05, 2.50, 0.000025, 1E5, -0, -0.0, 5e-400]}';
    // golden: python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True, separators=(",", ":")))'
    expect(canonicalJsonLossless(parseLossless(text))).toBe(
      '{"a":1.0,"b":12345678901234567890,"c":[1e-05,2.5,2.5e-05,100000.0,0,-0.0,0.0]}',
    );
    // what a plain JSON.parse would have made of it (the reason verify parses losslessly)
    expect(canonicalJson(JSON.parse(text))).not.toContain('12345678901234567890');
  });

  it.each([
    ['0.000025', '2.5e-05'],
    ['0.0001', '0.0001'],
    ['0.00001', '1e-05'],
    ['1e-9', '1e-09'],
    ['123456789012345678.0', '1.2345678901234568e+17'],
    ['1e16', '1e+16'],
    ['9999999999999999.0', '1e+16'],
    ['1.7976931348623157e308', '1.7976931348623157e+308'],
    ['4.9e-324', '5e-324'],
    ['-2.5E-7', '-2.5e-07'],
    ['42', '42'],
    ['-0', '0'],
    ['9007199254740993', '9007199254740993'],
  ])('pythonNumberLiteral(%s) = %s', (literal, expected) => {
    expect(pythonNumberLiteral(literal)).toBe(expected);
  });

  it('refuses literals Python would read as inf, and ints over 4300 digits', () => {
    expect(() => pythonNumberLiteral('1e400', '$.metrics.x')).toThrow(
      /\$\.metrics\.x: 1e400 is not a finite double/,
    );
    expect(() => pythonNumberLiteral('-1.0e999')).toThrow(/not a finite double/);
    expect(() => pythonNumberLiteral('1'.repeat(4301))).toThrow(/4301 digits/);
    expect(pythonNumberLiteral('1'.repeat(4300))).toBe('1'.repeat(4300));
  });
});
