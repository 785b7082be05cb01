export type { GatewayConfig, ConfigOverrides } from './load-config.js';
export { loadConfigFile, validateConfig, applyOverrides } from './load-config.js';
export type { ConfigInput } from './config-schema.js';
export type { Policy, PolicyPresetName } from './policy-presets.js';
export { policyPresets } from './policy-presets.js';
