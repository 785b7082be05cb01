import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { ByteSource } from './byte-source.js';
import { readBundleLayout, type BundleLayout, type BundleLimits, type EntrySpan } from './bundle-container.js';
import { parseManifest, type BundleManifest } from './bundle-manifest.js';
import { shownPath } from './bundle-paths.js';
import { compareVersions } from './semver.js';
import { manifestSignatureValid, type PublicSigningKey } from './signing-keys.js';

/** What the box holds a bundle against. */
export interface VerificationContext {
  /** The pinned release keys (one or two). */
  readonly pinnedKeys: readonly PublicSigningKey[];
  readonly runningVersion: string;
  /** The persisted version floor; a bundle must be newer than it. */
  readonly floor: string | undefined;
  readonly hardwareId: string;
  readonly limits: BundleLimits;
}

export interface VerifiedBundle {
  readonly manifest: BundleManifest;
  /** The exact signed bytes, kept in the slot so a slot can be checked again later. */
  readonly manifestBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly layout: BundleLayout;
  readonly payloadBytes: number;
}

export interface VerifyProgress {
  readonly doneBytes: number;
  readonly totalBytes: number;
}

const CHUNK_BYTES = 1024 * 1024;

/** Streams a span through SHA-256; `each` sees every chunk (the stager writes them). */
export async function hashSpan(source: ByteSource, span: EntrySpan, each?: (chunk: Uint8Array) => Promise<void> | void): Promise<string> {
  const hash = createHash('sha256');
  for (let done = 0; done < span.size; ) {
    const length = Math.min(CHUNK_BYTES, span.size - done);
    const chunk = await source.read(span.offset + done, length);
    hash.update(chunk);
    if (each) await each(chunk);
    done += length;
  }
  return hash.digest('hex');
}

const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Hashes every span in the order they lie in the bundle, reading it front to back in large blocks:
 * one read per 4 MiB instead of one per file (a bundle holds thousands of small files).
 */
export async function hashSpansInOrder(source: ByteSource, spans: ReadonlyMap<string, EntrySpan>, each: (path: string, digest: string) => void): Promise<void> {
  let block: Uint8Array = new Uint8Array(0);
  let blockStart = 0;
  for (const [path, span] of [...spans].sort((a, b) => a[1].offset - b[1].offset)) {
    const hash = createHash('sha256');
    for (let done = 0; done < span.size; ) {
      const position = span.offset + done;
      if (position < blockStart || position >= blockStart + block.length) {
        blockStart = position;
        block = await source.read(position, Math.min(BLOCK_BYTES, source.size - position));
      }
      const take = Math.min(span.size - done, blockStart + block.length - position);
      hash.update(block.subarray(position - blockStart, position - blockStart + take));
      done += take;
    }
    each(path, hash.digest('hex'));
  }
}

/** The key id a manifest claims, read without trusting anything else in it (for the message only). */
function claimedKeyId(manifestBytes: Uint8Array): string | undefined {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(manifestBytes));
    const keyId = json !== null && typeof json === 'object' ? (json as { keyId?: unknown }).keyId : undefined;
    return typeof keyId === 'string' && /^[0-9a-f]{16}$/.test(keyId) ? keyId : undefined;
  } catch {
    return undefined;
  }
}

function checkSignature(manifestBytes: Uint8Array, signature: Uint8Array, pinnedKeys: readonly PublicSigningKey[]): void {
  const keyId = claimedKeyId(manifestBytes);
  const pinned = pinnedKeys.find((key) => key.id === keyId);
  if (keyId !== undefined && !pinned) {
    throw new GatewayError('HGW_UPDATE_UNKNOWN_KEY', `the bundle is signed with key ${keyId}, which this box does not trust (pinned: ${pinnedKeys.map((key) => key.id).join(', ')})`);
  }
  if (!pinned || !manifestSignatureValid(manifestBytes, signature, pinned.key)) {
    throw new GatewayError('HGW_UPDATE_SIGNATURE', 'the signature does not match the manifest: the bundle was damaged or altered');
  }
}

