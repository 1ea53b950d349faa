import { createHash } from 'node:crypto';
import { ZFieldMappingDefinition } from '@sagesync/db';
import type Stripe from 'stripe';
import { applyFieldMapping } from '../../accounting/field-mapping.ts';
import { SAGE_CUSTOMER_UPDATE_FIELDS, type SageCustomer, type SageCustomerInput, type SageCustomerUpdate } from '../../connectors/sage/sage-documents.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { resolveSageCustomer, updateSageCustomer, type CustomerResolution } from '../resolve-sage-customer.ts';
import { activeMappingDefinition, mapOrRefuse, type ProcessOutcome, type ProcessorContext } from './processor-context.ts';

// Customer master, both ways: a Stripe customer finds (or becomes) exactly one Sage customer, in
// the design's order, and the Sage id goes back into the Stripe customer's metadata. A customer
// job (customer.created, customer.updated, a resync) also brings Stripe's changes to the customer
// into Sage; a charge or an invoice only resolves its customer and never changes it.

export async function fetchCustomer(stripe: StripeReader, id: string): Promise<Stripe.Customer | Stripe.DeletedCustomer> {
  return stripe.retrieveCustomer(id);
}

function newCustomerFrom(values: Record<string, string | null>, stripeKey: string): SageCustomerInput {
  const optional = (key: string) => (values[key] ? { [key]: values[key] } : {});
  return {
    name: values.name ?? 'Stripe customer',
    ...optional('email'),
    ...optional('addressLine1'),
    ...optional('city'),
    ...optional('state'),
    ...optional('postalCode'),
    ...optional('country'),
    ...optional('phone'),
    stripeCustomerId: stripeKey,
  };
}

export async function sageCustomerFor(ctx: ProcessorContext, customer: Stripe.Customer): Promise<SageCustomer> {
  const definition = await activeMappingDefinition(ctx.db, ctx.integration, 'customer');
  // Mapped before any lookup, so a broken mapping is reported even when the customer exists.
  const values = mapOrRefuse(definition, customer, ctx.integration, 'customer');
  return (await resolveMapped(ctx, customer, values)).customer;
}

async function resolveMapped(ctx: ProcessorContext, customer: Stripe.Customer, values: Record<string, string | null>): Promise<CustomerResolution> {
  const resolution = await resolveSageCustomer({
    connector: ctx.sage,
    stripeCustomer: { id: customer.id, email: customer.email ?? null, metadata: customer.metadata ?? {} },
    newCustomer: () => newCustomerFrom(values, customer.id),
    // Only when the tenant turned write-back on: with it off we never write into their Stripe
    // account, and the next lookup still finds the customer by the Stripe id kept in Sage.
    // Keyed by customer and Sage id: a retry after a crash repeats the same write, which Stripe replays.
    writeBack: async (metadata) => {
      if (!ctx.integration.writeBackMetadata) return;
      await ctx.stripe.updateCustomerMetadata(customer.id, metadata, `sagesync:customer:${customer.id}:${Object.values(metadata).join(',')}`);
    },
  });
  if (resolution.via === 'created') ctx.log.info({ stripeCustomerId: customer.id, sageCustomerId: resolution.customer.id }, 'Sage customer created');
  return resolution;
}

/**
 * The Sage customer a charge's money belongs to. A charge without a Stripe customer (a guest
 * checkout) goes through the same rules with its billing e-mail and the charge id as the Stripe
 * key, so a returning guest lands on the Sage customer their e-mail already has; a charge with no
 * e-mail either goes to one "Stripe guest" customer per integration, never to a new customer each.
 */
export async function sageCustomerForCharge(ctx: ProcessorContext, charge: Stripe.Charge): Promise<SageCustomer> {
  const ref = charge.customer;
  if (ref) {
    const customer = typeof ref === 'string' ? await ctx.stripe.retrieveCustomer(ref) : ref;
    if (!customer.deleted) return sageCustomerFor(ctx, customer as Stripe.Customer);
  }
  const email = charge.billing_details?.email?.trim().toLowerCase() || null;
  const name = charge.billing_details?.name?.trim() || null;
  const maxName = ctx.sage.capabilities.customerNameMaxLength;
  const stripeKey = email ? charge.id : `stripe-guest-${ctx.integration.id}`;
  const resolution = await resolveSageCustomer({
    connector: ctx.sage,
    stripeCustomer: { id: stripeKey, email, metadata: {} },
    newCustomer: () => ({
      name: [...(email ? (name ?? email) : 'Stripe guest')].slice(0, maxName).join(''),
      ...(email ? { email } : {}),
      stripeCustomerId: stripeKey,
    }),
    // A guest has no Stripe customer to carry the Sage id; the charge's own write-back names the document.
    writeBack: async () => undefined,
  });
  return resolution.customer;
}

export async function syncCustomer(ctx: ProcessorContext, customer: Stripe.Customer | Stripe.DeletedCustomer): Promise<ProcessOutcome> {
  if (customer.deleted) {
    return { kind: 'skipped', code: 'CUSTOMER_DELETED', message: 'The customer was deleted in Stripe; its Sage customer is kept (Sage keeps history).' };
  }
  const live = customer as Stripe.Customer;
  const definition = await activeMappingDefinition(ctx.db, ctx.integration, 'customer');
  const values = mapOrRefuse(definition, live, ctx.integration, 'customer');
  const resolution = await resolveMapped(ctx, live, values);
  const fromStripe = fieldsFromStripe(definition, live, ctx.integration.timeZone);
  const prints = printsOf(resolution.customer.id, live.id, fromStripe);
  let sageCustomer = resolution.customer;
  // A customer created just now holds what the mapping built; one found holds what Sage has, which
  // is brought up to date with the fields Stripe changed since this customer's last sync.
  if (resolution.via !== 'created') {
    const changes = changedFields(fromStripe, prints, parsePrints(await lastPrints(ctx, live.id)));
    if (changes) {
      sageCustomer = await updateSageCustomer(ctx.sage, sageCustomer.id, changes);
      // Field names only: the values are the customer's personal data.
      ctx.log.info({ stripeCustomerId: live.id, sageCustomerId: sageCustomer.id, fields: Object.keys(changes) }, 'Sage customer updated');
    }
  }
  return {
    kind: 'synced',
    documentType: 'customer',
    document: { type: 'customer', id: sageCustomer.id, number: sageCustomer.number, reference: live.id },
    postedHash: serializePrints(prints),
  };
}

