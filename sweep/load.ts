/**
 * Reading sweep files: YAML with errors that name file:line:column and the field, validated by
 * SweepConfigSchema through the recsys config loader (parseYaml). Uses node:fs: CLI and
 * activities only, never workflow code (workflows get the parsed SweepConfig and may re-check it
 * with the schema, which is pure).
 *
 * YAML syntax errors are checked here first: recsys/config-file.ts parses with prettyErrors off,
 * so its syntax errors carry no line or column (yaml then leaves linePos unset). Here they get
 * the position from the LineCounter, and a duplicate key also its field.
 */
import { isMap, isNode, isPair, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { parseYaml } from '../recsys/config-file.ts';
import { readConfigText } from '../recsys/config-text.ts';
import { ConfigError, InputError } from '../recsys/errors.ts';
import { SweepConfigSchema, type SweepConfig } from './schema.ts';

/** Read and validate a sweep file; ConfigError (file:line:column, field) when it is wrong. */
export async function loadSweepFile(file: string): Promise<SweepConfig> {
  let text: string;
  try {
    // A regular file of at most 1 MiB of valid UTF-8 (recsys/config-text.ts).
    text = await readConfigText(file, 'sweep file');
  } catch (err) {
    if (err instanceof InputError) throw new ConfigError(file, [err]);
    throw err;
  }
  return parseSweepYaml(text, file);
}

/** Validate sweep YAML text; `file` names it in errors. */
export function parseSweepYaml(text: string, file = '<sweep>'): SweepConfig {
  checkYamlSyntax(text, file);
  return parseYaml(text, file, SweepConfigSchema);
}

function checkYamlSyntax(text: string, file: string): void {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return;
  throw new ConfigError(
    file,
    doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      // Only a duplicate key sits exactly where its field is; other syntax errors are found
      // past the mistake (an unclosed bracket is reported at the next key).
      const duplicate = e.code === 'DUPLICATE_KEY';
      const field = duplicate ? fieldAt(doc, e.pos[0]) || undefined : undefined;
      return new InputError({ file, line, column: col, field }, duplicate ? 'each key once' : 'valid YAML', e.message.split('\n')[0]);
    }),
  );
}

/** Path of the deepest key or item at `offset`, e.g. cell.cer or datasets[1].name. */
function fieldAt(doc: Document, offset: number): string {
  const path: string[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isNode(pair.key) ? (pair.key as { value?: unknown }).value : pair.key;
        const keyRange = isNode(pair.key) ? pair.key.range : undefined;
        const valueRange = isNode(pair.value) ? pair.value.range : undefined;
        const inKey = keyRange && offset >= keyRange[0] && offset < keyRange[1];
        const inValue = valueRange && offset >= valueRange[0] && offset < valueRange[2];
        if (inKey || inValue) {
          path.push(path.length ? `.${String(key)}` : String(key));
          next = inValue ? pair.value : undefined;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const r = isNode(item) ? item.range : undefined;
        if (r && offset >= r[0] && offset < r[2]) {
          path.push(`[${i}]`);
          next = item;
        }
      });
    }
    if (next === undefined) return path.join('');
    node = next;
  }
}
