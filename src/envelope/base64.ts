/** Strict base64: decoding and re-encoding must give the same text (no ignored bits or characters). */
export function strictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
