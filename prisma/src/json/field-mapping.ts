import { z } from 'zod';

// A field mapping is data: for one Sage document type, each target field names a path into the
// Stripe object and a chain of transforms. The sync engine evaluates it; the portal edits it.

/** A dotted path into the source object, e.g. `billing_details.address.line1` or `metadata.erp_order_id`. */
export const ZSourcePath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'A path is names separated by dots, like billing_details.address.line1');

export const ZMappingTransform = z.discriminatedUnion('kind', [
  /** Integer minor units to a decimal string by the currency's exponent (JPY 0, USD 2, BHD 3). */
  z.object({ kind: z.literal('minor_to_decimal'), currencyPath: ZSourcePath.default('currency') }),
  /** Unix seconds to the tenant's local calendar date (YYYY-MM-DD) in the integration's time zone. */
  z.object({ kind: z.literal('unix_to_local_date') }),
  z.object({ kind: z.literal('concat'), with: z.array(z.union([ZSourcePath, z.object({ literal: z.string() })])).min(1), separator: z.string().default(' ') }),
  z.object({ kind: z.literal('split'), separator: z.string().min(1), index: z.number().int().min(0) }),
  z.object({ kind: z.literal('value_map'), map: z.record(z.string(), z.string()), fallback: z.string().optional() }),
  z.object({ kind: z.literal('default'), value: z.string() }),
  z.object({ kind: z.literal('trim') }),
  /** Cut to the dialect's field length; the preview warns when it cuts. */
  z.object({ kind: z.literal('truncate'), maxLength: z.number().int().min(1).max(4000) }),
  z.object({ kind: z.literal('upper') }),
  z.object({ kind: z.literal('lower') }),
  /** Populate the field only when another path is present (or equals a value). */
  z.object({ kind: z.literal('only_if'), path: ZSourcePath, equals: z.string().optional() }),
]);
export type MappingTransform = z.infer<typeof ZMappingTransform>;

export const ZFieldRule = z.object({
  target: z.string().min(1).max(100),
  source: ZSourcePath.nullable(),
  transforms: z.array(ZMappingTransform).default([]),
  required: z.boolean().default(false),
});
export type FieldRule = z.infer<typeof ZFieldRule>;

export const ZFieldMappingDefinition = z.object({
  fields: z.array(ZFieldRule).min(1),
});
export type FieldMappingDefinition = z.infer<typeof ZFieldMappingDefinition>;