// What an update sends, and what it never does.
//
// - Only the fields the mapping fills from the Stripe customer. A field Stripe leaves empty is not
//   sent, so it never clears Sage's: finance teams edit Sage customers too (a phone number taken
//   from a call, an address line for the post room), and an empty Stripe field far more often
//   means "never entered in Stripe" than "removed on purpose". The mapping language has no way to
//   say "clear this in Sage when Stripe's is empty"; until it does, a person clears a field in Sage.
// - Not the mapping's fallbacks (`default` transforms, such as the template's "Stripe customer"
//   for a customer without a name): a fallback is what a new customer starts with, not a change
//   in Stripe, and must not rename a customer a finance user named.
// - Only the fields that changed in Stripe since the last sync of this customer wrote them. Each
//   field's value is kept on the customer's sync record as a hash (`postedHash`), never in clear,
//   so a change to the e-mail sends the e-mail alone and leaves a phone number edited in Sage as
//   it is. With no earlier hashes (a customer found in Sage, one a charge created before its
//   customer job ran, or one synced before this existed) or a different Sage customer than last
//   time, every field Stripe fills is sent once: the mapped fields are Stripe's to keep current.
// - Nothing at all when nothing changed: our own metadata write-back and every edit of fields the
//   mapping does not read make Stripe send customer.updated, and those cost no Sage request.

type StripeFields = Partial<Record<keyof SageCustomerUpdate, string>>;

/** The customer fields the mapping fills from the Stripe customer, without its fallbacks. */
function fieldsFromStripe(definition: unknown, customer: Stripe.Customer, timeZone: string): StripeFields {
  const parsed = ZFieldMappingDefinition.safeParse(definition);
  // Unreachable after mapOrRefuse; without a readable mapping nothing is Stripe's to change.
  if (!parsed.success) return {};
  const withoutFallbacks = { fields: parsed.data.fields.map((field) => ({ ...field, transforms: field.transforms.filter((transform) => transform.kind !== 'default') })) };
  // Its errors (a required field Stripe leaves empty) were reported by the full mapping already.
  const { values } = applyFieldMapping(withoutFallbacks, customer, { timeZone });
  const fields: StripeFields = {};
  for (const field of SAGE_CUSTOMER_UPDATE_FIELDS) {
    const value = values[field];
    if (value) fields[field] = value;
  }
  return fields;
}

/** Per field, a hash of the value written to this Sage customer, salted with the Stripe id. */
type Prints = { sage: string; fields: Partial<Record<keyof SageCustomerUpdate, string>> };

const PRINTS_VERSION = 'customer-v1';

function print(stripeCustomerId: string, name: string, value: string): string {
  return createHash('sha256').update(`${stripeCustomerId}\u0000${name}\u0000${value}`).digest('base64url').slice(0, 22);
}

function printsOf(sageCustomerId: string, stripeCustomerId: string, fields: StripeFields): Prints {
  const prints: Prints = { sage: print(stripeCustomerId, 'sage', sageCustomerId), fields: {} };
  for (const [name, value] of Object.entries(fields) as [keyof SageCustomerUpdate, string][]) prints.fields[name] = print(stripeCustomerId, name, value);
  return prints;
}

/** `customer-v1;sage=…;email=…;name=…`: the version, then name=hash pairs. */
function serializePrints(prints: Prints): string {
  return [PRINTS_VERSION, `sage=${prints.sage}`, ...Object.entries(prints.fields).map(([name, hash]) => `${name}=${hash}`)].join(';');
}

/** The prints of the last sync; null when there are none, or in a form this version does not write. */
function parsePrints(stored: string | null): Prints | null {
  const [version, ...pairs] = stored?.split(';') ?? [];
  if (version !== PRINTS_VERSION) return null;
  const entries = pairs.map((pair) => pair.split('=') as [string, string | undefined]);
  const sage = entries.find(([name]) => name === 'sage')?.[1];
  if (!sage) return null;
  const known = new Set<string>(SAGE_CUSTOMER_UPDATE_FIELDS);
  return { sage, fields: Object.fromEntries(entries.filter(([name, hash]) => known.has(name) && hash)) };
}

async function lastPrints(ctx: ProcessorContext, stripeCustomerId: string): Promise<string | null> {
  const record = await ctx.db.syncRecord.findFirst({
    where: { orgId: ctx.integration.orgId, integrationId: ctx.integration.id, sourceObjectType: 'customer', sourceObjectId: stripeCustomerId },
    select: { postedHash: true },
  });
  return record?.postedHash ?? null;
}

/** The update to send: every field Stripe fills whose print differs from the last sync's; null when none does. */
function changedFields(fields: StripeFields, now: Prints, last: Prints | null): SageCustomerUpdate | null {
  const sameCustomer = last !== null && last.sage === now.sage;
  const changed = Object.entries(fields).filter(([name]) => !sameCustomer || last.fields[name as keyof SageCustomerUpdate] !== now.fields[name as keyof SageCustomerUpdate]);
  return changed.length > 0 ? (Object.fromEntries(changed) as SageCustomerUpdate) : null;
}
