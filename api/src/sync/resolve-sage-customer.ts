import type { SageConnector } from '../connectors/sage/sage-connector.ts';
import type { SageCustomer, SageCustomerInput } from '../connectors/sage/sage-documents.ts';

// Customer resolution, in the order the design fixes: the Sage id kept in Stripe metadata, then the
// Stripe id kept in Sage's custom field, then the e-mail (case-insensitive), and only then create.
// Never create a duplicate: every lookup runs before the create, and the connector's create is
// itself idempotent on the Stripe customer id.

/** Stripe metadata key that holds the Sage customer id, per edition (Sage 500's is fixed by its users). */
export const SAGE_CUSTOMER_METADATA_KEY = {
  sage500: 'Sage500CustomerID',
  sage_pro: 'SageProCustomerID',
  sage50: 'Sage50CustomerID',
  sage_accounting: 'SageAccountingContactID',
} as const;

export type StripeCustomerFacts = {
  id: string;
  email: string | null;
  metadata: Record<string, string>;
};

export type CustomerResolution = {
  customer: SageCustomer;
  /** Which rule found it; `created` when none did. */
  via: 'stripe_metadata' | 'sage_custom_field' | 'email' | 'created';
};

export async function resolveSageCustomer(input: {
  connector: SageConnector;
  stripeCustomer: StripeCustomerFacts;
  /** The customer as the field mapping built it, used only when a create is needed. */
  newCustomer: () => SageCustomerInput;
  /** Writes the Sage id into the Stripe customer's metadata (idempotent). */
  writeBack: (metadata: Record<string, string>) => Promise<void>;
}): Promise<CustomerResolution> {
  const { connector, stripeCustomer } = input;
  const metadataKey = SAGE_CUSTOMER_METADATA_KEY[connector.edition];
  const recordedId = stripeCustomer.metadata[metadataKey];

  const resolved = async (customer: SageCustomer, via: CustomerResolution['via']): Promise<CustomerResolution> => {
    if (recordedId !== customer.id) await input.writeBack({ [metadataKey]: customer.id });
    return { customer, via };
  };

  if (recordedId) {
    const byId = await connector.findCustomerById(recordedId);
    // A stale id (customer merged or deleted in Sage) falls through to the next rule.
    if (byId) return { customer: byId, via: 'stripe_metadata' };
  }
  const byStripeId = await connector.findCustomerByStripeId(stripeCustomer.id);
  if (byStripeId) return resolved(byStripeId, 'sage_custom_field');
  if (stripeCustomer.email) {
    const byEmail = await connector.findCustomerByEmail(stripeCustomer.email);
    if (byEmail) return resolved(byEmail, 'email');
  }
  return resolved(await connector.createCustomer(input.newCustomer()), 'created');
}
