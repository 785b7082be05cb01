/**
 * The box's hardware id, matched against a bundle's `hardware` list. Read from the device tree's
 * model string (/proc/device-tree/model on a Raspberry Pi), unless the config names it
 * (`update.hardwareId`, also how tests and development machines set one).
 */
const MODELS: readonly { readonly pattern: RegExp; readonly id: (match: RegExpExecArray) => string }[] = [
  { pattern: /^Raspberry Pi Compute Module (\d+)/, id: (match) => `rpi-cm${match[1]}` },
  { pattern: /^Raspberry Pi (\d)00\b/, id: (match) => `rpi${match[1]}00` },
  { pattern: /^Raspberry Pi (\d+) Model/, id: (match) => `rpi${match[1]}` },
];

/** `Raspberry Pi 4 Model B Rev 1.4` → `rpi4`; undefined for a model this table does not know. */
export function hardwareIdFromModel(model: string): string | undefined {
  const text = model.replace(/\0/g, '').trim();
  for (const { pattern, id } of MODELS) {
    const match = pattern.exec(text);
    if (match) return id(match);
  }
  return undefined;
}
