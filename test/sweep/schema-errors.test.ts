/**
 * A corpus of malformed sweep files (test/fixtures/sweep/): each must give a ConfigError whose
 * message is exactly `<file>:<line>:<column> (field <path>): expected …`, as its `# expect:`
 * comment says, and the configs/ files must be valid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../recsys/errors.ts';
import { loadSweepFile, parseSweepYaml } from '../../sweep/load.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/sweep/', import.meta.url));
const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();

describe('malformed sweep files', () => {
  it('are at least 10', () => expect(files.length).toBeGreaterThanOrEqual(10));

  for (const name of files) {
    it(name, async () => {
      const file = join(FIXTURES, name);
      const expected = /^# expect: (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];
      expect(expected, 'the fixture says which error it must give').toBeDefined();
      const err = await loadSweepFile(file).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toMatch(/^[^:]+\.yaml:\d+:\d+ \(field [^)]+\): expected /);
      expect(message).toBe(`${file}:${expected}`);
      const [issue] = (err as ConfigError).issues;
      expect(issue.location.line).toBeGreaterThan(0);
      expect(issue.location.column).toBeGreaterThan(0);
      expect(issue.location.field).toBeTruthy();
    });
  }

  it('report every problem of a file at once', () => {
    const err = (() => {
      try {
        parseSweepYaml('study: s\nname: n\ndatasets: []\nmodels: [cer]\nlambdas: [0, 2]\nepsilonsD: [1]\nepsilonsA: [1]\nseeds: [0]\nfoo: 1\n', 'multi.yaml');
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.map((i) => i.location.field).sort()).toEqual(['datasets', 'foo', 'lambdas[1]']);
  });

  it('name the file and the problem when the file cannot be read', async () => {
    await expect(loadSweepFile('/no/such/sweep.yaml')).rejects.toThrow('/no/such/sweep.yaml');
  });

  it('give YAML syntax errors a line and column', () => {
    expect(() => parseSweepYaml('study: s\nlambdas: [0, 1\nname: x\n', 'syntax.yaml')).toThrow(/^syntax\.yaml:3:1: expected valid YAML/);
  });
});

describe('configs/', () => {
  for (const name of ['demo.yaml', 'paper.yaml']) {
    it(`${name} is a valid sweep`, async () => {
      await expect(loadSweepFile(join(CONFIGS, name))).resolves.toMatchObject({ name: name.replace('.yaml', '') });
    });
  }
});
