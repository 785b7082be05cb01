import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { parseManifest } from './bundle-manifest.js';
import { pinnedKeyFileName, readKeyFiles } from './pinned-keys.js';
import { manifestSignatureValid, publicKeyFromBase64, type PublicSigningKey } from './signing-keys.js';
import { readSlotRecord } from './slot-check.js';
import type { StepHook, UpdateFiles } from './update-files.js';
import { slotDirectory, type UpdatePaths } from './update-paths.js';
import type { UpdateState } from './update-state.js';

/**
 * Key rotation: a committed version whose signed manifest carries `nextKeys` replaces the pinned
 * set with them. Done by the root-run steps (boot-check, apply), since the pinned keys are
 * root-owned. The manifest is checked again against a key that is pinned now, new keys are written
 * before old ones go, and the key that signed the rotation goes last: a crash part-way leaves a
 * set that still holds it, and the next run finishes the job.
 */
export async function rotatePinnedKeys(files: UpdateFiles, paths: UpdatePaths, state: UpdateState, reached: StepHook = () => undefined): Promise<boolean> {
  const record = await readSlotRecord(files, slotDirectory(paths, state.committed.slot));
  if (!record) return false;
  const manifest = parseManifest(record.manifestBytes, Number.MAX_SAFE_INTEGER);
  if (!manifest.nextKeys || manifest.version !== state.committed.version) return false;
  const desired = manifest.nextKeys.map((text) => publicKeyFromBase64(text)).filter((key): key is PublicSigningKey => key !== undefined);
  const present = await readKeyFiles(files, paths.keysDir);
  const desiredIds = new Set(desired.map((key) => key.id));
  if (present.length === desired.length && present.every((key) => desiredIds.has(key.id))) return false;

  const signer = present.find((key) => key.id === manifest.keyId);
  if (!signer || !manifestSignatureValid(record.manifestBytes, record.signature, signer.key)) {
    throw new GatewayError('HGW_UPDATE_KEYS', `version ${manifest.version} names new release keys, but its manifest is not signed by a key pinned now: the pinned keys were left as they are`);
  }
  await files.makeDirectory(paths.keysDir);
  const presentIds = new Set(present.map((key) => key.id));
  for (const key of desired.filter((candidate) => !presentIds.has(candidate.id))) {
    const text = `# helpline-gateway release signing public key ${key.id} (pinned by version ${manifest.version})\n${Buffer.from(key.key).toString('base64')}\n`;
    await files.writeAtomic(join(paths.keysDir, pinnedKeyFileName(key.key)), new TextEncoder().encode(text), 0o644);
    reached('key-pinned');
  }
  const leaving = present.filter((key) => !desiredIds.has(key.id)).sort((a, b) => Number(a.id === signer.id) - Number(b.id === signer.id));
  for (const key of leaving) {
    await files.remove(join(paths.keysDir, key.file));
    reached('key-unpinned');
  }
  await files.syncDirectory(paths.keysDir);
  return true;
}
