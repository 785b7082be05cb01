import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nacl from 'tweetnacl';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { MonthEpoch } from '../time/month-epoch.js';
import {
  KEYRING_FORMAT,
  TEMPORARY_SUFFIX,
  overwriteAndRemove,
  parseKeyringDocument,
  serializeKeyringDocument,
  writeFileAtomically,
  type KeySetDocument,
  type KeyringDocument,
} from './keyring-file.js';
import type { DataClass } from './types.js';

export interface KeyringOptions {
  /** Directory of keyring.json and kek-<generation>.key; created with mode 0700 on first use. */
  readonly directory: string;
  /** Source of the creation and shredding times recorded next to each key. */
  readonly clock: Clock;
  /**
   * 'read-write' (default) is for the one process that owns the keyring. 'read-only' is for a
   * command run beside it (doctor, keys status): it creates nothing, destroys no leftover file (it
   * could be the owner's write in progress) and refuses every mutation.
   */
  readonly access?: 'read-write' | 'read-only';
}

/** What changed in the keyring, for the audit log: names and months, never key material. */
export type KeyringEvent =
  | { readonly kind: 'created'; readonly family: 'link' | DataClass; readonly epoch: MonthEpoch }
  | { readonly kind: 'rewrapped'; readonly generation: number };

export interface KeyEpochStatus {
  readonly epoch: MonthEpoch;
  readonly createdAt: number;
}

export interface ShreddedEpochStatus {
  readonly epoch: MonthEpoch;
  readonly shreddedAt: number;
}

export interface KeySetStatus {
  readonly live: readonly KeyEpochStatus[];
  readonly shredded: readonly ShreddedEpochStatus[];
}

export interface KeyringPathStatus {
  readonly path: string;
  /** Permission bits (e.g. 0o600); undefined when the path does not exist. */
  readonly mode: number | undefined;
}

/** What `keys status` and `doctor` show: epochs, times, files. Never key material. */
export interface KeyringStatus {
  readonly directory: KeyringPathStatus;
  readonly keyringFile: KeyringPathStatus;
  readonly kekFile: KeyringPathStatus;
  readonly kek: { readonly generation: number; readonly createdAt: number };
  readonly link: KeySetStatus;
  readonly vault: Readonly<Record<DataClass, KeySetStatus>>;
}

const KEYRING_FILE = 'keyring.json';
const KEK_FILE = /^kek-(\d+)\.key$/;
const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;
const KEY_BYTES = nacl.secretbox.keyLength;
const NONCE_BYTES = nacl.secretbox.nonceLength;
const DATA_CLASSES: readonly DataClass[] = ['phone-number', 'chat-ip', 'mail-address', 'chat-transcript', 'mail-content'];

type KeySetName = 'link' | DataClass;

interface LiveKey {
  readonly key: Uint8Array;
  readonly createdAt: number;
}

interface KeySet {
  readonly live: Map<MonthEpoch, LiveKey>;
  readonly shredded: Map<MonthEpoch, number>;
}

interface KeyEncryptionKey {
  readonly key: Uint8Array;
  readonly generation: number;
  readonly createdAt: number;
}

function kekFileName(generation: number): string {
  return `kek-${generation}.key`;
}

/** Bound into the wrapped plaintext so a wrapped key moved to another month or class fails to unwrap. */
function wrapLabel(set: KeySetName, epoch: MonthEpoch): Uint8Array {
  return new TextEncoder().encode(set === 'link' ? `link/${epoch}` : `vault/${set}/${epoch}`);
}

function wrapKey(kek: Uint8Array, key: Uint8Array, label: Uint8Array): Uint8Array {
  const plaintext = new Uint8Array(KEY_BYTES + label.length);
  plaintext.set(key);
  plaintext.set(label, KEY_BYTES);
  const nonce = nacl.randomBytes(NONCE_BYTES);
  const box = nacl.secretbox(plaintext, nonce, kek);
  plaintext.fill(0);
  const wrapped = new Uint8Array(NONCE_BYTES + box.length);
  wrapped.set(nonce);
  wrapped.set(box, NONCE_BYTES);
  return wrapped;
}

