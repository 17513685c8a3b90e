/** Digits after the decimal point of a currency (0 for JPY, 2 for USD). */
export function fractionDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** Minor units (as the services count money) → `¥12,800`, `$12.50`. */
export function formatMoney(minor: number | null, currency: string | null): string {
  if (minor === null || currency === null) return '—';
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(
      minor / 10 ** fractionDigits(currency),
    );
  } catch {
    return `${minor} ${currency}`;
  }
}

/** A price as typed (`12.50`) → minor units, or a reason it is not one. */
export function parseMoney(text: string, currency: string): { value: number } | { error: string } {
  const digits = fractionDigits(currency);
  const trimmed = text.trim().replace(/,/g, '');
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(trimmed)) {
    return {
      error:
        digits === 0
          ? 'Enter a whole amount, such as 1200.'
          : `Enter an amount with at most ${digits} decimals.`,
    };
  }
  const [whole = '0', fraction = ''] = trimmed.split('.');
  const value = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(value) || value > 1_000_000_000) return { error: 'That amount is too large.' };
  return { value };
}

/** Minor units → the text a person would type back. */
export function moneyInput(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

/** A whole number from `min` to `max` as typed, or a reason it is not one. */
export function parseWhole(text: string, min: number, max: number): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed))
    return { error: `Enter a whole number from ${min} to ${max.toLocaleString('en')}.` };
  const value = Number(trimmed);
  if (value < min || value > max)
    return { error: `Enter a whole number from ${min} to ${max.toLocaleString('en')}.` };
  return { value };
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
