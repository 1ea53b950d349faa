import { invalidRequest } from './stripe-errors.ts';

/**
 * Stripe's bracket form encoding, used for POST bodies and GET query strings alike:
 * `metadata[order]=42`, `expand[]=customer`, `expand[0]=customer` (what stripe-node sends),
 * `items[0][price]=price_1`. Every leaf value stays a string, as on the wire: each route
 * decides what a value means (an integer, a boolean, an empty string that deletes a key).
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw invalidRequest(`Invalid URL encoding: ${text}`);
  }
}

/** `a[b][]` → ['a', 'b', '']; a key without brackets is one segment. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const segments = [key.slice(0, open)];
  const rest = key.slice(open);
  const pattern = /\[([^[\]]*)\]/g;
  let consumed = 0;
  for (const match of rest.matchAll(pattern)) {
    if (match.index !== consumed) return [key];
    segments.push(match[1] ?? '');
    consumed += match[0].length;
  }
  return consumed === rest.length ? segments : [key];
}

type Tree = { [key: string]: Tree | string };
const isTree = (value: Tree | string | undefined): value is Tree => typeof value === 'object';
// No prototype: a key such as `__proto__` from the wire is then just a key.
const emptyTree = (): Tree => Object.create(null) as Tree;

function place(root: Tree, segments: string[], value: string, rawKey: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i += 1) {
    let segment = segments[i] as string;
    // `[]` appends: it becomes the next free index, so `expand[]=a&expand[]=b` is a list of two.
    if (segment === '') segment = String(Object.keys(node).length);
    const last = i === segments.length - 1;
    const existing = node[segment];
    if (last) {
      if (isTree(existing)) throw invalidRequest(`Invalid parameter: ${rawKey} is both a value and a hash`, { param: rawKey });
      node[segment] = value;
      return;
    }
    if (existing === undefined) {
      const child = emptyTree();
      node[segment] = child;
      node = child;
    } else if (isTree(existing)) {
      node = existing;
    } else {
      throw invalidRequest(`Invalid parameter: ${rawKey} is both a value and a hash`, { param: rawKey });
    }
  }
}

/** A hash whose keys are exactly 0..n-1 was sent as an array (indexed or `[]`); metadata keys stay keys. */
function toFormValue(node: Tree | string, parentKey: string): FormValue {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const entries = keys.map((key) => [key, toFormValue(node[key] as Tree | string, key)] as const);
  const looksIndexed = keys.length > 0 && keys.every((key) => /^(0|[1-9]\d*)$/.test(key));
  if (looksIndexed && parentKey !== 'metadata') {
    return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, value]) => value);
  }
  return Object.fromEntries(entries);
}

export function decodeStripeForm(encoded: string): FormParams {
  const root = emptyTree();
  for (const pair of encoded.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawKey = decodeComponent(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decodeComponent(pair.slice(separator + 1));
    if (rawKey === '') continue;
    place(root, splitKey(rawKey), value, rawKey);
  }
  return Object.fromEntries(Object.keys(root).map((key) => [key, toFormValue(root[key] as Tree | string, key)]));
}
