import { ZFieldMappingDefinition, type FieldMappingDefinition, type MappingTransform } from '@sagesync/db';
import { formatDecimal, money, MoneyError } from './money.ts';
import { TimeZoneError, unixToLocalDate } from './local-date.ts';

// Evaluates a field mapping against a Stripe object: the engine behind both the sync and the
// portal's live preview. Pure: no I/O, so a preview shows exactly what a sync would post.

export type MappingContext = { timeZone: string };
export type FieldIssue = { target: string; message: string };
export type MappingResult = {
  /** Target field → value; null when the field stays empty. */
  values: Record<string, string | null>;
  /** Fields that cannot be posted as they are (the document must not go to Sage). */
  errors: FieldIssue[];
  /** Fields changed on the way (e.g. truncated to the dialect's length): shown, not blocking. */
  warnings: FieldIssue[];
};

type Value = string | number | boolean | null;

/** Reads `a.b.c` from an object; arrays by index (`lines.data.0.amount`). Objects are not values. */
export function readPath(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const key of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asValue(raw: unknown, path: string): Value {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  throw new MappingStepError(`${path} is an object, not a value; map one of its fields instead.`);
}

class MappingStepError extends Error {}

const isEmpty = (value: Value) => value === null || value === '';

function applyTransform(value: Value, transform: MappingTransform, source: unknown, context: MappingContext, warn: (m: string) => void): { value: Value; stop?: boolean } {
  switch (transform.kind) {
    case 'minor_to_decimal': {
      if (value === null) return { value };
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new MappingStepError(`expected an amount in minor units, got ${JSON.stringify(value)}`);
      const currency = readPath(source, transform.currencyPath);
      if (typeof currency !== 'string') throw new MappingStepError(`no currency at ${transform.currencyPath}`);
      return { value: formatDecimal(money(value, currency)) };
    }
    case 'unix_to_local_date': {
      if (value === null) return { value };
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new MappingStepError(`expected a Unix time in seconds, got ${JSON.stringify(value)}`);
      return { value: unixToLocalDate(value, context.timeZone) };
    }
    case 'concat': {
      const parts = [value, ...transform.with.map((part) => (typeof part === 'string' ? asValue(readPath(source, part), part) : part.literal))];
      const joined = parts.filter((part) => !isEmpty(part)).map(String).join(transform.separator);
      return { value: joined === '' ? null : joined };
    }
    case 'split': {
      if (value === null) return { value };
      return { value: String(value).split(transform.separator)[transform.index] ?? null };
    }
    case 'value_map': {
      if (value === null) return { value: transform.fallback ?? null };
      const mapped = transform.map[String(value)];
      return { value: mapped ?? transform.fallback ?? value };
    }
    case 'default':
      return { value: isEmpty(value) ? transform.value : value };
    case 'trim':
      return { value: value === null ? null : String(value).trim() };
    case 'upper':
      return { value: value === null ? null : String(value).toUpperCase() };
    case 'lower':
      return { value: value === null ? null : String(value).toLowerCase() };
    case 'truncate': {
      if (value === null) return { value };
      const text = String(value);
      if ([...text].length <= transform.maxLength) return { value: text };
      warn(`cut to ${transform.maxLength} characters (was ${[...text].length})`);
      return { value: [...text].slice(0, transform.maxLength).join('') };
    }
    case 'only_if': {
      const condition = readPath(source, transform.path);
      const present = condition !== undefined && condition !== null && condition !== '';
      const holds = present && (transform.equals === undefined || String(condition) === transform.equals);
      return holds ? { value } : { value: null, stop: true };
    }
  }
}

/** Applies a mapping to one source object. A malformed mapping is reported, never thrown. */
export function applyFieldMapping(definition: unknown, source: unknown, context: MappingContext): MappingResult {
  const parsed = ZFieldMappingDefinition.safeParse(definition);
  if (!parsed.success) {
    return {
      values: {},
      errors: parsed.error.issues.map((issue) => ({ target: issue.path.join('.') || '(mapping)', message: issue.message })),
      warnings: [],
    };
  }
  return evaluate(parsed.data, source, context);
}

function evaluate(definition: FieldMappingDefinition, source: unknown, context: MappingContext): MappingResult {
  const result: MappingResult = { values: {}, errors: [], warnings: [] };
  for (const field of definition.fields) {
    try {
      let value: Value = field.source === null ? null : asValue(readPath(source, field.source), field.source);
      for (const transform of field.transforms) {
        const step = applyTransform(value, transform, source, context, (message) => result.warnings.push({ target: field.target, message }));
        value = step.value;
        if (step.stop) break;
      }
      const text = value === null ? null : String(value);
      result.values[field.target] = text === '' ? null : text;
      if (field.required && result.values[field.target] === null) {
        result.errors.push({
          target: field.target,
          message: field.source ? `is required, but ${field.source} is empty on this object` : 'is required and has no source',
        });
      }
    } catch (error) {
      if (error instanceof MappingStepError || error instanceof MoneyError || error instanceof TimeZoneError) {
        result.values[field.target] = null;
        result.errors.push({ target: field.target, message: error.message });
      } else {
        throw error;
      }
    }
  }
  return result;
}
