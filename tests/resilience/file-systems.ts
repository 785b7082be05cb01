import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Small real file systems for the fault suite: a size-limited tmpfs that fills up, and an ext4
 * image on a loop device that the kernel turns read-only under the running box, as it does when
 * an SD card reports errors (`errors=remount-ro`). Only root may mount; elsewhere `refused` says
 * why, and the tests fail as root rather than pass without having tried.
 */
export interface Mounted {
  readonly path: string;
  unmount(): void;
}

function run(command: string, args: readonly string[]): void {
  execFileSync(command, args, { stdio: 'pipe' });
}

function reason(error: unknown): string {
  return String((error as { stderr?: Buffer }).stderr ?? error).trim();
}

export function mountTmpfs(path: string, sizeMb: number): Mounted | { refused: string } {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', path]);
  } catch (error) {
    return { refused: reason(error) };
  }
  return { path, unmount: () => run('umount', [path]) };
}

/** Writes a ballast file until the file system is full; returns its path (unlink it to free the space). */
export function fillUp(directory: string): string {
  const path = join(directory, 'ballast');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  // The last bytes of a partly filled block.
  try {
    for (;;) writeSync(fd, chunk.subarray(0, 512));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

export function freeUp(ballast: string): void {
  unlinkSync(ballast);
}

/** An ext4 image on a loop device, mounted `errors=remount-ro`. */
export class Ext4Volume implements Mounted {
  readonly path: string;
  readonly #image: string;

  private constructor(image: string, path: string) {
    this.#image = image;
    this.path = path;
  }

  static create(directory: string, sizeMb: number): Ext4Volume | { refused: string } {
    const image = join(directory, 'volume.img');
    const path = join(directory, 'volume');
    mkdirSync(path, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(image, '');
      run('truncate', ['-s', `${sizeMb}M`, image]);
      run('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
      const volume = new Ext4Volume(image, path);
      volume.#mount();
      return volume;
    } catch (error) {
      rmSync(image, { force: true });
      return { refused: reason(error) };
    }
  }

  #mount(): void {
    run('mount', ['-o', 'loop,errors=remount-ro', this.#image, this.path]);
  }

  #device(): string {
    return execFileSync('findmnt', ['-n', '-o', 'SOURCE', this.path], { encoding: 'utf8' }).trim();
  }

  /** What the kernel does on a storage error: the file system goes read-only under every open file. */
  fail(): void {
    writeFileSync(`/sys/fs/ext4/${basename(this.#device())}/trigger_fs_error`, 'resilience fault suite\n');
  }

  /** Whether a new file is refused with EROFS (findmnt still says "rw" after an emergency remount). */
  readOnly(): boolean {
    try {
      writeFileSync(join(this.path, '.write-probe'), '');
      unlinkSync(join(this.path, '.write-probe'));
      return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EROFS') return true;
      throw error;
    }
  }

  /** What the installer does after one: unmount, check and repair, mount again. */
  repair(): void {
    this.unmount();
    try {
      run('e2fsck', ['-f', '-y', this.#image]);
    } catch (error) {
      // 1: errors corrected; anything above is a file system e2fsck could not make whole.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    this.#mount();
  }

  unmount(): void {
    run('umount', [this.path]);
  }
}
