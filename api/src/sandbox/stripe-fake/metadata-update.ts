import type { FormValue } from './form-decoding.ts';
import { invalidRequest } from './stripe-errors.ts';

export type Metadata = Record<string, string>;

// Stripe's documented limits: 50 keys, keys up to 40 characters, values up to 500 characters.
const MAX_KEYS = 50;
const MAX_KEY_LENGTH = 40;
const MAX_VALUE_LENGTH = 500;

/**
 * Stripe's metadata update rules: the keys sent are set, the others are kept; a key sent with an
 * empty value is deleted; `metadata=` (empty) clears every key.
 */
export function mergeMetadata(current: unknown, update: FormValue): Metadata {
  if (update === '') return {};
  if (typeof update !== 'object' || Array.isArray(update)) {
    throw invalidRequest('Invalid object: metadata must be a hash of string keys to string values', { param: 'metadata' });
  }
  const merged: Metadata = { ...(current && typeof current === 'object' ? (current as Metadata) : {}) };
  for (const [key, value] of Object.entries(update)) {
    const param = `metadata[${key}]`;
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${param} must be a string`, { param });
    if (key.length > MAX_KEY_LENGTH) {
      throw invalidRequest(`Metadata keys can have up to ${MAX_KEY_LENGTH} characters; '${key}' has ${key.length}.`, { param });
    }
    if (value.length > MAX_VALUE_LENGTH) {
      throw invalidRequest(`Metadata values can have up to ${MAX_VALUE_LENGTH} characters; the value of '${key}' has ${value.length}.`, { param });
    }
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > MAX_KEYS) {
    throw invalidRequest(`Metadata can have up to ${MAX_KEYS} keys.`, { param: 'metadata' });
  }
  return merged;
}
