import { closeSync, fchmodSync, fstatSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { isMonthEpoch } from '../time/month-epoch.js';

export const KEYRING_FORMAT = 'helpline-gateway/keyring';

/** Suffix of the temporary file `writeFileAtomically` renames into place; leftovers are destroyed at open. */
export const TEMPORARY_SUFFIX = '.tmp';

/** Flush a directory's entries (a rename or unlink is durable only once its directory is). */
export function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written);
  }
}

/**
 * Replace `path` with `bytes` so that after a crash it holds either the old or the new content,
 * never a mix: write a temporary file with `mode`, fsync it, rename it over `path`, fsync the
 * directory. The rename is the commit point.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array, mode: number): void {
  const temporary = join(dirname(path), basename(path) + TEMPORARY_SUFFIX);
  const fd = openSync(temporary, 'w', mode);
  try {
    // The umask or a leftover temporary file could leave other bits set; the mode must be exact.
    fchmodSync(fd, mode);
    writeAll(fd, bytes);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

/**
 * Overwrite a file with zeros, fsync, unlink it and fsync its directory. On flash with wear
 * levelling the old blocks may survive physically; this removes every copy reachable through the
 * file system, which is what makes an old keyring copy useless without its KEK.
 */
export function overwriteAndRemove(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size > 0) {
      writeAll(fd, new Uint8Array(size));
      fsyncSync(fd);
    }
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  syncDirectory(dirname(path));
}

/** The JSON kept in keyring.json: every data key wrapped (base64 of nonce ‖ secretbox) under one KEK. */
const wrappedKeySchema = z.strictObject({
  epoch: z.string().refine(isMonthEpoch),
  createdAt: z.number().int().nonnegative(),
  wrapped: z.base64(),
});

const keySetSchema = z.strictObject({
  live: z.array(wrappedKeySchema),
  shredded: z.array(z.strictObject({ epoch: z.string().refine(isMonthEpoch), shreddedAt: z.number().int().nonnegative() })),
});

const keyringDocumentSchema = z.strictObject({
  format: z.literal(KEYRING_FORMAT),
  version: z.literal(1),
  kek: z.strictObject({ generation: z.number().int().positive(), createdAt: z.number().int().nonnegative() }),
  link: keySetSchema,
  // A keyring written before transcripts were sealed has no chat-transcript set: it starts empty.
  vault: z.strictObject({
    'phone-number': keySetSchema,
    'chat-ip': keySetSchema,
    'mail-address': keySetSchema,
    'chat-transcript': keySetSchema.default({ live: [], shredded: [] }),
    // Nor one written before mails were stored.
    'mail-content': keySetSchema.default({ live: [], shredded: [] }),
  }),
});

export type KeyringDocument = z.infer<typeof keyringDocumentSchema>;
export type KeySetDocument = z.infer<typeof keySetSchema>;

/** Parse keyring.json; HGW_KEYRING_CORRUPT names the file and the field, never its content. */
export function parseKeyringDocument(bytes: Uint8Array, path: string): KeyringDocument {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // JSON.parse's message quotes the input; the file's name is enough.
    throw new GatewayError('HGW_KEYRING_CORRUPT', `keyring file ${path} is not valid JSON`);
  }
  const result = keyringDocumentSchema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues[0]?.path.join('.') || 'top level';
    throw new GatewayError('HGW_KEYRING_CORRUPT', `keyring file ${path} is not a valid keyring (at ${where})`);
  }
  return result.data;
}

export function serializeKeyringDocument(document: KeyringDocument): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(document, null, 2) + '\n');
}
