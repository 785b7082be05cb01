import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import { GatewayError } from '../errors.js';

/**
 * Release signing keys: ed25519 (tweetnacl). Key files are text: optional `#` comment lines, then
 * one line of base64 (a 32-byte public key, or the 64-byte secret key tweetnacl makes). A key's id
 * is the first 16 hex digits of the SHA-256 of its public key: the manifest names it, the box looks
 * it up among its pinned keys.
 */
export const PUBLIC_KEY_BYTES = nacl.sign.publicKeyLength;
export const SECRET_KEY_BYTES = nacl.sign.secretKeyLength;

export interface PublicSigningKey {
  readonly id: string;
  readonly key: Uint8Array;
}

export function keyIdOf(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

function keyLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  return lines.length === 1 ? lines[0] : undefined;
}

function decodeBase64(line: string | undefined, bytes: number): Uint8Array | undefined {
  if (line === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(line)) return undefined;
  const decoded = Buffer.from(line, 'base64');
  return decoded.length === bytes && decoded.toString('base64') === line ? new Uint8Array(decoded) : undefined;
}

export function publicKeyFromBase64(text: string): PublicSigningKey | undefined {
  const key = decodeBase64(text, PUBLIC_KEY_BYTES);
  return key ? { id: keyIdOf(key), key } : undefined;
}

/** A public key file's text; undefined when it is not exactly one base64 public key. */
export function parsePublicKeyFile(text: string): PublicSigningKey | undefined {
  const line = keyLine(text);
  return line === undefined ? undefined : publicKeyFromBase64(line);
}

/** A secret key file's text; throws HGW_UPDATE_KEYS without repeating any of it. */
export function parseSecretKeyFile(text: string, path: string): { readonly secretKey: Uint8Array; readonly publicKey: PublicSigningKey } {
  const secretKey = decodeBase64(keyLine(text), SECRET_KEY_BYTES);
  if (!secretKey) throw new GatewayError('HGW_UPDATE_KEYS', `${path}: not a release signing key (one line of base64, 64 bytes)`);
  const derived = nacl.sign.keyPair.fromSecretKey(secretKey);
  // tweetnacl's secret key carries its public half; a file whose halves disagree was damaged.
  if (!Buffer.from(derived.publicKey).equals(Buffer.from(secretKey.subarray(32)))) {
    throw new GatewayError('HGW_UPDATE_KEYS', `${path}: the key file is damaged (its two halves do not belong together)`);
  }
  return { secretKey, publicKey: { id: keyIdOf(derived.publicKey), key: derived.publicKey } };
}

export function generateSigningKeyPair(): { readonly publicKeyFile: string; readonly secretKeyFile: string; readonly id: string } {
  const pair = nacl.sign.keyPair();
  const id = keyIdOf(pair.publicKey);
  return {
    id,
    publicKeyFile: `# helpline-gateway release signing public key ${id}\n${Buffer.from(pair.publicKey).toString('base64')}\n`,
    secretKeyFile: `# helpline-gateway release signing SECRET key ${id}: keep offline, never copy to a box\n${Buffer.from(pair.secretKey).toString('base64')}\n`,
  };
}

export function signManifestBytes(manifest: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return nacl.sign.detached(manifest, secretKey);
}

export function manifestSignatureValid(manifest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === nacl.sign.signatureLength && nacl.sign.detached.verify(manifest, signature, publicKey);
}
