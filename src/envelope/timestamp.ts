// The envelope `timestamp` exactly as InferenceBench's pydantic model writes it. Its field is a
// `datetime`; model_dump(mode="json") renders a UTC datetime as
//   `YYYY-MM-DDTHH:MM:SSZ`          when the microsecond part is 0
//   `YYYY-MM-DDTHH:MM:SS.ffffffZ`   otherwise (always 6 digits, `.402000Z`, `.000120Z`)
// and reads `+00:00`/`-00:00` as `Z`, pads shorter fractions and truncates longer ones to 6 digits.
// Checked with pydantic 2.13 (see test/unit/envelope/timestamp.test.ts). Python hashes the
// re-rendered text, so an envelope holding any other spelling fails its verify.

/** What pydantic writes back: seconds precision, or 6-digit fraction (never all zeros), then `Z`. */
export const PYDANTIC_UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?!0{6})\d{6})?Z$/;

const UTC_TIMESTAMP_READ = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:Z|[+-]00:00)$/;

/**
 * The envelope timestamp for an instant: `date` (ms precision) plus `extraMicros` (0–999) below
 * the millisecond, rendered as pydantic renders it.
 */
export function envelopeTimestamp(date: Date, extraMicros = 0): string {
  if (!Number.isInteger(extraMicros) || extraMicros < 0 || extraMicros > 999)
    throw new RangeError(`extraMicros must be an integer 0..999, got ${extraMicros}`);
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const micros = Number(iso.slice(20, 23)) * 1000 + extraMicros;
  return formatUtc(iso.slice(0, 19), micros);
}

function formatUtc(seconds: string, micros: number): string {
  return micros === 0 ? `${seconds}Z` : `${seconds}.${String(micros).padStart(6, '0')}Z`;
}

/**
 * What pydantic makes of a UTC timestamp string (parse, then dump): `null` when the text is not a
 * UTC RFC 3339 timestamp this module understands (other offsets are left to the schema).
 */
export function pydanticTimestamp(text: string): string | null {
  const match = UTC_TIMESTAMP_READ.exec(text);
  if (!match) return null;
  const fraction = (match[2] ?? '').slice(0, 6).padEnd(6, '0');
  return formatUtc(match[1] ?? '', Number(fraction));
}
