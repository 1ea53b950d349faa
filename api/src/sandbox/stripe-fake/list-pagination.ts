import type { FormParams, FormValue } from './form-decoding.ts';
import { compareNewestFirst, type StripeObject, type StripeObjectStore } from './object-store.ts';
import { parseExpand, parseInteger, requireString } from './param-parsing.ts';
import { invalidRequest, resourceMissing, unknownParameter } from './stripe-errors.ts';

export type StripeList<T = StripeObject> = { object: 'list'; data: T[]; has_more: boolean; url: string };

/** What a filter may look at besides the object: the account's other data (e.g. payout membership). */
export type ListContext = { store: StripeObjectStore; account: string };

/**
 * One list filter parameter, e.g. `customer` or `created`. `prepare` validates the raw value once
 * (a 400 names the parameter) and returns the predicate used on every object.
 */
export type ListFilter = {
  name: string;
  prepare(value: FormValue, context: ListContext): (object: StripeObject) => boolean;
  /** A filter that applies even when the parameter is absent (subscriptions hide canceled ones). */
  whenAbsent?: (context: ListContext) => (object: StripeObject) => boolean;
};

export type ListRequest = {
  limit: number;
  startingAfter: string | undefined;
  endingBefore: string | undefined;
  expand: string[];
  predicates: Array<(object: StripeObject) => boolean>;
};

const PAGE_PARAMS = new Set(['limit', 'starting_after', 'ending_before', 'expand']);

/** The id inside a reference field, whether stored as an id or as an expanded object. */
export function referenceId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') {
    return (value as { id: string }).id;
  }
  return undefined;
}

/** A field equal to the value; reference fields match by id whether or not they are expanded. */
export function equalsFilter(name: string, field: string = name): ListFilter {
  return {
    name,
    prepare(value) {
      const wanted = requireString(value, name);
      return (object) => referenceId(object[field]) === wanted || object[field] === wanted;
    },
  };
}

/** `created=123` or `created[gte]=…&created[lt]=…`, as Stripe's RangeQueryParam. */
export function rangeFilter(name: string, field: string = name): ListFilter {
  return {
    name,
    prepare(value) {
      const bounds: Array<(n: number) => boolean> = [];
      if (typeof value === 'string') {
        const exact = parseInteger(value, name);
        bounds.push((n) => n === exact);
      } else if (!Array.isArray(value)) {
        for (const [operator, raw] of Object.entries(value)) {
          const param = `${name}[${operator}]`;
          const bound = parseInteger(raw, param);
          if (operator === 'gt') bounds.push((n) => n > bound);
          else if (operator === 'gte') bounds.push((n) => n >= bound);
          else if (operator === 'lt') bounds.push((n) => n < bound);
          else if (operator === 'lte') bounds.push((n) => n <= bound);
          else throw unknownParameter(param);
        }
      } else {
        throw invalidRequest(`Invalid ${name}: must be an integer or a hash of gt, gte, lt, lte`, { param: name });
      }
      return (object) => {
        const n = object[field];
        return typeof n === 'number' && bounds.every((inBounds) => inBounds(n));
      };
    },
  };
}

export function parseListParams(
  params: FormParams,
  filters: readonly ListFilter[],
  context: ListContext,
): ListRequest {
  const filterByName = new Map(filters.map((filter) => [filter.name, filter]));
  for (const name of Object.keys(params)) {
    if (!PAGE_PARAMS.has(name) && !filterByName.has(name)) throw unknownParameter(name);
  }
  let limit = 10;
  if (params.limit !== undefined) {
    limit = parseInteger(params.limit, 'limit');
    if (limit < 1 || limit > 100) {
      throw invalidRequest(`Invalid limit: ${limit}. Limit must be between 1 and 100.`, { param: 'limit' });
    }
  }
  const startingAfter = params.starting_after === undefined ? undefined : requireString(params.starting_after, 'starting_after');
  const endingBefore = params.ending_before === undefined ? undefined : requireString(params.ending_before, 'ending_before');
  if (startingAfter && endingBefore) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', { param: 'ending_before' });
  }
  const predicates: ListRequest['predicates'] = [];
  for (const filter of filters) {
    const value = params[filter.name];
    if (value !== undefined) predicates.push(filter.prepare(value, context));
    else if (filter.whenAbsent) predicates.push(filter.whenAbsent(context));
  }
  return { limit, startingAfter, endingBefore, expand: parseExpand(params.expand), predicates };
}

/** First index whose object sorts strictly after (is older than) the cursor. */
function firstOlderThan(items: readonly StripeObject[], cursor: StripeObject): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNewestFirst(items[middle] as StripeObject, cursor) > 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** First index whose object is the cursor or older than it. */
function firstNotNewerThan(items: readonly StripeObject[], cursor: StripeObject): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNewestFirst(items[middle] as StripeObject, cursor) >= 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * One page of a newest-first list, as Stripe pages: `starting_after` continues after the cursor
 * (older objects), `ending_before` gives the `limit` objects just newer than the cursor, and
 * `has_more` says whether more exist in that direction. The cursor is found by its place in the
 * order (created, id), so it works even when the cursor itself does not match the filters.
 */
export function paginateNewestFirst(
  sortedNewestFirst: readonly StripeObject[],
  request: ListRequest,
  options: { url: string; findCursor: (id: string) => StripeObject | undefined; objectType: string },
): StripeList {
  const { predicates, limit } = request;
  const items = predicates.length === 0 ? sortedNewestFirst : sortedNewestFirst.filter((object) => predicates.every((matches) => matches(object)));
  const cursorId = request.startingAfter ?? request.endingBefore;
  if (cursorId === undefined) {
    return { object: 'list', data: items.slice(0, limit), has_more: items.length > limit, url: options.url };
  }
  const cursor = options.findCursor(cursorId);
  if (!cursor) throw resourceMissing(options.objectType, cursorId, request.startingAfter ? 'starting_after' : 'ending_before');
  if (request.startingAfter) {
    const start = firstOlderThan(items, cursor);
    return { object: 'list', data: items.slice(start, start + limit), has_more: items.length > start + limit, url: options.url };
  }
  const end = firstNotNewerThan(items, cursor);
  const start = Math.max(0, end - limit);
  return { object: 'list', data: items.slice(start, end), has_more: start > 0, url: options.url };
}

/** Paging over a list kept in its own order inside another object (an invoice's lines). */
export function paginateInPlace(items: readonly StripeObject[], request: ListRequest, url: string, objectType: string): StripeList {
  const { limit } = request;
  const filtered = items.filter((object) => request.predicates.every((matches) => matches(object)));
  const cursorId = request.startingAfter ?? request.endingBefore;
  if (cursorId === undefined) {
    return { object: 'list', data: filtered.slice(0, limit), has_more: filtered.length > limit, url };
  }
  const position = filtered.findIndex((object) => object.id === cursorId);
  if (position === -1) throw resourceMissing(objectType, cursorId, request.startingAfter ? 'starting_after' : 'ending_before');
  if (request.startingAfter) {
    return { object: 'list', data: filtered.slice(position + 1, position + 1 + limit), has_more: filtered.length > position + 1 + limit, url };
  }
  const start = Math.max(0, position - limit);
  return { object: 'list', data: filtered.slice(start, position), has_more: start > 0, url };
}
