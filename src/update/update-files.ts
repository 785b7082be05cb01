import type { ByteSource } from './byte-source.js';

/**
 * Everything the update core does to the file system, as one narrow interface. The Node adapter
 * (node-update-files.ts) makes each operation durable (fsync of files and of the folders that name
 * them); the core decides the order, which is what makes a crash at any point leave the complete
 * old or the complete new version.
 */
export interface OpenedSource extends ByteSource {
  close(): Promise<void>;
}

export interface FileSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to the disk (fsync) and closes. */
  finish(): Promise<void>;
  /** Closes without keeping the file. */
  discard(): Promise<void>;
}

export interface TreeEntry {
  /** Relative to the walked folder, `/`-separated. */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly size: number;
  readonly executable: boolean;
}

export interface UpdateFiles {
  /** The file's text, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  open(path: string): Promise<OpenedSource>;
  /** A symlink's target as stored, or undefined when there is no symlink there. */
  readLink(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** Every entry below a folder (not following links); empty when the folder does not exist. */
  walk(directory: string): Promise<readonly TreeEntry[]>;
  /** Names in a folder; empty when it does not exist. */
  list(directory: string): Promise<readonly string[]>;

  /** Temp file, fsync, rename over `path`, fsync of the folder. */
  writeAtomic(path: string, bytes: Uint8Array, mode: number): Promise<void>;
  /** A new file (its folder must exist), replacing one that is there. */
  create(path: string, mode: number): Promise<FileSink>;
  /** The file's bytes into a new file, fsynced. */
  copy(from: string, to: string, mode: number): Promise<void>;
  makeDirectory(path: string): Promise<void>;
  syncDirectory(path: string): Promise<void>;
  removeTree(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** A new symlink beside `path`, renamed over it (atomic), then the folder fsynced. */
  replaceSymlink(path: string, target: string): Promise<void>;
}

/** Called at each named step of apply, boot-check and the atomic writes: tests kill the process there. */
export type StepHook = (step: string) => void;
