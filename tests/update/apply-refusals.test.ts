import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError, type GatewayErrorCode } from '../../src/errors.js';
import { ManualClock } from '../../src/time/clock.js';
import { applyUpdate, buildBundle, DEFAULT_BUNDLE_LIMITS, NodeUpdateFiles, type BundleLimits } from '../../src/update/index.js';
import { boxFixture, HARDWARE, makeBundle, STRANGER_KEY, text, versionPayload, type Box } from './update-fixture.js';

let box: Box;
beforeEach(() => {
  box = boxFixture();
});
afterEach(() => box.cleanup());

const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));

function apply(bundlePath: string, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS, hardwareId = HARDWARE) {
  return applyUpdate({ files: new NodeUpdateFiles(), paths: box.paths, bundlePath, installedVersion: '1.0.0', hardwareId, limits, clock });
}

async function refusal(bundle: Uint8Array, limits?: BundleLimits, hardwareId?: string): Promise<{ code: GatewayErrorCode; message: string }> {
  const before = box.snapshot('a');
  const error = await apply(box.bundleFile('update.hgwb', bundle), limits, hardwareId).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isGatewayError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  // The running version is untouched, byte for byte, and nothing was staged.
  expect(box.currentTarget()).toBe('slots/a');
  expect(box.snapshot('a')).toEqual(before);
  expect(existsSync(join(box.paths.root, 'slots', 'b'))).toBe(false);
  expect(error.message).not.toMatch(/\n/);
  return { code: error.code, message: error.message };
}

