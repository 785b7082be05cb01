import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { folderClash, payloadPathProblem, shownPath } from './bundle-paths.js';
import { isSemanticVersion } from './semver.js';

/**
 * manifest.json: what a bundle is, what it may go on and every file it carries. It is signed as
 * the exact bytes in the bundle, so it is parsed only after the signature checked out, and never
 * re-serialized for checking.
 */
export const MANIFEST_FORMAT = 1;
export const PRODUCT = 'helpline-gateway';

const version = z.string().max(64).refine(isSemanticVersion, 'a semantic version such as 1.4.0');
const hardwareId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes');
const publicKeyText = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 ed25519 public key (32 bytes)');

const manifestFile = z
  .object({
    path: z.string().max(1024),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
    executable: z.boolean().optional(),
  })
  .strict();

const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    product: z.string().max(64),
    version,
    /** The box must run at least this version to take the bundle (e.g. a migration that needs an earlier one). */
    minimumVersion: version,
    hardware: z.array(hardwareId).min(1).max(32),
    createdAt: z.string().max(40).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'an ISO 8601 UTC time'),
    /** Id of the key that signed it (keyIdOf); empty in a bundle that was built but not yet signed. */
    keyId: z.string().regex(/^([0-9a-f]{16})?$/, '16 lower-case hex digits'),
    files: z.array(manifestFile).min(1),
    /** Rotation: the pinned key set that replaces the box's once this version is committed. */
    nextKeys: z.array(publicKeyText).min(1).max(2).optional(),
  })
  .strict();

export type BundleManifest = z.output<typeof manifestSchema>;
export type ManifestFile = BundleManifest['files'][number];

/** Keys as shownPath shows paths (printable, cut at 120 characters): a manifest's key can be any length. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map((key) => (typeof key === 'number' ? String(key) : shownPath(String(key)).slice(1, -1))).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${where}: unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.slice(0, 3).map(shownPath).join(', ')}`;
  return `${where}: ${issue.message}`;
}

/**
 * Reads manifest.json's bytes: strict JSON, the schema, then the rules the schema cannot say
 * (safe and unique paths, no folder clash, no duplicate key). Every failure is an HGW_UPDATE_*
 * GatewayError with one line.
 */
export function parseManifest(bytes: Uint8Array, maxFiles: number): BundleManifest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new GatewayError('HGW_UPDATE_MALFORMED', 'not a valid update bundle: manifest.json is not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError('HGW_UPDATE_MALFORMED', 'not a valid update bundle: manifest.json is not JSON');
  }
  if (json !== null && typeof json === 'object' && Array.isArray((json as { files?: unknown }).files) && (json as { files: unknown[] }).files.length > maxFiles) {
    throw new GatewayError('HGW_UPDATE_TOO_LARGE', `the manifest lists more than ${maxFiles} files`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map(describeIssue).join('; ');
    throw new GatewayError('HGW_UPDATE_MALFORMED', `not a valid update bundle: manifest.json: ${problems}`);
  }
  const manifest = parsed.data;
  if (manifest.product !== PRODUCT) {
    throw new GatewayError('HGW_UPDATE_MALFORMED', `the bundle is for ${shownPath(manifest.product)}, not ${PRODUCT}`);
  }
  const seen = new Set<string>();
  for (const file of manifest.files) {
    const problem = payloadPathProblem(file.path);
    if (problem) throw new GatewayError('HGW_UPDATE_UNSAFE_PATH', `the manifest lists ${problem}: ${shownPath(file.path)}`);
    if (seen.has(file.path)) throw new GatewayError('HGW_UPDATE_FILE_SET', `the manifest lists ${shownPath(file.path)} twice`);
    seen.add(file.path);
  }
  const clash = folderClash(manifest.files.map((file) => file.path));
  if (clash !== undefined) throw new GatewayError('HGW_UPDATE_UNSAFE_PATH', `the manifest lists ${shownPath(clash)} both as a file and as a folder`);
  if (manifest.nextKeys && new Set(manifest.nextKeys).size !== manifest.nextKeys.length) {
    throw new GatewayError('HGW_UPDATE_MALFORMED', 'not a valid update bundle: manifest.json: nextKeys lists a key twice');
  }
  return manifest;
}

/** The manifest as the builder writes it: stable key order, one file per line for a readable diff. */
export function serializeManifest(manifest: BundleManifest): Uint8Array {
  const { files, ...head } = manifest;
  const headJson = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  const fileLines = files.map((file) => `    ${JSON.stringify(file)}`).join(',\n');
  return new TextEncoder().encode(`${headJson},\n  "files": [\n${fileLines}\n  ]\n}\n`);
}
