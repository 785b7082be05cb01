/**
 * Positional reads from a bundle, so the reader never holds more than one chunk of a large file in
 * memory. The file adapter (node-update-files.ts) reads a file; tests read a Uint8Array.
 */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `position`; the caller keeps within `size`. */
  read(position: number, length: number): Promise<Uint8Array>;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (position, length) => {
      if (position < 0 || length < 0 || position + length > bytes.length) throw new RangeError('read beyond the end of the bytes');
      return bytes.subarray(position, position + length);
    },
  };
}
