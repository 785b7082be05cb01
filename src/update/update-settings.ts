import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatewayConfig } from '../config/load-config.js';
import { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from './bundle-container.js';
import { hardwareIdFromModel } from './hardware-id.js';
import type { UpdatePaths } from './update-paths.js';

/** The `update` section of the config (README, Configuration). */
export type UpdateSettings = GatewayConfig['update'];

const DEVICE_TREE_MODEL = '/proc/device-tree/model';

export function updatePathsFrom(settings: UpdateSettings, databasePath: string): UpdatePaths {
  return { root: resolve(settings.root), stateDir: resolve(settings.stateDir), keysDir: resolve(settings.keysDir), databasePath };
}

export function bundleLimitsFrom(settings: UpdateSettings): BundleLimits {
  return { ...DEFAULT_BUNDLE_LIMITS, maxBundleBytes: settings.maxBundleBytes };
}

/** `update.hardwareId`, else the device tree's model (a Raspberry Pi); undefined on a machine with neither. */
export function boxHardwareId(settings: UpdateSettings, modelFile = DEVICE_TREE_MODEL): string | undefined {
  if (settings.hardwareId !== undefined) return settings.hardwareId;
  if (!existsSync(modelFile)) return undefined;
  return hardwareIdFromModel(readFileSync(modelFile, 'latin1'));
}
