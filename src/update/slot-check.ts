import { join } from 'node:path';
import { MANIFEST_ENTRY, SIGNATURE_ENTRY } from './bundle-container.js';
import { parseManifest, type BundleManifest } from './bundle-manifest.js';
import { SLOT_RECORD_DIRECTORY, shownPath } from './bundle-paths.js';
import { manifestSignatureValid, type PublicSigningKey } from './signing-keys.js';
import type { UpdateFiles } from './update-files.js';
import { hashSpan } from './verify-bundle.js';

/**
 * A staged slot keeps the bundle's signed manifest in `.bundle/`, written after every file: its
 * presence says staging finished, and its list lets anyone check the slot again, file by file.
 */
export const SLOT_MANIFEST = `${SLOT_RECORD_DIRECTORY}/${MANIFEST_ENTRY}`;
export const SLOT_SIGNATURE = `${SLOT_RECORD_DIRECTORY}/${SIGNATURE_ENTRY}`;

export type SlotCheck =
  | { readonly complete: true; readonly manifest: BundleManifest; readonly manifestBytes: Uint8Array; readonly signature: Uint8Array }
  | { readonly complete: false; readonly problem: string };

const MAX_FILES = 1_000_000;

export async function readSlotRecord(files: UpdateFiles, slotDir: string): Promise<{ readonly manifestBytes: Uint8Array; readonly signature: Uint8Array } | undefined> {
  if (!(await files.exists(join(slotDir, SLOT_MANIFEST))) || !(await files.exists(join(slotDir, SLOT_SIGNATURE)))) return undefined;
  const read = async (path: string): Promise<Uint8Array> => {
    const source = await files.open(path);
    try {
      return Uint8Array.from(await source.read(0, source.size));
    } finally {
      await source.close();
    }
  };
  return { manifestBytes: await read(join(slotDir, SLOT_MANIFEST)), signature: await read(join(slotDir, SLOT_SIGNATURE)) };
}

/**
 * Whether the slot holds exactly what its recorded manifest lists: every file with its size and
 * SHA-256, nothing else, no links. With `keys`, the manifest's signature is checked too.
 */
export async function checkSlot(files: UpdateFiles, slotDir: string, keys?: readonly PublicSigningKey[]): Promise<SlotCheck> {
  const record = await readSlotRecord(files, slotDir);
  if (!record) return { complete: false, problem: 'no signed manifest in the slot (staging did not finish, or it was installed by hand)' };
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(record.manifestBytes, MAX_FILES);
  } catch {
    return { complete: false, problem: 'the slot\'s manifest cannot be read' };
  }
  if (keys && !keys.some((key) => key.id === manifest.keyId && manifestSignatureValid(record.manifestBytes, record.signature, key.key))) {
    return { complete: false, problem: 'the slot\'s manifest is not signed by a pinned key' };
  }
  const listed = new Map(manifest.files.map((file) => [file.path, file]));
  const found = new Set<string>();
  for (const entry of await files.walk(slotDir)) {
    if (entry.path === SLOT_RECORD_DIRECTORY || entry.path === SLOT_MANIFEST || entry.path === SLOT_SIGNATURE) continue;
    if (entry.kind === 'directory') continue;
    const file = listed.get(entry.path);
    if (entry.kind !== 'file' || !file) return { complete: false, problem: `${shownPath(entry.path)} is in the slot but not in its manifest` };
    if (entry.size !== file.size) return { complete: false, problem: `${shownPath(entry.path)} has the wrong size` };
    const source = await files.open(join(slotDir, entry.path));
    try {
      if ((await hashSpan(source, { offset: 0, size: source.size })) !== file.sha256) return { complete: false, problem: `${shownPath(entry.path)} does not match its SHA-256` };
    } finally {
      await source.close();
    }
    found.add(entry.path);
  }
  const missing = manifest.files.find((file) => !found.has(file.path));
  if (missing) return { complete: false, problem: `${shownPath(missing.path)} is missing from the slot` };
  return { complete: true, manifest, manifestBytes: record.manifestBytes, signature: record.signature };
}
