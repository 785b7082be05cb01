import { closeSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether `directory`'s file system refuses a new file with EROFS: mounted read-only, or turned
 * read-only by the kernel after a storage error (ext4 `errors=remount-ro`, which `findmnt` still
 * lists as "rw"). One small file, created and removed; any other error answers false.
 */
export function refusesWrites(directory: string): boolean {
  const probe = join(directory, `.write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w', 0o600));
    unlinkSync(probe);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}
