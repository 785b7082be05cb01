import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { memorySource, parseManifest, serializeManifest, verifyBundle, type BundleManifest, type VerificationContext } from '../../src/update/index.js';
import { HARDWARE, makeBundle, OFFICE_KEY, STANDBY_KEY } from '../update/update-fixture.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileJson, hostileString } from './hostile-values.js';

/**
 * Update manifests. The container's bytes are fuzzed in tests/update/bundle-reader-fuzz.test.ts
 * (random bytes, random entries, splices and prefixes of a good bundle, lying lengths); what it
 * cannot reach is the manifest's JSON, which is parsed only after its signature checked out. Here
 * the manifest is mutated as JSON (values replaced by anything, keys dropped or added, unsafe and
 * duplicate paths, odd versions) and read by parseManifest, and signed with a pinned key, so that
 * verifyBundle reads it too. Each is taken or refused with one HGW_UPDATE_* line; nothing else.
 */

const report = new FuzzReport('update-manifests');
afterAll(() => report.write());

const context: VerificationContext = {
  pinnedKeys: [OFFICE_KEY.pinned, STANDBY_KEY.pinned],
  runningVersion: '1.0.0',
  floor: '1.0.0',
  hardwareId: HARDWARE,
  limits: { maxBundleBytes: 1024 * 1024, maxManifestBytes: 64 * 1024, maxFiles: 50 },
};

const BASE: BundleManifest = {
  format: 1,
  product: 'helpline-gateway',
  version: '1.1.0',
  minimumVersion: '1.0.0',
  hardware: ['rpi4', HARDWARE],
  createdAt: '2026-11-25T10:00:00.000Z',
  keyId: OFFICE_KEY.id,
  files: [
    { path: 'package.json', size: 10, sha256: 'a'.repeat(64) },
    { path: 'dist/main.js', size: 20, sha256: 'b'.repeat(64), executable: true },
  ],
};

const FIELDS = ['format', 'product', 'version', 'minimumVersion', 'hardware', 'createdAt', 'keyId', 'files', 'nextKeys'] as const;
const oddValue = fc.oneof(
  hostileJson,
  fc.constantFrom('1.1.0-rc.1', '01.1.0', '1.1', 'v1.1.0', '999999999999999999999.0.0', '1.1.0+build', '', '0.0.0'),
  fc.constantFrom('../etc/passwd', '/abs', 'a/../../b', 'a//b', '.bundle/x', 'a\\b', 'CON', 'a\u0000b', 'dist', 'dist/main.js/x', ' ', '.'),
);
const fileEntry = fc.record(
  {
    path: fc.oneof(fc.stringMatching(/^[a-z0-9_./-]{1,30}$/), oddValue),
    size: fc.oneof(fc.nat(), oddValue),
    sha256: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), oddValue),
    executable: fc.oneof(fc.boolean(), oddValue),
  },
  { requiredKeys: [] },
);
const manifestEdit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...FIELDS), value: oddValue }),
  fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({ kind: fc.constant('add' as const), field: fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'signature')), value: hostileJson }),
  fc.record({ kind: fc.constant('files' as const), files: fc.array(fileEntry, { maxLength: 60 }) }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
);
const mutatedManifest = fc.array(manifestEdit, { minLength: 1, maxLength: 4 }).map((edits) => {
  const manifest: Record<string, unknown> = JSON.parse(JSON.stringify(BASE)) as Record<string, unknown>;
  for (const edit of edits) {
    if (edit.kind === 'set' || edit.kind === 'add') Object.defineProperty(manifest, edit.field, { value: edit.value, enumerable: true, writable: true, configurable: true });
    else if (edit.kind === 'drop') delete manifest[edit.field];
    else if (edit.kind === 'files') manifest['files'] = edit.files;
    else if (Array.isArray(manifest['files'])) manifest['files'] = [...(manifest['files'] as unknown[]), ...(manifest['files'] as unknown[]).slice(0, 1)];
  }
  return manifest;
});

function expectUpdateRefusal(error: unknown): string {
  expect(isGatewayError(error) && error.code.startsWith('HGW_UPDATE_'), String(error)).toBe(true);
  const message = (error as Error).message;
  expect(message).not.toMatch(/[\r\n]/);
  expect(message.length).toBeLessThan(1600);
  return (error as { code: string }).code;
}

describe('update manifests under fuzzing', () => {
  it('parses any mutated manifest JSON, or refuses it with one HGW_UPDATE_* line', () => {
    const target = report.target('parseManifest: JSON mutations');
    fc.assert(
      fc.property(mutatedManifest, fc.boolean(), (manifest, pretty) => {
        target.run(() => {
          const bytes = new TextEncoder().encode(pretty ? JSON.stringify(manifest, null, 2) : JSON.stringify(manifest));
          try {
            parseManifest(bytes, context.limits.maxFiles);
            target.outcome('accepted');
          } catch (error) {
            target.outcome(expectUpdateRefusal(error));
          }
        });
      }),
      budget(1),
    );
    target.finished();
  });

  it('verifies a bundle whose signed manifest was mutated, or refuses it with one HGW_UPDATE_* line', async () => {
    const target = report.target('verifyBundle: signed mutated manifests');
    await fc.assert(
      fc.asyncProperty(mutatedManifest, async (mutated) => {
        await target.runAsync(async () => {
          const bundle = makeBundle({ version: '1.1.0', manifest: (base) => ({ ...base, ...mutated, files: Array.isArray(mutated['files']) ? (mutated['files'] as BundleManifest['files']) : base.files }) as BundleManifest });
          try {
            await verifyBundle(memorySource(bundle), context);
            target.outcome('verified');
          } catch (error) {
            target.outcome(expectUpdateRefusal(error));
          }
        });
      }),
      budget(8),
    );
    target.finished();
  });

  it('keeps the good manifest good (so the properties above can fail)', () => {
    expect(parseManifest(serializeManifest(BASE), 50).version).toBe('1.1.0');
  });
});

describe('regressions found by fuzzing the update manifests', () => {
  it('names an unknown manifest key cut short and printable: a 2,000-character key was repeated whole', () => {
    const manifest = { ...BASE, ['a'.repeat(2000)]: '', 'tab\there': 1 };
    let message = '';
    try {
      parseManifest(new TextEncoder().encode(JSON.stringify(manifest)), 50);
    } catch (error) {
      message = expectUpdateRefusal(error) && (error as Error).message;
    }
    expect(message).toMatch(/unknown keys "a{117}\.\.\.", "tab\?here"$/);
    expect(message.length).toBeLessThan(400);
  });
});
