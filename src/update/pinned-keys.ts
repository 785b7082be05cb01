import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { keyIdOf, parsePublicKeyFile, type PublicSigningKey } from './signing-keys.js';
import type { UpdateFiles } from './update-files.js';

/** At most two: the key in use and the next one, so a key can be replaced without a gap. */
export const MAX_PINNED_KEYS = 2;
const KEY_FILE = /^[A-Za-z0-9._-]+\.pub$/;

/** Every `*.pub` in the folder, without the limit of two (rotation looks at an interrupted set). */
export async function readKeyFiles(files: UpdateFiles, directory: string): Promise<readonly (PublicSigningKey & { readonly file: string })[]> {
  const keys: (PublicSigningKey & { readonly file: string })[] = [];
  for (const name of (await files.list(directory)).filter((candidate) => KEY_FILE.test(candidate)).sort()) {
    const text = await files.readText(join(directory, name));
    const key = text === undefined ? undefined : parsePublicKeyFile(text);
    if (!key) throw new GatewayError('HGW_UPDATE_KEYS', `${join(directory, name)} is not a release public key (one line of base64, 32 bytes)`);
    keys.push({ ...key, file: name });
  }
  return keys;
}

/** The pinned release keys: one or two distinct keys, or HGW_UPDATE_KEYS saying what is wrong. */
export async function loadPinnedKeys(files: UpdateFiles, directory: string): Promise<readonly PublicSigningKey[]> {
  const keys = await readKeyFiles(files, directory);
  if (keys.length === 0) throw new GatewayError('HGW_UPDATE_KEYS', `no pinned release key in ${directory} (*.pub): this box cannot accept any update`);
  const distinct = new Set(keys.map((key) => key.id));
  if (distinct.size !== keys.length) throw new GatewayError('HGW_UPDATE_KEYS', `${directory} holds the same key twice`);
  if (keys.length > MAX_PINNED_KEYS) throw new GatewayError('HGW_UPDATE_KEYS', `${directory} holds ${keys.length} keys; at most ${MAX_PINNED_KEYS} are pinned (an interrupted rotation is finished by \`update boot-check\`)`);
  return keys.map(({ id, key }) => ({ id, key }));
}

export function pinnedKeyFileName(key: Uint8Array): string {
  return `release-${keyIdOf(key)}.pub`;
}