function unwrapKey(kek: Uint8Array, wrapped: Uint8Array, label: Uint8Array): Uint8Array | undefined {
  if (wrapped.length < NONCE_BYTES + nacl.secretbox.overheadLength + KEY_BYTES) return undefined;
  const opened = nacl.secretbox.open(wrapped.subarray(NONCE_BYTES), wrapped.subarray(0, NONCE_BYTES), kek);
  if (!opened) return undefined;
  const labelled = opened.length === KEY_BYTES + label.length && label.every((byte, i) => opened[KEY_BYTES + i] === byte);
  const key = labelled ? opened.slice(0, KEY_BYTES) : undefined;
  opened.fill(0);
  return key;
}

function permissionBits(path: string): number | undefined {
  return existsSync(path) ? statSync(path).mode & 0o777 : undefined;
}

/** Refuse a symlink, a non-regular file or any group/other permission bit. */
function requirePrivate(path: string, expect: 'file' | 'directory'): void {
  const stats = lstatSync(path);
  const right = expect === 'file' ? stats.isFile() : stats.isDirectory();
  if (!right) {
    throw new GatewayError('HGW_KEYRING_PERMISSIONS', `keyring ${expect} ${path} is not a regular ${expect}`);
  }
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    const wanted = (expect === 'file' ? FILE_MODE : DIRECTORY_MODE).toString(8);
    throw new GatewayError(
      'HGW_KEYRING_PERMISSIONS',
      `keyring ${expect} ${path} is accessible by group or others (mode ${mode.toString(8)}); chmod ${wanted} it`,
    );
  }
}

function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function emptyKeySet(): KeySet {
  return { live: new Map(), shredded: new Map() };
}

function sortedByEpoch<T extends { epoch: MonthEpoch }>(items: T[]): T[] {
  return items.sort((a, b) => (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : 0));
}

/**
 * Monthly link keys (pseudonyms) and vault keys per data class (sealed identifiers), each 32 random
 * bytes, kept in keyring.json wrapped under a key-encryption key (KEK) that lives in its own file,
 * kek-<generation>.key. Every mutation is on disk before the method returns. Shredding a key also
 * re-wraps the remaining ones under a fresh KEK and destroys the old KEK file, so an old copy of
 * keyring.json left on flash cannot be unwrapped any more.
 */
export class Keyring {
  readonly #directory: string;
  readonly #clock: Clock;
  readonly #sets: ReadonlyMap<KeySetName, KeySet>;
  #kek: KeyEncryptionKey;
  /** Never reuse a generation, even after a failed rewrap whose rename may have landed. */
  #highestGeneration: number;
  /** SHA-256 of keyring.json as this instance last read or wrote it, to notice a second writer. */
  #fileDigest: string;
  readonly #readOnly: boolean;
  readonly #listeners = new Set<(event: KeyringEvent) => void>();
  #closed = false;
  #zeroized = false;

  private constructor(
    directory: string,
    clock: Clock,
    kek: KeyEncryptionKey,
    sets: ReadonlyMap<KeySetName, KeySet>,
    fileDigest: string,
    readOnly: boolean,
  ) {
    this.#directory = directory;
    this.#fileDigest = fileDigest;
    this.#readOnly = readOnly;
    this.#clock = clock;
    this.#kek = kek;
    this.#highestGeneration = kek.generation;
    this.#sets = sets;
  }

  /**
   * Open the keyring in `directory`, creating directory and keyring on first use. KEK files of other
   * generations and temporary files (left by a crash mid-write) are destroyed.
   */
  static open(options: KeyringOptions): Keyring {
    const directory = resolve(options.directory);
    const readOnly = options.access === 'read-only';
    if (!readOnly) mkdirSync(directory, { recursive: true, mode: DIRECTORY_MODE });
    const keyringPath = join(directory, KEYRING_FILE);
    if (!existsSync(keyringPath)) {
      if (readOnly) throw new GatewayError('HGW_KEYRING_MISSING_KEK', `keyring ${keyringPath} does not exist`);
      requirePrivate(directory, 'directory');
      return Keyring.#create(directory, options.clock);
    }
    requirePrivate(directory, 'directory');
    requirePrivate(keyringPath, 'file');
    // A reader beside the owner can read keyring.json just before a rewrap commits and then find
    // its KEK destroyed; the file has changed by then, so read it again.
    for (let attempt = 1; ; attempt += 1) {
      const keyringBytes = readFileSync(keyringPath);
      try {
        const keyring = Keyring.#load(directory, options.clock, keyringBytes, readOnly);
        if (!readOnly) keyring.#destroyStaleFiles();
        return keyring;
      } catch (error) {
        const changed = isGatewayError(error, 'HGW_KEYRING_MISSING_KEK') && digestOf(readFileSync(keyringPath)) !== digestOf(keyringBytes);
        if (!changed || attempt >= 3) throw error;
      }
    }
  }

