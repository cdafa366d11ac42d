/**
 * The one reading of booleans and numbers written as text — environment variables, command-line flags, strings in
 * a YAML or JSON setting — so `on`, `yes` and `1` mean the same everywhere. Callers word their own error.
 */

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off', ''];

/** `1 true yes on` → true, `0 false no off` or empty → false (any case, surrounding space ignored); else undefined. */
export function boolFromText(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(v)) return true;
  if (FALSE_WORDS.includes(v)) return false;
  return undefined;
}

/** Digits with an optional minus (no exponent, hex, fraction or `_`); undefined when not a safe integer. */
export function wholeNumberFromText(raw: string): number | undefined {
  const v = raw.trim();
  if (!/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A plain decimal: `0.25`, `.5`, `-3`, `1.` (no exponent or hex); undefined otherwise. */
export function decimalFromText(raw: string): number | undefined {
  const v = raw.trim();
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(v)) return undefined;
  return Number(v);
}