describe('apply refuses, with one clear line, and leaves the running version untouched', () => {
  it('a flipped byte in any payload file', async () => {
    const good = makeBundle({ version: '1.1.0' });
    for (const file of versionPayload('1.1.0')) {
      const bytes = Uint8Array.from(good);
      const at = Buffer.from(bytes).indexOf(Buffer.from(file.bytes)) + Math.floor(file.bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      expect(await refusal(bytes)).toEqual({ code: 'HGW_UPDATE_FILE_MISMATCH', message: `"${file.path}" does not match its SHA-256 in the manifest: the bundle was damaged or altered` });
    }
  });

  it('a flipped byte in the signature or in the signed manifest', async () => {
    const good = makeBundle({ version: '1.1.0' });
    const manifestAt = Buffer.from(good).indexOf('"version": "1.1.0"');
    const signatureAt = Buffer.from(good).indexOf('manifest.sig') + 'manifest.sig'.length + 8;
    for (const at of [manifestAt + 13, signatureAt, signatureAt + 63]) {
      const bytes = Uint8Array.from(good);
      bytes[at] = (bytes[at] ?? 0) ^ 0x20;
      expect(await refusal(bytes)).toEqual({ code: 'HGW_UPDATE_SIGNATURE', message: 'the signature does not match the manifest: the bundle was damaged or altered' });
    }
  });

  it('a flipped byte anywhere in the bundle (sampled)', async () => {
    const good = makeBundle({ version: '1.1.0' });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const bytes = Uint8Array.from(good);
        bytes[at] = (bytes[at] ?? 0) ^ mask;
        expect((await refusal(bytes)).code).toMatch(/^HGW_UPDATE_/);
      }),
      { numRuns: 150 },
    );
  });

  it('a bundle signed with a key the box does not trust', async () => {
    expect(await refusal(makeBundle({ version: '1.1.0', key: STRANGER_KEY }))).toEqual({
      code: 'HGW_UPDATE_UNKNOWN_KEY',
      message: expect.stringMatching(new RegExp(`^the bundle is signed with key ${STRANGER_KEY.id}, which this box does not trust \\(pinned: [0-9a-f]{16}, [0-9a-f]{16}\\)$`)),
    });
  });

  it('an unsigned bundle', async () => {
    expect(await refusal(makeBundle({ version: '1.1.0', signed: false }))).toEqual({ code: 'HGW_UPDATE_UNSIGNED', message: 'the bundle is not signed (run `update sign` on it first)' });
  });

  it('an older version, or the same version again, validly signed', async () => {
    expect(await refusal(makeBundle({ version: '0.9.9' }))).toEqual({ code: 'HGW_UPDATE_NOT_NEWER', message: 'the bundle holds version 0.9.9, not newer than the running 1.0.0' });
    expect((await refusal(makeBundle({ version: '1.0.0' }))).code).toBe('HGW_UPDATE_NOT_NEWER');
    expect((await refusal(makeBundle({ version: '1.0.0-rc.1' }))).code).toBe('HGW_UPDATE_NOT_NEWER');
  });

  it('a version that needs a newer running version first', async () => {
    expect(await refusal(makeBundle({ version: '2.0.0', minimumVersion: '1.5.0' }))).toEqual({
      code: 'HGW_UPDATE_MINIMUM_VERSION',
      message: 'version 2.0.0 needs at least 1.5.0 running first; this box runs 1.0.0',
    });
  });

  it('another hardware id', async () => {
    expect(await refusal(makeBundle({ version: '1.1.0', hardware: ['rpi4'] }))).toEqual({ code: 'HGW_UPDATE_HARDWARE', message: 'the bundle is for rpi4, not for this box (rpi5)' });
    expect((await refusal(makeBundle({ version: '1.1.0' }), undefined, 'rpi3')).code).toBe('HGW_UPDATE_HARDWARE');
  });

  it('a truncated bundle, cut at any length', async () => {
    const good = makeBundle({ version: '1.1.0' });
    const cuts = [0, 1, 7, 8, 9, 20, 500, good.length - 70_010, good.length - 6, good.length - 5, good.length - 1];
    for (const cut of cuts) {
      expect(await refusal(good.subarray(0, cut)), `cut at ${cut}`).toEqual({ code: 'HGW_UPDATE_TRUNCATED', message: expect.stringMatching(/^the bundle ends (inside|before) .*: it is incomplete \(copy or upload it again\)$/) });
    }
  });

  it('paths that leave the slot, duplicates, extra and missing files', async () => {
    const evil = { path: '../../etc/cron.d/x', bytes: text('* * * * * root sh\n') };
    expect((await refusal(makeBundle({ version: '1.1.0', files: [...versionPayload('1.1.0'), evil] }))).code).toBe('HGW_UPDATE_UNSAFE_PATH');
    const absolute = { path: '/etc/passwd', bytes: text('x') };
    expect((await refusal(makeBundle({ version: '1.1.0', files: [absolute] }))).code).toBe('HGW_UPDATE_UNSAFE_PATH');
    const reserved = { path: '.bundle/manifest.json', bytes: text('{}') };
    expect((await refusal(makeBundle({ version: '1.1.0', files: [reserved] }))).code).toBe('HGW_UPDATE_UNSAFE_PATH');
    expect(await refusal(makeBundle({ version: '1.1.0', containerFiles: (files) => [...files, { path: 'dist/extra.js', bytes: text('evil()') }] }))).toEqual({
      code: 'HGW_UPDATE_FILE_SET',
      message: 'the bundle carries "dist/extra.js", which its manifest does not list',
    });
    expect(await refusal(makeBundle({ version: '1.1.0', containerFiles: (files) => files.slice(1) }))).toEqual({
      code: 'HGW_UPDATE_FILE_SET',
      message: 'the bundle lacks "package.json", which its manifest lists',
    });
    expect((await refusal(makeBundle({ version: '1.1.0', containerFiles: (files) => [...files, files[0] as (typeof files)[number]] }))).code).toBe('HGW_UPDATE_FILE_SET');
    expect(
      (await refusal(makeBundle({ version: '1.1.0', manifest: (manifest) => ({ ...manifest, files: [...manifest.files, manifest.files[0] as (typeof manifest.files)[number]] }) }))).code,
    ).toBe('HGW_UPDATE_FILE_SET');
  });

  it('anything over a size limit', async () => {
    const bundle = makeBundle({ version: '1.1.0' });
    expect((await refusal(bundle, { ...DEFAULT_BUNDLE_LIMITS, maxBundleBytes: bundle.length - 1 })).code).toBe('HGW_UPDATE_TOO_LARGE');
    expect((await refusal(bundle, { ...DEFAULT_BUNDLE_LIMITS, maxManifestBytes: 100 })).code).toBe('HGW_UPDATE_TOO_LARGE');
    expect((await refusal(bundle, { ...DEFAULT_BUNDLE_LIMITS, maxFiles: 3 })).code).toBe('HGW_UPDATE_TOO_LARGE');
  });

  it('a bundle for another product', async () => {
    expect(await refusal(makeBundle({ version: '1.1.0', manifest: (manifest) => ({ ...manifest, product: 'doorbell' }) }))).toEqual({
      code: 'HGW_UPDATE_MALFORMED',
      message: 'the bundle is for "doorbell", not helpline-gateway',
    });
  });

  it('every update while the box has no pinned key', async () => {
    box.cleanup();
    box = boxFixture({ keys: [] });
    expect((await refusal(makeBundle({ version: '1.1.0' }))).code).toBe('HGW_UPDATE_KEYS');
  });
});

describe('the builder refuses what the box would refuse', () => {
  it('a symlink in the payload folder', async () => {
    const from = join(box.dir, 'payload');
    mkdirSync(join(from, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(from, 'package.json'), '{}');
    symlinkSync('../x/cli.js', join(from, 'node_modules', '.bin', 'x'));
    const error = await buildBundle({ files: new NodeUpdateFiles(), from, out: join(box.dir, 'out.hgwb'), version: '1.1.0', minimumVersion: '1.0.0', hardware: [HARDWARE], createdAt: clock.now() }).catch((thrown: unknown) => thrown);
    expect(isGatewayError(error, 'HGW_UPDATE_UNSAFE_PATH')).toBe(true);
    expect((error as Error).message).toBe('"node_modules/.bin/x" is a symlink, not a regular file: bundles carry files only (for node_modules use npm ci --no-bin-links)');
    expect(existsSync(join(box.dir, 'out.hgwb'))).toBe(false);
  });
});
