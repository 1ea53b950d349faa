import type Stripe from 'stripe';
import type { SageCustomer, SageCustomerInput } from '../../connectors/sage/sage-documents.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { resolveSageCustomer } from '../resolve-sage-customer.ts';
import { activeMappingDefinition, mapOrRefuse, type ProcessOutcome, type ProcessorContext } from './processor-context.ts';

// Customer master, both ways: a Stripe customer finds (or becomes) exactly one Sage customer, in
// the design's order, and the Sage id goes back into the Stripe customer's metadata.

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
  return resolution.customer;
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
  const sageCustomer = await sageCustomerFor(ctx, customer as Stripe.Customer);
  return {
    kind: 'synced',
    documentType: 'customer',
    document: { type: 'customer', id: sageCustomer.id, number: sageCustomer.number, reference: customer.id },
  };
}