  static #load(directory: string, clock: Clock, keyringBytes: Uint8Array, readOnly: boolean): Keyring {
    const keyringPath = join(directory, KEYRING_FILE);
    const document = parseKeyringDocument(keyringBytes, keyringPath);
    const kekPath = join(directory, kekFileName(document.kek.generation));
    if (!existsSync(kekPath)) {
      throw new GatewayError('HGW_KEYRING_MISSING_KEK', `keyring ${keyringPath} needs ${kekPath}, which is missing`);
    }
    requirePrivate(kekPath, 'file');
    const kekBytes = new Uint8Array(readFileSync(kekPath));
    if (kekBytes.every((byte) => byte === 0)) {
      throw new GatewayError('HGW_KEYRING_MISSING_KEK', `key-encryption key ${kekPath} is empty or zeroized`);
    }
    if (kekBytes.length !== KEY_BYTES) {
      throw new GatewayError('HGW_KEYRING_CORRUPT', `key-encryption key ${kekPath} has the wrong length`);
    }
    const kek: KeyEncryptionKey = { key: kekBytes, generation: document.kek.generation, createdAt: document.kek.createdAt };
    const sets = new Map<KeySetName, KeySet>([['link', Keyring.#unwrapSet(document.link, 'link', kek, keyringPath)]]);
    for (const dataClass of DATA_CLASSES) {
      sets.set(dataClass, Keyring.#unwrapSet(document.vault[dataClass], dataClass, kek, keyringPath));
    }
    return new Keyring(directory, clock, kek, sets, digestOf(keyringBytes), readOnly);
  }

  static #create(directory: string, clock: Clock): Keyring {
    const sets = new Map<KeySetName, KeySet>([['link', emptyKeySet()]]);
    for (const dataClass of DATA_CLASSES) sets.set(dataClass, emptyKeySet());
    const kek: KeyEncryptionKey = { key: nacl.randomBytes(KEY_BYTES), generation: 1, createdAt: clock.now() };
    const keyring = new Keyring(directory, clock, kek, sets, digestOf(new Uint8Array(0)), false);
    // A KEK without a keyring protects nothing: it is what a crash during first creation leaves.
    keyring.#destroyStaleFiles();
    writeFileAtomically(keyring.#kekPath(kek.generation), kek.key, FILE_MODE);
    keyring.#writeKeyring(kek);
    return keyring;
  }

  static #unwrapSet(document: KeySetDocument, set: KeySetName, kek: KeyEncryptionKey, keyringPath: string): KeySet {
    const keySet = emptyKeySet();
    for (const entry of document.live) {
      const epoch = entry.epoch as MonthEpoch;
      const key = unwrapKey(kek.key, Buffer.from(entry.wrapped, 'base64'), wrapLabel(set, epoch));
      if (!key) {
        throw new GatewayError(
          'HGW_KEYRING_CORRUPT',
          `keyring ${keyringPath}: the ${set} key of ${epoch} does not unwrap with ${kekFileName(kek.generation)}`,
        );
      }
      keySet.live.set(epoch, { key, createdAt: entry.createdAt });
    }
    for (const entry of document.shredded) keySet.shredded.set(entry.epoch as MonthEpoch, entry.shreddedAt);
    return keySet;
  }

  /** The link key of `epoch`, or undefined if it never existed or was shredded. Do not keep or modify it. */
  linkKey(epoch: MonthEpoch): Uint8Array | undefined {
    return this.#set('link').live.get(epoch)?.key;
  }

  /** The link key of `epoch`, created (and persisted) if needed; HGW_KEY_SHREDDED for a shredded month. */
  ensureLinkKey(epoch: MonthEpoch): Uint8Array {
    return this.#ensure('link', epoch);
  }

  /** Months with a live link key, oldest first. */
  linkEpochs(): MonthEpoch[] {
    return [...this.#set('link').live.keys()].sort();
  }

  /** Destroy the link key of `epoch`; false if there was none. */
  shredLinkKey(epoch: MonthEpoch): boolean {
    return this.#shred('link', epoch);
  }

  vaultKey(dataClass: DataClass, epoch: MonthEpoch): Uint8Array | undefined {
    return this.#set(dataClass).live.get(epoch)?.key;
  }

  ensureVaultKey(dataClass: DataClass, epoch: MonthEpoch): Uint8Array {
    return this.#ensure(dataClass, epoch);
  }

  vaultEpochs(dataClass: DataClass): MonthEpoch[] {
    return [...this.#set(dataClass).live.keys()].sort();
  }

  shredVaultKey(dataClass: DataClass, epoch: MonthEpoch): boolean {
    return this.#shred(dataClass, epoch);
  }

  /**
   * Told of every key created and every re-wrap, after it is on disk. A listener that throws fails
   * the operation that told it (the key stays on disk), so listeners catch their own errors.
   */
  onKeyEvent(listener: (event: KeyringEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Fresh KEK, every live data key re-wrapped under it, old KEK files destroyed. */
  rewrap(): void {
    this.#requireWritable();
    this.#commitUnderFreshKek();
    this.#destroyStaleFiles();
  }

  status(): KeyringStatus {
    this.#requireOpen();
    const setStatus = (name: KeySetName): KeySetStatus => {
      const set = this.#set(name);
      return {
        live: sortedByEpoch([...set.live].map(([epoch, { createdAt }]) => ({ epoch, createdAt }))),
        shredded: sortedByEpoch([...set.shredded].map(([epoch, shreddedAt]) => ({ epoch, shreddedAt }))),
      };
    };
    const pathStatus = (path: string): KeyringPathStatus => ({ path, mode: permissionBits(path) });
    const vault = Object.fromEntries(DATA_CLASSES.map((dataClass) => [dataClass, setStatus(dataClass)]));
    return {
      directory: pathStatus(this.#directory),
      keyringFile: pathStatus(join(this.#directory, KEYRING_FILE)),
      kekFile: pathStatus(this.#kekPath(this.#kek.generation)),
      kek: { generation: this.#kek.generation, createdAt: this.#kek.createdAt },
      link: setStatus('link'),
      vault: vault as Record<DataClass, KeySetStatus>,
    };
  }

  /**
   * Tamper response: wipe every key from memory and destroy the KEK file, which makes keyring.json
   * (and every copy of it) useless. A later open fails with HGW_KEYRING_MISSING_KEK.
   */
  zeroize(): void {
    this.#requireWritable();
    this.#zeroized = true;
    this.#wipeMemory();
    for (const name of readdirSync(this.#directory)) {
      if (KEK_FILE.test(name)) overwriteAndRemove(join(this.#directory, name));
    }
  }

  /** True once zeroize() ran: every later use fails with HGW_KEYRING_ZEROIZED. */
  get zeroized(): boolean {
    return this.#zeroized;
  }

  /** Wipe the unwrapped keys from memory; the keyring cannot be used afterwards. */
  close(): void {
    this.#wipeMemory();
  }

  #wipeMemory(): void {
    this.#closed = true;
    for (const set of this.#sets.values()) {
      for (const { key } of set.live.values()) key.fill(0);
      set.live.clear();
    }
    this.#kek.key.fill(0);
  }

  #requireOpen(): void {
    if (this.#zeroized) {
      throw new GatewayError('HGW_KEYRING_ZEROIZED', `keyring ${this.#directory} was zeroized (tamper response): nothing can be unsealed or pseudonymized until the box is re-provisioned`);
    }
    if (this.#closed) throw new GatewayError('HGW_KEYRING_MISSING_KEK', `keyring ${this.#directory} is closed`);
  }

  #requireWritable(): void {
    this.#requireOpen();
    if (this.#readOnly) throw new GatewayError('HGW_KEYRING_PERMISSIONS', `keyring ${this.#directory} was opened read-only`);
  }

  #set(name: KeySetName): KeySet {
    this.#requireOpen();
    const set = this.#sets.get(name);
    if (!set) throw new TypeError(`unknown data class: ${name}`);
    return set;
  }

  #ensure(name: KeySetName, epoch: MonthEpoch): Uint8Array {
    const set = this.#set(name);
    const existing = set.live.get(epoch);
    if (existing) return existing.key;
    this.#requireWritable();
    if (set.shredded.has(epoch)) {
      throw new GatewayError('HGW_KEY_SHREDDED', `the ${name} key of ${epoch} was shredded and is never created again`);
    }
    const created: LiveKey = { key: nacl.randomBytes(KEY_BYTES), createdAt: this.#clock.now() };
    set.live.set(epoch, created);
    try {
      this.#writeKeyring(this.#kek);
    } catch (error) {
      // A key that is not on disk must not be used: what it protects would be lost at restart.
      set.live.delete(epoch);
      created.key.fill(0);
      throw error;
    }
    this.#tell({ kind: 'created', family: name, epoch });
    return created.key;
  }

  #shred(name: KeySetName, epoch: MonthEpoch): boolean {
    const set = this.#set(name);
    const doomed = set.live.get(epoch);
    if (!doomed) return false;
    this.#requireWritable();
    set.live.delete(epoch);
    set.shredded.set(epoch, this.#clock.now());
    try {
      this.#commitUnderFreshKek();
    } catch (error) {
      set.live.set(epoch, doomed);
      set.shredded.delete(epoch);
      throw error;
    }
    doomed.key.fill(0);
    this.#destroyStaleFiles();
    return true;
  }

  /**
   * Write the new KEK file, then keyring.json wrapped under it; the rename of keyring.json is the
   * commit point. Until then the old KEK stays current in memory and on disk.
   */
  #commitUnderFreshKek(): void {
    this.#highestGeneration += 1;
    const next: KeyEncryptionKey = {
      key: nacl.randomBytes(KEY_BYTES),
      generation: this.#highestGeneration,
      createdAt: this.#clock.now(),
    };
    try {
      writeFileAtomically(this.#kekPath(next.generation), next.key, FILE_MODE);
      this.#writeKeyring(next);
    } catch (error) {
      // The new KEK file stays: if the rename landed but its directory fsync failed, it is needed.
      next.key.fill(0);
      throw error;
    }
    const previous = this.#kek;
    this.#kek = next;
    previous.key.fill(0);
    this.#tell({ kind: 'rewrapped', generation: next.generation });
  }

  #tell(event: KeyringEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #writeKeyring(kek: KeyEncryptionKey): void {
    const wrapSet = (name: KeySetName): KeySetDocument => {
      const set = this.#set(name);
      return {
        live: sortedByEpoch(
          [...set.live].map(([epoch, { key, createdAt }]) => ({
            epoch,
            createdAt,
            wrapped: Buffer.from(wrapKey(kek.key, key, wrapLabel(name, epoch))).toString('base64'),
          })),
        ),
        shredded: sortedByEpoch([...set.shredded].map(([epoch, shreddedAt]) => ({ epoch, shreddedAt }))),
      };
    };
    const document: KeyringDocument = {
      format: KEYRING_FORMAT,
      version: 1,
      kek: { generation: kek.generation, createdAt: kek.createdAt },
      link: wrapSet('link'),
      vault: {
        'phone-number': wrapSet('phone-number'),
        'chat-ip': wrapSet('chat-ip'),
        'mail-address': wrapSet('mail-address'),
        'chat-transcript': wrapSet('chat-transcript'),
        'mail-content': wrapSet('mail-content'),
      },
    };
    const path = join(this.#directory, KEYRING_FILE);
    const onDisk = existsSync(path) ? readFileSync(path) : new Uint8Array(0);
    if (digestOf(onDisk) !== this.#fileDigest) {
      // Another instance wrote it: writing now would drop its keys or point at a KEK it destroyed.
      throw new GatewayError('HGW_KEYRING_CORRUPT', `keyring ${path} was changed by another writer; reopen it (one process only)`);
    }
    const bytes = serializeKeyringDocument(document);
    writeFileAtomically(path, bytes, FILE_MODE);
    this.#fileDigest = digestOf(bytes);
  }

  /** KEK files of other generations and temporary files: what an interrupted write leaves behind. */
  #destroyStaleFiles(): void {
    for (const name of readdirSync(this.#directory)) {
      const kekMatch = KEK_FILE.exec(name);
      const stale = kekMatch
        ? Number(kekMatch[1]) !== this.#kek.generation
        : name.endsWith(TEMPORARY_SUFFIX) && (name.startsWith('kek-') || name.startsWith(KEYRING_FILE));
      if (stale) {
        if (kekMatch) this.#highestGeneration = Math.max(this.#highestGeneration, Number(kekMatch[1]));
        overwriteAndRemove(join(this.#directory, name));
      }
    }
  }

  #kekPath(generation: number): string {
    return join(this.#directory, kekFileName(generation));
  }
}
