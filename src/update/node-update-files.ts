import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { FileSink, OpenedSource, StepHook, TreeEntry, UpdateFiles } from './update-files.js';

/**
 * UpdateFiles on Node's fs: every write is fsynced, and so is the folder that names it. Run as root
 * (the start check, apply), a new file or folder takes the owner of the folder it is made in, so the
 * service user keeps reading and replacing its own state files. `reached` sees the inner steps of
 * the atomic writes, for the crash tests.
 */
export class NodeUpdateFiles implements UpdateFiles {
  readonly #reached: StepHook;

  constructor(options: { readonly reached?: StepHook } = {}) {
    this.#reached = options.reached ?? (() => undefined);
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      return await fs.readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError('read', path, error);
    }
  }

  async open(path: string): Promise<OpenedSource> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      throw ioError('open', path, error);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new GatewayError('HGW_UPDATE_MALFORMED', `${path} is not a regular file`);
    }
    return {
      size: stat.size,
      read: async (position, length) => {
        const buffer = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
          if (bytesRead === 0) throw new GatewayError('HGW_UPDATE_TRUNCATED', `${path} became shorter while it was read: the bundle is incomplete`);
          done += bytesRead;
        }
        return buffer;
      },
      close: () => handle.close(),
    };
  }

  async readLink(path: string): Promise<string | undefined> {
    try {
      return await fs.readlink(path);
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
      throw ioError('read the link', path, error);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.lstat(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw ioError('look at', path, error);
    }
  }

  async walk(directory: string): Promise<readonly TreeEntry[]> {
    const entries: TreeEntry[] = [];
    const visit = async (relative: string): Promise<void> => {
      const names = await this.list(join(directory, relative));
      for (const name of names.slice().sort()) {
        const path = relative === '' ? name : `${relative}/${name}`;
        const stat = await fs.lstat(join(directory, path));
        const kind = stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other';
        entries.push({ path, kind, size: stat.size, executable: (stat.mode & 0o111) !== 0 });
        if (kind === 'directory') await visit(path);
      }
    };
    await visit('');
    return entries;
  }

  async list(directory: string): Promise<readonly string[]> {
    try {
      return await fs.readdir(directory);
    } catch (error) {
      if (isMissing(error)) return [];
      throw ioError('list', directory, error);
    }
  }

  async writeAtomic(path: string, bytes: Uint8Array, mode: number): Promise<void> {
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(temporary, 'wx', mode);
      try {
        await handle.writeFile(bytes);
        await handle.chmod(mode);
        await this.#takeFolderOwner(handle, dirname(path));
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.#reached(`atomic-temp-written:${basename(path)}`);
      await fs.rename(temporary, path);
      this.#reached(`atomic-renamed:${basename(path)}`);
      await this.syncDirectory(dirname(path));
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw isGatewayError(error) ? error : ioError('write', path, error);
    }
  }

  async create(path: string, mode: number): Promise<FileSink> {
    let handle: fs.FileHandle;
    try {
      await fs.rm(path, { force: true });
      handle = await fs.open(path, 'wx', mode);
      await handle.chmod(mode);
      await this.#takeFolderOwner(handle, dirname(path));
    } catch (error) {
      throw ioError('create', path, error);
    }
    return {
      write: async (chunk) => {
        try {
          await handle.write(chunk);
        } catch (error) {
          await handle.close().catch(() => undefined);
          throw ioError('write', path, error);
        }
      },
      finish: async () => {
        try {
          await handle.sync();
          await handle.close();
        } catch (error) {
          throw ioError('flush', path, error);
        }
      },
      discard: async () => {
        await handle.close().catch(() => undefined);
        await fs.rm(path, { force: true });
      },
    };
  }

  async copy(from: string, to: string, mode: number): Promise<void> {
    const source = await this.open(from);
    const sink = await this.create(to, mode);
    try {
      const chunk = 1024 * 1024;
      for (let done = 0; done < source.size; done += chunk) await sink.write(await source.read(done, Math.min(chunk, source.size - done)));
      await sink.finish();
    } catch (error) {
      await sink.discard();
      throw error;
    } finally {
      await source.close();
    }
  }

  async makeDirectory(path: string): Promise<void> {
    try {
      const first = await fs.mkdir(path, { recursive: true, mode: 0o755 });
      if (first !== undefined && process.getuid?.() === 0) {
        const owner = await fs.stat(dirname(first));
        for (let made = path; made.length >= first.length; made = dirname(made)) await fs.chown(made, owner.uid, owner.gid);
      }
    } catch (error) {
      throw ioError('make the folder', path, error);
    }
  }

  async syncDirectory(path: string): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(path, constants.O_RDONLY | constants.O_DIRECTORY);
      await handle.sync();
    } catch (error) {
      throw ioError('flush the folder', path, error);
    } finally {
      await handle?.close();
    }
  }

  async removeTree(path: string): Promise<void> {
    try {
      await fs.rm(path, { recursive: true, force: true });
    } catch (error) {
      throw ioError('remove', path, error);
    }
  }

  async remove(path: string): Promise<void> {
    try {
      await fs.rm(path, { force: true });
    } catch (error) {
      throw ioError('remove', path, error);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await fs.rename(from, to);
    } catch (error) {
      throw ioError('rename', from, error);
    }
  }

  async replaceSymlink(path: string, target: string): Promise<void> {
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.symlink(target, temporary);
      this.#reached(`symlink-temp-made:${basename(path)}`);
      await fs.rename(temporary, path);
      this.#reached(`symlink-renamed:${basename(path)}`);
      await this.syncDirectory(dirname(path));
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw isGatewayError(error) ? error : ioError('switch', path, error);
    }
  }

  async #takeFolderOwner(handle: fs.FileHandle, folder: string): Promise<void> {
    if (process.getuid?.() !== 0) return;
    const owner = await fs.stat(folder);
    await handle.chown(owner.uid, owner.gid);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

function ioError(action: string, path: string, error: unknown): GatewayError {
  const code = (error as NodeJS.ErrnoException).code ?? 'failed';
  return new GatewayError('HGW_UPDATE_IO', `cannot ${action} ${path} (${code})`, { cause: error });
}