function checkVersions(manifest: BundleManifest, context: VerificationContext): void {
  if (compareVersions(manifest.version, context.runningVersion) <= 0) {
    throw new GatewayError('HGW_UPDATE_NOT_NEWER', `the bundle holds version ${manifest.version}, not newer than the running ${context.runningVersion}`);
  }
  if (context.floor !== undefined && compareVersions(manifest.version, context.floor) <= 0) {
    throw new GatewayError('HGW_UPDATE_NOT_NEWER', `the bundle holds version ${manifest.version}, not above this box's version floor ${context.floor}`);
  }
  if (compareVersions(context.runningVersion, manifest.minimumVersion) < 0) {
    throw new GatewayError('HGW_UPDATE_MINIMUM_VERSION', `version ${manifest.version} needs at least ${manifest.minimumVersion} running first; this box runs ${context.runningVersion}`);
  }
  if (!manifest.hardware.includes(context.hardwareId)) {
    throw new GatewayError('HGW_UPDATE_HARDWARE', `the bundle is for ${manifest.hardware.join(', ')}, not for this box (${context.hardwareId})`);
  }
}

function checkFileSet(manifest: BundleManifest, layout: BundleLayout): void {
  const listed = new Set(manifest.files.map((file) => file.path));
  for (const path of layout.files.keys()) {
    if (!listed.has(path)) throw new GatewayError('HGW_UPDATE_FILE_SET', `the bundle carries ${shownPath(path)}, which its manifest does not list`);
  }
  for (const file of manifest.files) {
    const span = layout.files.get(file.path);
    if (!span) throw new GatewayError('HGW_UPDATE_FILE_SET', `the bundle lacks ${shownPath(file.path)}, which its manifest lists`);
    if (span.size !== file.size) {
      throw new GatewayError('HGW_UPDATE_FILE_MISMATCH', `${shownPath(file.path)} is ${span.size} bytes, the manifest says ${file.size}: the bundle was damaged or altered`);
    }
  }
}

/**
 * Checks everything before anything is written: the container, the signature against a pinned key,
 * the manifest, versions (newer than the running version and the floor, at least the minimum),
 * hardware, the exact set of files, and every file's size and SHA-256. Reads the bundle; writes
 * nothing. Throws the first refusal as an HGW_UPDATE_* GatewayError.
 */
export async function verifyBundle(source: ByteSource, context: VerificationContext, progress?: (step: VerifyProgress) => void): Promise<VerifiedBundle> {
  if (context.pinnedKeys.length === 0) throw new GatewayError('HGW_UPDATE_KEYS', 'this box has no pinned release key: it cannot accept any update');
  const layout = await readBundleLayout(source, context.limits);
  if (!layout.signature) throw new GatewayError('HGW_UPDATE_UNSIGNED', 'the bundle is not signed (run `update sign` on it first)');
  const manifestBytes = Uint8Array.from(await source.read(layout.manifest.offset, layout.manifest.size));
  const signature = Uint8Array.from(await source.read(layout.signature.offset, layout.signature.size));
  checkSignature(manifestBytes, signature, context.pinnedKeys);
  const manifest = parseManifest(manifestBytes, context.limits.maxFiles);
  checkVersions(manifest, context);
  const payloadBytes = await checkPayload(source, layout, manifest, progress);
  return { manifest, manifestBytes, signature, layout, payloadBytes };
}

/** Exactly the manifest's files, each with its size and SHA-256; returns the payload's bytes. */
export async function checkPayload(source: ByteSource, layout: BundleLayout, manifest: BundleManifest, progress?: (step: VerifyProgress) => void): Promise<number> {
  checkFileSet(manifest, layout);
  const totalBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  const expected = new Map(manifest.files.map((file) => [file.path, file]));
  let doneBytes = 0;
  await hashSpansInOrder(source, layout.files, (path, digest) => {
    const file = expected.get(path) as (typeof manifest.files)[number];
    if (digest !== file.sha256) throw new GatewayError('HGW_UPDATE_FILE_MISMATCH', `${shownPath(file.path)} does not match its SHA-256 in the manifest: the bundle was damaged or altered`);
    doneBytes += file.size;
    progress?.({ doneBytes, totalBytes });
  });
  return totalBytes;
}
