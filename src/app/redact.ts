// Redaction of URLs before anything is printed: credentials in the authority (`user:pass@` →
// `user:***@`, a lone `token@` → `***@`) and secret-looking query parameters (`api_key=***`).
// redactText() applies it to every URL inside a message, so error lines are safe to print.

const SECRET_PARAM =
  /^(api[_-]?key|apikey|key|token|access[_-]?token|auth|authorization|password|passwd|pwd|secret|client[_-]?secret|sig|signature|x-api-key|session|code)$/i;

/** A URL with its credentials and secret query values masked; unparsable text is masked by pattern. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/(\/\/)([^/@]*)@/, (_m, slashes: string, auth: string) =>
      auth.includes(':') ? `${slashes}${auth.slice(0, auth.indexOf(':'))}:***@` : `${slashes}***@`,
    );
  }
  if (parsed.password !== '') parsed.password = '***';
  else if (parsed.username !== '') parsed.username = '***';
  for (const key of [...parsed.searchParams.keys()])
    if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, '***');
  // URL escapes the asterisks it was given: show them plainly.
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** Every URL in `text` redacted (see redactUrl). */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
