import { GatewayError } from '../errors.js';
import type { ByteSource } from './byte-source.js';
import { payloadPathProblem, shownPath } from './bundle-paths.js';

/**
 * The bundle file: a magic, then entries, then an end record (docs/updates.md, "Bundle format").
 *
 *   magic   8 bytes  "HGWBNDL" 0x01
 *   entry   'F' (0x46), u16 name length, name (ASCII), u64 data length, data
 *   end     'E' (0x45), u32 number of entries, and not one byte more
 *
 * Entries: `manifest.json` first, `manifest.sig` (64 bytes) second once signed, then one
 * `files/<path>` per payload file. Only regular files can be expressed: no links, no modes beyond
 * the manifest's `executable`, no owners. Integers are big-endian. The reader never trusts a length
 * before checking it against the limits and the file's size, so a hostile file costs at most a few
 * small reads per entry.
 */
export const BUNDLE_MAGIC = Uint8Array.from([0x48, 0x47, 0x57, 0x42, 0x4e, 0x44, 0x4c, 0x01]);
export const MANIFEST_ENTRY = 'manifest.json';
export const SIGNATURE_ENTRY = 'manifest.sig';
export const FILE_ENTRY_PREFIX = 'files/';
export const SIGNATURE_BYTES = 64;
const TAG_FILE = 0x46;
const TAG_END = 0x45;
const MAX_NAME_BYTES = FILE_ENTRY_PREFIX.length + 1024;

export interface BundleLimits {
  /** The whole bundle file. */
  readonly maxBundleBytes: number;
  /** manifest.json. */
  readonly maxManifestBytes: number;
  /** Payload files. */
  readonly maxFiles: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxBundleBytes: 512 * 1024 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
  maxFiles: 100_000,
};

export interface EntrySpan {
  readonly offset: number;
  readonly size: number;
}

export interface BundleLayout {
  readonly manifest: EntrySpan;
  readonly signature: EntrySpan | undefined;
  /** Payload files by path (without `files/`), in the order they appear. */
  readonly files: ReadonlyMap<string, EntrySpan>;
}

function truncated(what: string): GatewayError {
  return new GatewayError('HGW_UPDATE_TRUNCATED', `the bundle ends ${what}: it is incomplete (copy or upload it again)`);
}

function malformed(what: string): GatewayError {
  return new GatewayError('HGW_UPDATE_MALFORMED', `not a valid update bundle: ${what}`);
}

class Cursor {
  position = 0;
  readonly #source: ByteSource;

  constructor(source: ByteSource) {
    this.#source = source;
  }

  get remaining(): number {
    return this.#source.size - this.position;
  }

  async take(length: number, where: string): Promise<Uint8Array> {
    if (length > this.remaining) throw truncated(where);
    const bytes = await this.#source.read(this.position, length);
    this.position += length;
    return bytes;
  }

  skip(length: number, where: string): void {
    if (length > this.remaining) throw truncated(where);
    this.position += length;
  }
}

function u16(bytes: Uint8Array): number {
  return ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
}

function u32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
}

/** A u64 that must fit below `limit`; larger values are refused before they become a Number. */
function u64Below(bytes: Uint8Array, limit: number, what: string): number {
  const value = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  if (value > BigInt(limit)) throw new GatewayError('HGW_UPDATE_TOO_LARGE', `${what} is larger than the limit of ${limit} bytes`);
  return Number(value);
}

function entryName(bytes: Uint8Array): string {
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) throw malformed('an entry name with a byte that is not printable ASCII');
  return String.fromCharCode(...bytes);
}

/**
 * Walks the container and returns where everything is, reading only headers. Refuses (with an
 * HGW_UPDATE_* GatewayError): a file over the size limit, a wrong magic, a broken or truncated
 * entry, an unsafe or duplicate path, an unexpected entry, too many files, a count that does not
 * match, and any byte after the end record.
 */
