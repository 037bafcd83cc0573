/**
 * YAML + zod with errors that name file, line, column and field. The YAML document keeps
 * source positions; each zod issue's path is looked up in it to find where the value (or,
 * for a missing key, its parent) was written.
 */
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { readConfigText } from './config-text.ts';
import { ConfigError, InputError } from './errors.ts';

type Path = (string | number)[];

export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    // A regular file of at most 1 MiB of valid UTF-8 (recsys/config-text.ts).
    text = await readConfigText(file, 'YAML file');
  } catch (err) {
    if (err instanceof InputError) throw new ConfigError(file, [err]);
    throw err;
  }
  return parseYaml(text, file, schema);
}

export function parseYaml<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        // prettyErrors is off, so the position comes from the line counter.
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return new InputError({ file, line: pos.line, column: pos.col }, 'valid YAML', e.message.split('\n')[0]);
      }),
    );
  }
  if (doc.contents === null) {
    throw new ConfigError(file, [new InputError({ file, line: 1, column: 1 }, 'a YAML map of settings', 'an empty file')]);
  }
  let value: unknown;
  try {
    // Aliases are resolved here: an undefined anchor or an alias bomb fails at this point.
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError(file, [new InputError({ file, line: 1, column: 1 }, 'YAML whose aliases resolve', (err as Error).message.split('\n')[0])]);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const extraKeys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const fieldPath = extraKeys.length ? [...path, extraKeys[0]] : path;
    const { line, column } = locate(doc, lineCounter, fieldPath);
    const expected = extraKeys.length ? 'only known keys (is it misspelt?)' : issue.message.replace(/^[^:]*: expected /, '');
    const got = extraKeys.length ? extraKeys.join(', ') : describe(doc.getIn(path));
    return new InputError({ file, line, column, field: formatPath(fieldPath) || '(root)' }, expected, got);
  });
  throw new ConfigError(file, issues);
}

function locate(doc: Document, lc: LineCounter, path: Path): { line?: number; column?: number } {
  // Walk down as far as the path exists; report the deepest node found.
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    if (isNode(node) && node.range) {
      // For a key that exists, point at the key rather than its value.
      const parent = n > 0 ? (prefix.length === 1 ? doc.contents : doc.getIn(prefix.slice(0, -1), true)) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === prefix[prefix.length - 1]);
        if (pair && isNode(pair.key) && pair.key.range) return toPos(lc.linePos(pair.key.range[0]));
      }
      return toPos(lc.linePos(node.range[0]));
    }
  }
  return {};
}

function toPos(p: unknown): { line?: number; column?: number } {
  const pos = p as { line: number; col: number };
  return { line: pos.line, column: pos.col };
}

function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describe(v: unknown): string | undefined {
  if (v === undefined) return 'nothing';
  if (isNode(v)) return JSON.stringify((v as { toJSON(): unknown }).toJSON());
  return JSON.stringify(v);
}
