import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { GatewayError } from '../errors.js';
import { configSchema, type ParsedConfig } from './config-schema.js';
import { policyPresets, type Policy } from './policy-presets.js';

export interface GatewayConfig extends Omit<ParsedConfig, 'policy' | 'keyringDir'> {
  readonly policy: Policy & { readonly preset: ParsedConfig['policy']['preset'] };
  readonly keyringDir: string;
}

/** What a key of this file looks like; anything else in a key's place is not repeated in an error. */
const KEY_SHAPED = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** No key of this file has five digits in a row; a phone number does (`A641729358`, found by the soak). */
const DIGIT_RUN = /[0-9]{5}/;

function keyShaped(name: string): boolean {
  return KEY_SHAPED.test(name) && !DIGIT_RUN.test(name);
}

/**
 * A key as the error names it. A mistyped key is named, that is the error's point; text in a key's
 * place that no config key looks like (a number, an address, a token pasted one line too high) is
 * not repeated, since the error goes to the journal.
 */
function shownKey(key: PropertyKey): string {
  if (typeof key === 'number') return String(key);
  return typeof key === 'string' && keyShaped(key) ? key : '(a key not shown)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.map(shownKey).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${key}: unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((name) => (keyShaped(name) ? `"${name}"` : '(not shown)')).join(', ')}`;
  return `${key}: ${issue.message}`;
}

/** Validates, applies the preset and its overrides, and freezes. Every problem in one line. */
export function validateConfig(input: unknown, source = 'config'): GatewayConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(describeIssue).join('; ');
    throw new GatewayError('HGW_CONFIG_INVALID', `${source}: ${problems}`);
  }
  const parsed = result.data;
  const policy = { preset: parsed.policy.preset, ...policyPresets[parsed.policy.preset], ...parsed.policy.overrides };
  const dataDir = resolve(parsed.dataDir);
  return deepFreeze({
    ...parsed,
    dataDir,
    keyringDir: resolve(parsed.keyringDir ?? join(dataDir, 'keyring')),
    policy,
  });
}

/** Command-line settings that take precedence over the file's. */
export interface ConfigOverrides {
  readonly dataDir?: string;
  readonly modemDevice?: string;
}

export function loadConfigFile(path: string, overrides: ConfigOverrides = {}): GatewayConfig {
  return validateConfig(applyOverrides(readConfigJson(path), overrides), path);
}

export function applyOverrides(json: unknown, overrides: ConfigOverrides): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const copy: Record<string, unknown> = { ...json };
  if (overrides.dataDir !== undefined) copy.dataDir = overrides.dataDir;
  if (overrides.modemDevice !== undefined) {
    const line = copy.line;
    const modemSettings = line !== null && typeof line === 'object' && (line as { kind?: unknown }).kind === 'modem' ? line : {};
    copy.line = { ...modemSettings, kind: 'modem', device: overrides.modemDevice };
  }
  return copy;
}

function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new GatewayError('HGW_CONFIG_UNREADABLE', `${path}: cannot read the config file (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('HGW_CONFIG_INVALID', `${path}: not valid JSON${whereJsonFailed(text, error)}`);
  }
  return json;
}

/**
 * Where the JSON broke, as a line and column: never the parser's own message, which quotes the
 * text around the fault, and the text of a config file may be a password or a token.
 */
function whereJsonFailed(text: string, error: unknown): string {
  const message = error instanceof SyntaxError ? error.message : '';
  if (/unexpected end/i.test(message)) return ' (it ends too early)';
  const position = /at position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1])).split('\n');
  return ` (line ${before.length}, column ${(before.at(-1) ?? '').length + 1})`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