export async function readBundleLayout(source: ByteSource, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<BundleLayout> {
  if (source.size > limits.maxBundleBytes) {
    throw new GatewayError('HGW_UPDATE_TOO_LARGE', `the bundle is ${source.size} bytes, over the limit of ${limits.maxBundleBytes}`);
  }
  const cursor = new Cursor(source);
  const magic = await cursor.take(Math.min(BUNDLE_MAGIC.length, source.size), 'inside its first bytes');
  const magicMatches = magic.every((byte, index) => byte === BUNDLE_MAGIC[index]);
  if (!magicMatches) throw malformed('it does not start with the bundle magic (HGWBNDL)');
  if (magic.length < BUNDLE_MAGIC.length) throw truncated('inside its first bytes');

  let manifest: EntrySpan | undefined;
  let signature: EntrySpan | undefined;
  const files = new Map<string, EntrySpan>();
  let entries = 0;
  for (;;) {
    const [tag] = await cursor.take(1, 'before its end record');
    if (tag === TAG_END) {
      const count = u32(await cursor.take(4, 'inside its end record'));
      if (count !== entries) throw malformed(`the end record counts ${count} entries, the bundle holds ${entries}`);
      if (cursor.remaining > 0) throw malformed(`${cursor.remaining} byte(s) after the end record`);
      break;
    }
    if (tag !== TAG_FILE) throw malformed(`an entry at byte ${cursor.position - 1} has an unknown tag`);
    const nameLength = u16(await cursor.take(2, 'inside an entry header'));
    if (nameLength === 0 || nameLength > MAX_NAME_BYTES) throw malformed(`an entry name of ${nameLength} bytes`);
    const name = entryName(await cursor.take(nameLength, 'inside an entry name'));
    const size = u64Below(await cursor.take(8, 'inside an entry header'), limits.maxBundleBytes, `entry ${shownPath(name)}`);
    const span: EntrySpan = { offset: cursor.position, size };
    cursor.skip(size, `inside entry ${shownPath(name)}`);
    entries += 1;

    if (entries === 1) {
      if (name !== MANIFEST_ENTRY) throw malformed(`the first entry must be ${MANIFEST_ENTRY}`);
      if (size > limits.maxManifestBytes) throw new GatewayError('HGW_UPDATE_TOO_LARGE', `${MANIFEST_ENTRY} is ${size} bytes, over the limit of ${limits.maxManifestBytes}`);
      manifest = span;
    } else if (entries === 2 && name === SIGNATURE_ENTRY) {
      if (size !== SIGNATURE_BYTES) throw malformed(`${SIGNATURE_ENTRY} must be ${SIGNATURE_BYTES} bytes, it is ${size}`);
      signature = span;
    } else if (name.startsWith(FILE_ENTRY_PREFIX)) {
      const path = name.slice(FILE_ENTRY_PREFIX.length);
      const problem = payloadPathProblem(path);
      if (problem) throw new GatewayError('HGW_UPDATE_UNSAFE_PATH', `the bundle carries ${problem}: ${shownPath(path)}`);
      if (files.has(path)) throw new GatewayError('HGW_UPDATE_FILE_SET', `the bundle carries ${shownPath(path)} twice`);
      if (files.size >= limits.maxFiles) throw new GatewayError('HGW_UPDATE_TOO_LARGE', `the bundle carries more than ${limits.maxFiles} files`);
      files.set(path, span);
    } else {
      throw new GatewayError('HGW_UPDATE_FILE_SET', `the bundle carries an unexpected entry ${shownPath(name)}`);
    }
  }
  if (!manifest) throw malformed(`it holds no ${MANIFEST_ENTRY}`);
  return { manifest, signature, files };
}

/** The bytes that precede an entry's data. */
export function entryHeader(name: string, size: number): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(name) || name.length > MAX_NAME_BYTES) throw new RangeError(`not a valid entry name: ${shownPath(name)}`);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('entry size must be a whole number of bytes');
  const header = new Uint8Array(1 + 2 + name.length + 8);
  const view = new DataView(header.buffer);
  header[0] = TAG_FILE;
  view.setUint16(1, name.length);
  for (let index = 0; index < name.length; index += 1) header[3 + index] = name.charCodeAt(index);
  view.setBigUint64(3 + name.length, BigInt(size));
  return header;
}

export function endRecord(entries: number): Uint8Array {
  const record = new Uint8Array(5);
  record[0] = TAG_END;
  new DataView(record.buffer).setUint32(1, entries);
  return record;
}

/** A whole bundle in memory (tests, small bundles); the CLI streams the same layout to a file. */
export function encodeBundle(manifest: Uint8Array, signature: Uint8Array | undefined, files: readonly { readonly path: string; readonly bytes: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [BUNDLE_MAGIC, entryHeader(MANIFEST_ENTRY, manifest.length), manifest];
  if (signature) parts.push(entryHeader(SIGNATURE_ENTRY, signature.length), signature);
  for (const file of files) parts.push(entryHeader(`${FILE_ENTRY_PREFIX}${file.path}`, file.bytes.length), file.bytes);
  parts.push(endRecord(1 + (signature ? 1 : 0) + files.length));
  return Buffer.concat(parts);
}
