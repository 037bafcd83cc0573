/**
 * Text that reaches a terminal, a log line or MLflow must not carry control characters: an ESC
 * sequence can clear a screen or recolour it, a newline can forge a log line, a NUL truncates
 * in C code. Names are refused when they contain one (config schemas); anything else echoed back
 * (a value in an error, a key that was not expected) is escaped, JSON-style.
 */

/**
 * C0 controls (tab and newline included), DEL, C1 controls, the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates (which reorder what a terminal shows).
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');

/** `s` with every control character written as a JSON escape (`\n`, `\t`, `\u001b`, …). */
export function escapeControl(s: string): string {
  return s.replace(CONTROL_CHARACTERS, (c) => {
    const json = JSON.stringify(c);
    // JSON.stringify leaves U+2028/2029 and C1 controls raw: write those as \uXXXX too.
    return json.length > 3 ? json.slice(1, -1) : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
