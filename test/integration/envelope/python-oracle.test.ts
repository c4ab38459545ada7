// Property test (integration: it spawns python3): for random envelope-like JSON texts, our canonical form of the lossless parse is
// byte-identical to CPython's
//   json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
// python3 is the oracle: spawned ONCE for the whole batch (JSON lines in, JSON lines out). A
// missing python3 fails the test (it is on every machine here and in CI). The seed is printed on
// failure; rerun with PYTHON_ORACLE_SEED=<seed> to reproduce.
import fc from 'fast-check';
import { parse as parseLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { canonicalJsonLossless } from '../../../src/envelope/canonical.js';
import { pythonCanonical } from '../../helpers/python.js';

// ---- arbitraries: JSON TEXT, so that the spelling of each number literal varies ----------------

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const smallDouble = fc.oneof(
  fc.double({ min: 1e-9, max: 1e-4, noNaN: true }),
  fc.double({ min: -1e-4, max: -1e-9, noNaN: true }),
);
const subnormal = fc.double({ min: -2.2250738585072014e-308, max: 2.2250738585072014e-308, noNaN: true });

/** A float literal (always with `.`, `e` or `E`) spelled one of many ways. */
const floatLiteral: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(finiteDouble, smallDouble, subnormal, fc.constantFrom(0, -0, 0.1, 1e16, 1e21, 2.5e-5, 5e-324)),
    fc.nat({ max: 7 }),
    fc.nat({ max: 20 }),
  )
  .map(([x, style, digits]) => {
    const forms = [
      String(x),
      x.toExponential(),
      x.toExponential(Math.min(digits, 20)),
      x.toPrecision(Math.max(1, Math.min(digits + 1, 21))),
      x.toExponential().toUpperCase(),
      x.toExponential().replace('e+', 'e'),
      Math.abs(x) < 1e21 && Math.abs(x) >= 1e-6 ? x.toFixed(Math.min(digits, 20)) : String(x),
      String(x),
    ];
    let literal = forms[style] ?? String(x);
    if (!/[.eE]/.test(literal)) literal += style % 2 === 0 ? '.0' : 'e0';
    if (/\.\d+$/.test(literal) && digits % 3 === 0) literal += '00'; // trailing zeros: 2.50
    return Number.isFinite(Number(literal)) ? literal : x.toExponential();
  });

/** Plain decimals in the range where JS and Python disagree most (0.000025 vs 2.5e-05). */
const smallDecimal = fc
  .tuple(fc.boolean(), fc.integer({ min: 4, max: 9 }), fc.integer({ min: 1, max: 99_999 }))
  .map(([negative, zeros, digits]) => `${negative ? '-' : ''}0.${'0'.repeat(zeros)}${digits}`);

const integerLiteral = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.integer({ min: -3, max: 3 }).map((k) => String(2n ** 53n + BigInt(k))),
  fc.constantFrom('0', '-0', '9007199254740993', '18446744073709551616'),
);
const numberLiteral = fc.oneof(floatLiteral, smallDecimal, integerLiteral);

const text = fc.string({ unit: 'binary', maxLength: 12 }).filter(
  (s) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')), // no lone surrogates
);
/** A JSON string literal: raw UTF-8, or with every non-ASCII unit escaped as \uXXXX. */
function stringLiteral(value: string, escapeAll: boolean): string {
  const json = JSON.stringify(value);
  return escapeAll
    ? json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}
const stringArb = fc.tuple(text, fc.boolean()).map(([value, escape]) => stringLiteral(value, escape));
const spacing = fc.constantFrom('', ' ', '\t', '  ');

const { value: jsonValue } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    numberLiteral,
    stringArb,
    fc.constantFrom('true', 'false', 'null'),
    tie('array'),
    tie('object'),
  ),
  array: fc
    .tuple(fc.array(tie('value'), { maxLength: 5 }), spacing)
    .map(([items, ws]) => `[${ws}${items.join(`${ws},${ws}`)}${ws}]`),
  object: fc
    .tuple(
      fc.uniqueArray(fc.tuple(text, fc.boolean(), tie('value')), { selector: ([key]) => key, maxLength: 6 }),
      spacing,
    )
    .map(
      ([entries, ws]) =>
        `{${ws}${entries.map(([key, escape, value]) => `${stringLiteral(key, escape)}${ws}:${ws}${value}`).join(`${ws},${ws}`)}${ws}}`,
    ),
}));

/** Envelope-shaped text: v1-like blocks with random metrics, a big seed, warnings, extensions. */
const envelopeText = fc
  .record({
    metrics: fc.uniqueArray(fc.tuple(text, numberLiteral), { selector: ([key]) => key, maxLength: 12 }),
    seed: integerLiteral,
    warnings: fc.array(stringArb, { maxLength: 4 }),
    extra: jsonValue,
    ws: spacing,
  })
  .map(
    ({ metrics, seed, warnings, extra, ws }) =>
      `{"envelope_version":${ws}"v1","seed":${ws}${seed},"metrics":{${metrics
        .map(([key, value]) => `${stringLiteral(key, false)}:${ws}${value}`)
        .join(',')}},"warnings":[${warnings.join(',')}],"run_context":${extra}}`,
  );

describe('canonical form against the python3 oracle', () => {
  it('python3 is there (the oracle is required, not optional)', () => {
    expect(pythonCanonical(['{"b":0.000025,"a":[1E5,-0,12345678901234567890]}'])).toEqual([
      '{"a":[100000.0,0,12345678901234567890],"b":2.5e-05}',
    ]);
  });

  it('is byte-identical to json.dumps(json.loads(text)) for random envelope-like texts', () => {
    const seed = Number(process.env.PYTHON_ORACLE_SEED ?? Date.now() % 2 ** 31);
    const texts = [
      ...fc.sample(envelopeText, { numRuns: 300, seed }),
      ...fc.sample(jsonValue, { numRuns: 300, seed: seed + 1 }),
    ];
    const expected = pythonCanonical(texts);
    const mismatches: string[] = [];
    texts.forEach((input, index) => {
      let ours: string;
      try {
        ours = canonicalJsonLossless(parseLossless(input));
      } catch (error) {
        ours = `!ERROR ${(error as Error).message}`;
      }
      if (ours !== expected[index])
        mismatches.push(`${input}\n  python: ${expected[index]}\n  ours:   ${ours}`);
    });
    expect(mismatches.slice(0, 3), `seed ${seed}: ${mismatches.length} of ${texts.length} differ`).toEqual(
      [],
    );
  });
});
