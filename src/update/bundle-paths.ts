/**
 * Which paths a bundle may carry. A path is written into the inactive slot, so anything that could
 * land outside it (`..`, an absolute path, a backslash some tool reads as a separator) or on top of
 * the slot's own record (`.bundle/`) is refused, as is anything not plain printable ASCII: names
 * that look alike but differ are how a reviewer is fooled.
 */
export const MAX_PATH_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;
/** The folder in a slot that holds the signed manifest it was staged from. */
export const SLOT_RECORD_DIRECTORY = '.bundle';

export function payloadPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'an empty path';
  if (path.length > MAX_PATH_BYTES) return `a path longer than ${MAX_PATH_BYTES} characters`;
  if (!/^[\x20-\x7e]+$/.test(path)) return 'a path with characters other than printable ASCII';
  if (path.includes('\\')) return 'a path with a backslash';
  if (path.startsWith('/')) return 'an absolute path';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) return 'a path with an empty segment (// or a trailing /)';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'a path with . or ..';
  if (segments.some((segment) => segment.length > MAX_SEGMENT_BYTES)) return `a path segment longer than ${MAX_SEGMENT_BYTES} characters`;
  if (segments[0] === SLOT_RECORD_DIRECTORY) return `a path inside the reserved ${SLOT_RECORD_DIRECTORY}/ folder`;
  return undefined;
}

/** A path as it may appear in a message: bounded and with nothing unprintable. */
export function shownPath(path: string): string {
  const printable = path.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 120 ? `${printable.slice(0, 117)}...` : printable);
}

/**
 * Paths where one is a folder of another (`lib` and `lib/a.js`) cannot both be files in a slot;
 * the first such clash, or undefined.
 */
export function folderClash(paths: readonly string[]): string | undefined {
  const files = new Set(paths);
  for (const path of paths) {
    let cut = path.lastIndexOf('/');
    while (cut > 0) {
      const folder = path.slice(0, cut);
      if (files.has(folder)) return folder;
      cut = folder.lastIndexOf('/');
    }
  }
  return undefined;
}
