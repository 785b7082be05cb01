import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { encodeBundle } from '../../src/update/bundle-container.js';
import { serializeManifest, type BundleManifest } from '../../src/update/bundle-manifest.js';
import { keyIdOf, signManifestBytes, type PublicSigningKey } from '../../src/update/signing-keys.js';
import type { UpdatePaths } from '../../src/update/update-paths.js';
import type { VerificationContext } from '../../src/update/index.js';

export interface TestKey {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly pinned: PublicSigningKey;
  readonly publicText: string;
}

/** Deterministic keys from a seed byte, so test failures repeat. */
export function testKey(seed: number): TestKey {
  const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(seed));
  const id = keyIdOf(pair.publicKey);
  return { id, publicKey: pair.publicKey, secretKey: pair.secretKey, pinned: { id, key: pair.publicKey }, publicText: `${Buffer.from(pair.publicKey).toString('base64')}\n` };
}

export const OFFICE_KEY = testKey(1);
export const STANDBY_KEY = testKey(2);
export const STRANGER_KEY = testKey(3);
export const HARDWARE = 'rpi5';

/** What the fuzzers verify bundles against: both pinned keys, version 1.0.0 running, small limits. */
export const FUZZ_CONTEXT: VerificationContext = {
  pinnedKeys: [OFFICE_KEY.pinned, STANDBY_KEY.pinned],
  runningVersion: '1.0.0',
  floor: '1.0.0',
  hardwareId: HARDWARE,
  limits: { maxBundleBytes: 1024 * 1024, maxManifestBytes: 64 * 1024, maxFiles: 50 },
};

export interface PayloadFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly executable?: boolean;
}

export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** A small version: a start script the test makes healthy or not, and a few other files. */
export function versionPayload(version: string, healthy = true): PayloadFile[] {
  return [
    { path: 'package.json', bytes: text(`${JSON.stringify({ name: 'helpline-gateway', version })}\n`) },
    { path: 'dist/health.mjs', bytes: text(`// version ${version}\nprocess.exit(${healthy ? 0 : 1});\n`) },
    { path: 'dist/lib/big.bin', bytes: new Uint8Array(70_000).map((_, index) => (index * 31 + version.length) & 0xff) },
    { path: 'node_modules/x/index.js', bytes: text(`export const version = ${JSON.stringify(version)};\n`), executable: true },
  ];
}

export interface BundleSpec {
  readonly version: string;
  readonly minimumVersion?: string;
  readonly hardware?: readonly string[];
  readonly files?: readonly PayloadFile[];
  readonly key?: TestKey;
  /** Signed (default) or not. */
  readonly signed?: boolean;
  readonly nextKeys?: readonly TestKey[];
  /** Changes applied to the manifest before it is serialized and signed. */
  readonly manifest?: (manifest: BundleManifest) => BundleManifest;
  /** Files put in the container as they are, regardless of the manifest. */
  readonly containerFiles?: (files: readonly PayloadFile[]) => readonly PayloadFile[];
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function makeBundle(spec: BundleSpec): Uint8Array {
  const files = spec.files ?? versionPayload(spec.version);
  const key = spec.key ?? OFFICE_KEY;
  const base: BundleManifest = {
    format: 1,
    product: 'helpline-gateway',
    version: spec.version,
    minimumVersion: spec.minimumVersion ?? '1.0.0',
    hardware: [...(spec.hardware ?? ['rpi4', HARDWARE])],
    createdAt: '2026-11-25T10:00:00.000Z',
    keyId: key.id,
    files: files.map((file) => ({ path: file.path, size: file.bytes.length, sha256: sha256(file.bytes), ...(file.executable ? { executable: true } : {}) })),
    ...(spec.nextKeys ? { nextKeys: spec.nextKeys.map((next) => Buffer.from(next.publicKey).toString('base64')) } : {}),
  };
  const manifestBytes = serializeManifest(spec.manifest ? spec.manifest(base) : base);
  const signature = spec.signed === false ? undefined : signManifestBytes(manifestBytes, key.secretKey);
  return encodeBundle(manifestBytes, signature, spec.containerFiles ? spec.containerFiles(files) : files);
}

export interface Box {
  readonly dir: string;
  readonly paths: UpdatePaths;
  /** Writes a bundle file (as if on a USB stick) and returns its path. */
  bundleFile(name: string, bytes: Uint8Array): string;
  /** Every file of a slot with its SHA-256 (and every link), for byte-for-byte comparisons. */
  snapshot(slot: 'a' | 'b'): Record<string, string>;
  currentTarget(): string;
  committedTarget(): string;
  stateText(): string | undefined;
  pinnedKeyIds(): string[];
  cleanup(): void;
}

/** A box installed by hand with version 1.0.0 in slot a, two pinned keys and a small database. */
export function boxFixture(options: { readonly keys?: readonly TestKey[]; readonly installed?: string } = {}): Box {
  const dir = mkdtempSync(join(tmpdir(), 'hgw-update-'));
  const root = join(dir, 'opt');
  const paths: UpdatePaths = { root, stateDir: join(dir, 'var', 'update'), keysDir: join(dir, 'etc', 'update-keys'), databasePath: join(dir, 'var', 'data', 'gateway.db') };
  mkdirSync(join(root, 'slots', 'a'), { recursive: true });
  for (const file of versionPayload(options.installed ?? '1.0.0')) {
    mkdirSync(join(root, 'slots', 'a', file.path, '..'), { recursive: true });
    writeFileSync(join(root, 'slots', 'a', file.path), file.bytes);
  }
  symlinkSync('slots/a', join(root, 'current'));
  symlinkSync('slots/a', join(root, 'committed'));
  mkdirSync(paths.keysDir, { recursive: true });
  for (const key of options.keys ?? [OFFICE_KEY, STANDBY_KEY]) writeFileSync(join(paths.keysDir, `release-${key.id}.pub`), `# test key\n${key.publicText}`);
  mkdirSync(join(dir, 'var', 'data'), { recursive: true });
  writeFileSync(paths.databasePath, 'schema 7: the database the installed version knows');
  writeFileSync(`${paths.databasePath}-wal`, 'wal of schema 7');

  const snapshot = (slot: 'a' | 'b'): Record<string, string> => {
    const out: Record<string, string> = {};
    const visit = (relative: string): void => {
      const directory = join(root, 'slots', slot, relative);
      for (const name of readdirSync(directory).sort()) {
        const path = relative ? `${relative}/${name}` : name;
        const full = join(directory, name);
        const stat = statSync(full, { throwIfNoEntry: false });
        if (stat?.isDirectory()) visit(path);
        else out[path] = stat?.isFile() ? sha256(readFileSync(full)) : `link:${readlinkSync(full)}`;
      }
    };
    visit('');
    return out;
  };
  return {
    dir,
    paths,
    bundleFile(name, bytes) {
      const path = join(dir, 'usb', name);
      mkdirSync(join(dir, 'usb'), { recursive: true });
      writeFileSync(path, bytes);
      return path;
    },
    snapshot,
    currentTarget: () => readlinkSync(join(root, 'current')),
    committedTarget: () => readlinkSync(join(root, 'committed')),
    stateText: () => {
      try {
        return readFileSync(join(paths.stateDir, 'state.json'), 'utf8');
      } catch {
        return undefined;
      }
    },
    pinnedKeyIds: () => readdirSync(paths.keysDir).filter((name) => name.endsWith('.pub')).map((name) => keyIdOf(Buffer.from(readFileSync(join(paths.keysDir, name), 'utf8').split('\n').filter((line) => line && !line.startsWith('#'))[0] ?? '', 'base64'))).sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
