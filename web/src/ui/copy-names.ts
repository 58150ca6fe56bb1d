import { KEY_MAX_LENGTH } from "../../../src/experiments/model";

/**
 * The key a copy starts with (experiments and flags share the key alphabet and length): a trailing
 * -N counts up (`checkout-2` → `checkout-3`), anything else gets `-2`; the stem is cut so the key
 * stays within KEY_MAX_LENGTH. The server still refuses a key that is taken (409, shown at the field).
 */
export function copyKey(key: string): string {
  const numbered = /^(.*)-(\d{1,6})$/.exec(key);
  const stem = numbered ? (numbered[1] ?? "") : key;
  const suffix = `-${numbered ? Number(numbered[2]) + 1 : 2}`;
  return `${stem.slice(0, KEY_MAX_LENGTH - suffix.length)}${suffix}`;
}

/** The name a copy starts with: "(copy)" once, not "(copy) (copy)". */
export const copyName = (name: string): string => (/\(copy\)$/.test(name) ? name : `${name} (copy)`);
