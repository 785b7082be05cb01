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

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
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
    const detail = error instanceof SyntaxError ? error.message.replace(/\s+/g, ' ') : 'invalid JSON';
    throw new GatewayError('HGW_CONFIG_INVALID', `${path}: not valid JSON (${detail})`);
  }
  return json;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
