/**
 * What an error may quote of a data file's content: a data path can point at the wrong file (a
 * `.env`, a credentials JSON), and the error goes to the terminal, the logs and MLflow's
 * `rexsweep.close_reason` tag. So at most the first EXCERPT_CHARS characters are quoted, with
 * anything that looks like a secret masked (the value of `key=value` / `key: value` / `"key":
 * "value"`, an `Authorization`-style scheme's credentials, any long token-like run), and the
 * line's length said instead of the rest. Control characters are escaped by InputError itself.
 */

export const EXCERPT_CHARS = 40;

const MASK = '***';

/** A short, redacted excerpt of `text` for an error message. */
export function redactedExcerpt(text: string): string {
  const masked = text
    // Bearer/Basic/token credentials
    .replace(/\b(bearer|basic|token)\s+\S+/gi, (_m, scheme: string) => `${scheme} ${MASK}`)
    // key=value, key: value, "key": "value" (the value up to a separator or quote)
    .replace(/(["']?[A-Za-z_][\w.-]*["']?\s*[=:]\s*)(["']?)[^\s"',;&}]+/g, (_m, key: string, quote: string) => `${key}${quote}${MASK}`)
    // long runs of token characters (keys, hashes, base64)
    .replace(/[A-Za-z0-9+/_-]{16,}={0,2}/g, MASK);
  const head = Array.from(masked).slice(0, EXCERPT_CHARS).join('');
  return head.length < masked.length ? `${head}… (${text.length} characters)` : head;
}
