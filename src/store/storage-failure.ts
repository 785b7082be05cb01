/**
 * What kind of storage trouble an error from SQLite or the file system is, told by SQLite's own
 * wording (node-sqlite3-wasm gives no result code) or by the errno code. Never carries row content.
 *
 * full: SQLITE_FULL ("database or disk is full"), ENOSPC, EDQUOT;
 * io-error: SQLITE_IOERR ("disk I/O error"), EIO: what a failing SD card gives;
 * read-only: SQLITE_READONLY ("attempt to write a readonly database"), EROFS: a file system the
 * kernel remounted read-only after errors.
 */
export type StorageFailure = 'full' | 'io-error' | 'read-only';

const BY_ERRNO: Readonly<Record<string, StorageFailure>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EIO: 'io-error',
  EROFS: 'read-only',
};

export function storageFailureOf(error: unknown): StorageFailure | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && BY_ERRNO[code]) return BY_ERRNO[code];
    const message = current.message;
    if (/database or disk is full|no space left/i.test(message)) return 'full';
    if (/disk I\/O error|input\/output error/i.test(message)) return 'io-error';
    if (/readonly database|read-only file system/i.test(message)) return 'read-only';
  }
  return undefined;
}
