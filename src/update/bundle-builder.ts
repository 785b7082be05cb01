import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { ByteSource } from './byte-source.js';
import {
  BUNDLE_MAGIC,
  DEFAULT_BUNDLE_LIMITS,
  endRecord,
  entryHeader,
  FILE_ENTRY_PREFIX,
  MANIFEST_ENTRY,
  readBundleLayout,
  SIGNATURE_ENTRY,
  type BundleLimits,
  type EntrySpan,
} from './bundle-container.js';
import { MANIFEST_FORMAT, parseManifest, PRODUCT, serializeManifest, type BundleManifest } from './bundle-manifest.js';
import { payloadPathProblem, shownPath } from './bundle-paths.js';
import { signManifestBytes, type PublicSigningKey } from './signing-keys.js';
import type { FileSink, UpdateFiles } from './update-files.js';
import { checkPayload, hashSpan } from './verify-bundle.js';

/**
 * The central office's side: `update build` packs a payload folder into an unsigned bundle,
 * `update sign` signs it. Both refuse what the box would refuse (links, unsafe names, too many or
 * too large files), so a bad bundle is found at the office, not on a site.
 */
export interface BuildOptions {
  readonly files: UpdateFiles;
  /** The payload folder: what becomes a slot (dist/, node_modules/, package.json …). */
  readonly from: string;
  readonly out: string;
  readonly version: string;
  readonly minimumVersion: string;
  readonly hardware: readonly string[];
  readonly createdAt: number;
  readonly nextKeys?: readonly PublicSigningKey[];
  readonly limits?: BundleLimits;
}

async function writeSpan(sink: FileSink, source: ByteSource, span: EntrySpan): Promise<string> {
  return hashSpan(source, span, (chunk) => sink.write(chunk));
}

/** Writes a bundle through a temporary file renamed into place, so `out` is never half a bundle. */
async function writeBundleFile(files: UpdateFiles, out: string, fill: (sink: FileSink) => Promise<void>): Promise<void> {
  const temporary = join(dirname(out), `.${basename(out)}.partial`);
  const sink = await files.create(temporary, 0o644);
  try {
    await fill(sink);
    await sink.finish();
  } catch (error) {
    await sink.discard();
    throw error;
  }
  await files.rename(temporary, out);
  await files.syncDirectory(dirname(out));
}

export async function buildBundle(options: BuildOptions): Promise<BundleManifest> {
  const { files } = options;
  const limits = options.limits ?? DEFAULT_BUNDLE_LIMITS;
  const entries = await files.walk(options.from);
  if (entries.length === 0) throw new GatewayError('HGW_UPDATE_IO', `${options.from} is empty or not a folder`);
  const payload: { path: string; size: number; sha256: string; executable: boolean }[] = [];
  for (const entry of entries) {
    if (entry.kind === 'directory') continue;
    if (entry.kind !== 'file') {
      throw new GatewayError('HGW_UPDATE_UNSAFE_PATH', `${shownPath(entry.path)} is a ${entry.kind}, not a regular file: bundles carry files only (for node_modules use npm ci --no-bin-links)`);
    }
    const problem = payloadPathProblem(entry.path);
    if (problem) throw new GatewayError('HGW_UPDATE_UNSAFE_PATH', `the payload holds ${problem}: ${shownPath(entry.path)}`);
    if (payload.length >= limits.maxFiles) throw new GatewayError('HGW_UPDATE_TOO_LARGE', `the payload holds more than ${limits.maxFiles} files`);
    const source = await files.open(join(options.from, entry.path));
    try {
      payload.push({ path: entry.path, size: source.size, sha256: await hashSpan(source, { offset: 0, size: source.size }), executable: entry.executable });
    } finally {
      await source.close();
    }
  }
  const manifest: BundleManifest = {
    format: MANIFEST_FORMAT,
    product: PRODUCT,
    version: options.version,
    minimumVersion: options.minimumVersion,
    hardware: [...options.hardware],
    createdAt: new Date(options.createdAt).toISOString(),
    keyId: '',
    files: payload.map((file) => ({ path: file.path, size: file.size, sha256: file.sha256, ...(file.executable ? { executable: true } : {}) })),
    ...(options.nextKeys && options.nextKeys.length > 0 ? { nextKeys: options.nextKeys.map((key) => Buffer.from(key.key).toString('base64')) } : {}),
  };
  const manifestBytes = serializeManifest(manifest);
  // Parsing our own output applies every rule the box applies.
  parseManifest(manifestBytes, limits.maxFiles);
  const total = BUNDLE_MAGIC.length + manifestBytes.length + payload.reduce((sum, file) => sum + file.size + 1024, 0);
  if (total > limits.maxBundleBytes) throw new GatewayError('HGW_UPDATE_TOO_LARGE', `the bundle would be about ${total} bytes, over the limit of ${limits.maxBundleBytes}`);

  await writeBundleFile(files, options.out, async (sink) => {
    await sink.write(BUNDLE_MAGIC);
    await sink.write(entryHeader(MANIFEST_ENTRY, manifestBytes.length));
    await sink.write(manifestBytes);
    for (const file of payload) {
      const source = await files.open(join(options.from, file.path));
      try {
        if (source.size !== file.size) throw new GatewayError('HGW_UPDATE_IO', `${shownPath(file.path)} changed while the bundle was built`);
        await sink.write(entryHeader(`${FILE_ENTRY_PREFIX}${file.path}`, file.size));
        if ((await writeSpan(sink, source, { offset: 0, size: file.size })) !== file.sha256) throw new GatewayError('HGW_UPDATE_IO', `${shownPath(file.path)} changed while the bundle was built`);
      } finally {
        await source.close();
      }
    }
    await sink.write(endRecord(1 + payload.length));
  });
  return manifest;
}

/**
 * Signs a built bundle: checks its payload against its manifest, sets the manifest's key id to the
 * signer's, signs the exact manifest bytes and writes the signed bundle (to `out`, which may be the
 * input). A bundle that was signed already is signed afresh.
 */
export async function signBundle(options: {
  readonly files: UpdateFiles;
  readonly bundle: string;
  readonly out: string;
  readonly secretKey: Uint8Array;
  readonly signer: PublicSigningKey;
  readonly limits?: BundleLimits;
}): Promise<BundleManifest> {
  const { files } = options;
  const limits = options.limits ?? DEFAULT_BUNDLE_LIMITS;
  const source = await files.open(options.bundle);
  try {
    const layout = await readBundleLayout(source, limits);
    const unsigned = parseManifest(await source.read(layout.manifest.offset, layout.manifest.size), limits.maxFiles);
    await checkPayload(source, layout, unsigned);
    const manifest: BundleManifest = { ...unsigned, keyId: options.signer.id };
    const manifestBytes = serializeManifest(manifest);
    const signature = signManifestBytes(manifestBytes, options.secretKey);
    await writeBundleFile(files, options.out, async (sink) => {
      await sink.write(BUNDLE_MAGIC);
      await sink.write(entryHeader(MANIFEST_ENTRY, manifestBytes.length));
      await sink.write(manifestBytes);
      await sink.write(entryHeader(SIGNATURE_ENTRY, signature.length));
      await sink.write(signature);
      for (const [path, span] of layout.files) {
        await sink.write(entryHeader(`${FILE_ENTRY_PREFIX}${path}`, span.size));
        await writeSpan(sink, source, span);
      }
      await sink.write(endRecord(2 + layout.files.size));
    });
    return manifest;
  } finally {
    await source.close();
  }
}
