import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, validateConfig } from '../../src/config/index.js';
import { isGatewayError } from '../../src/errors.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileJson, hostileString, plantedIdentifier, plantedIn } from './hostile-values.js';

/**
 * The config file (src/config): the documented example mutated at random paths (values replaced by
 * anything, keys dropped or added, objects turned into arrays), random JSON, and text that is not
 * JSON at all. Whatever it is, the box starts with it or stops with one line: HGW_CONFIG_INVALID,
 * the file's name, the keys and what is wrong with them; never a stack, never a value from the file
 * (a config holds tokens and passwords). Keys are named: that is what the error is for.
 */

const report = new FuzzReport('config');
const dir = mkdtempSync(join(tmpdir(), 'hgw-config-fuzz-'));
afterAll(() => {
  report.write();
  rmSync(dir, { recursive: true, force: true });
});

const EXAMPLE = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;
const SECRET_VALUE = 'hunter2-zz-secret-value';

type Path = readonly (string | number)[];

/** Every path of the example, containers and leaves. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
}

const PATHS = pathsOf(EXAMPLE).filter((path) => path.length > 0);

type Edit = { readonly kind: 'set'; readonly path: Path; readonly value: unknown } | { readonly kind: 'drop' | 'to-array'; readonly path: Path } | { readonly kind: 'add'; readonly path: Path; readonly key: string; readonly value: unknown };

function applyEdit(root: Record<string, unknown>, edit: Edit): void {
  const parentPath = edit.kind === 'add' ? edit.path : edit.path.slice(0, -1);
  let parent: unknown = root;
  for (const step of parentPath) parent = parent !== null && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[step] : undefined;
  if (parent === null || typeof parent !== 'object') return;
  const container = parent as Record<string | number, unknown>;
  const last = edit.path.at(-1) ?? '';
  if (edit.kind === 'set') container[last] = edit.value;
  else if (edit.kind === 'drop') delete container[last];
  else if (edit.kind === 'to-array') container[last] = [container[last]];
  else if (edit.kind === 'add' && !Array.isArray(container)) Object.defineProperty(container, edit.key, { value: edit.value, enumerable: true, writable: true, configurable: true });
}

/** Values that carry something a message must never repeat: a secret, a planted identifier. */
const echoBait = fc.oneof(fc.constant(SECRET_VALUE), plantedIdentifier, fc.constant(`${SECRET_VALUE}\n    at Object.<anonymous> (x.js:1:1)`));
const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: fc.oneof(hostileJson, echoBait) }),
  fc.record({ kind: fc.constantFrom('drop' as const, 'to-array' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom([], ...PATHS), key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'tokn', 'chat', 'mail', 'update'), fc.stringMatching(/^[a-z]{1,10}$/)), value: fc.oneof(hostileJson, echoBait) }),
);
const mutatedConfig = fc.array(editArbitrary, { minLength: 1, maxLength: 5 }).map((edits) => {
  const root = JSON.parse(JSON.stringify(EXAMPLE)) as Record<string, unknown>;
  for (const edit of edits) applyEdit(root, edit);
  return root;
});

/** One line, the code, the source named first, no stack, no secret and no planted identifier. */
function expectOneLineRefusal(error: unknown, source: string): string {
  expect(isGatewayError(error, 'HGW_CONFIG_INVALID'), String(error)).toBe(true);
  const message = (error as Error).message;
  expect(message.startsWith(`${source}: `)).toBe(true);
  expect(message).not.toMatch(/[\r\n]/);
  expect(message).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+/);
  expect(message).not.toContain(SECRET_VALUE.slice(0, 10));
  expect(plantedIn(message)).toBeUndefined();
  return message;
}

describe('the config under fuzzing', () => {
  it('takes the example with any mutation, or refuses it in one line that names keys and repeats no value', () => {
    const target = report.target('validateConfig: mutations of the example');
    fc.assert(
      fc.property(mutatedConfig, (config) => {
        target.run(() => {
          try {
            const valid = validateConfig(config, 'config.json');
            expect(Object.isFrozen(valid)).toBe(true);
            target.outcome('accepted');
          } catch (error) {
            expectOneLineRefusal(error, 'config.json');
            target.outcome('HGW_CONFIG_INVALID');
          }
        });
      }),
      budget(1),
    );
    target.finished();
  });

  it('refuses any other JSON value in one line', () => {
    const target = report.target('validateConfig: any JSON');
    fc.assert(
      fc.property(hostileJson, (value) => {
        target.run(() => {
          expectOneLineRefusal(captured(() => validateConfig(value, 'config.json')), 'config.json');
          target.outcome('HGW_CONFIG_INVALID');
        });
      }),
      budget(2),
    );
    target.finished();
  });

  it('reads any file text as a config or refuses it in one line, without quoting the file', () => {
    const target = report.target('loadConfigFile: file text, broken JSON');
    const exampleText = JSON.stringify(EXAMPLE, null, 2).replace('"replace-me"', `${SECRET_VALUE}`);
    const fileText = fc.oneof(
      fc.nat(exampleText.length).map((cut) => exampleText.slice(0, cut)),
      fc.tuple(fc.nat(exampleText.length), hostileString).map(([at, junk]) => `${exampleText.slice(0, at)}${junk}${exampleText.slice(at)}`),
      fc.constant(exampleText),
      fc.constant(`\ufeff${JSON.stringify(EXAMPLE)}`),
      hostileString,
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    let index = 0;
    fc.assert(
      fc.property(fileText, (text) => {
        target.run(() => {
          const path = join(dir, `config-${index++}.json`);
          writeFileSync(path, text);
          try {
            loadConfigFile(path);
            target.outcome('accepted');
          } catch (error) {
            expectOneLineRefusal(error, path);
            target.outcome(/not valid JSON/.test((error as Error).message) ? 'HGW_CONFIG_INVALID: not JSON' : 'HGW_CONFIG_INVALID');
          }
        });
      }),
      budget(4),
    );
    target.finished();
  });
});

function captured(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return new Error('accepted');
}

describe('regressions found by fuzzing the config', () => {
  it('does not quote the file when its JSON is broken: an unquoted password was printed in part', () => {
    const path = join(dir, 'unquoted-password.json');
    writeFileSync(path, '{"upstream": {"password": hunter2-very-secret-value, "x": 1}}');
    const message = expectOneLineRefusal(captured(() => loadConfigFile(path)), path);
    expect(message).toBe(`${path}: not valid JSON`);
    writeFileSync(path, '{\n  "site": {\n    "id": "a" "b"\n  }\n}');
    expect((captured(() => loadConfigFile(path)) as Error).message).toBe(`${path}: not valid JSON (line 3, column 15)`);
  });

  it('names a mistyped key but not text in a key\'s place that no key looks like (a phone number was repeated)', () => {
    const message = expectOneLineRefusal(captured(() => validateConfig({ ...EXAMPLE, upstreem: {}, site: { '+31641729358': '' } }, 'config.json')), 'config.json');
    expect(message).toContain('unknown key "upstreem"');
    expect(message).toContain('site: unknown key (not shown)');
  });

  it('does not name a key-shaped key holding a phone number (A641729358, found by the soak)', () => {
    const message = expectOneLineRefusal(captured(() => validateConfig({ ...EXAMPLE, A641729358: '', site: { ...(EXAMPLE.site as object), x41729358: 1 } }, 'config.json')), 'config.json');
    expect(message).not.toMatch(/41729358/);
    expect(message).toContain('(top level): unknown key (not shown)');
  });
});
