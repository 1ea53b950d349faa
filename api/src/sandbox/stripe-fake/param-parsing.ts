import type { FormParams, FormValue } from './form-decoding.ts';
import { invalidRequest, unknownParameter } from './stripe-errors.ts';

/** Stripe answers an unexpected parameter with a 400 naming it, rather than ignoring it. */
export function rejectUnknownParams(params: FormParams, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) throw unknownParameter(name);
  }
}

export function requireString(value: FormValue, param: string): string {
  if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${param} must be a string`, { param });
  return value;
}

export function optionalString(value: FormValue | undefined, param: string): string | undefined {
  return value === undefined ? undefined : requireString(value, param);
}

export function parseInteger(value: FormValue, param: string): number {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
    throw invalidRequest(`Invalid integer: ${typeof value === 'string' ? value : '[object]'}`, { param });
  }
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw invalidRequest(`Invalid integer: ${value}`, { param });
  return parsed;
}

export function parseExpand(value: FormValue | undefined): string[] {
  if (value === undefined) return [];
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!values || values.some((entry) => typeof entry !== 'string')) {
    throw invalidRequest('Invalid array: expand must be a list of strings', { param: 'expand' });
  }
  return values as string[];
}

/** Form bodies and query strings decode to the same shape; an empty or absent one is no parameters. */
export function asFormParams(value: unknown): FormParams {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('Invalid request body: send application/x-www-form-urlencoded parameters');
  }
  return value as FormParams;
}
