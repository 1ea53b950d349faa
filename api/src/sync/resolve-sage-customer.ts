import type { SageConnector } from '../connectors/sage/sage-connector.ts';
import type { SageCustomer, SageCustomerInput, SageCustomerUpdate } from '../connectors/sage/sage-documents.ts';

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

// A returning customer's charges each ask Sage the same questions (does the Sage id in Stripe
// metadata still exist? which Sage customer holds this Stripe id, or this e-mail?), one request
// each, for answers that change only when someone merges, deletes or relinks a customer in Sage.
// So an answer that found a customer (or the customer just created) is reused for a short while,
// per connector: one connector per integration and Sage connection (integration-settings-cache.ts).
// A miss is never reused: a miss leads to a create, and a create must follow a fresh look.
// Within the window, a customer deleted in Sage is not noticed here: the document's create then
// names a customer Sage no longer has and Sage refuses it (Sage 500's receipt checks the customer
// first), so the item fails with the reason, nothing is posted, and a resync looks afresh. A
// customer relinked in Sage is followed once the window has passed.
export const CUSTOMER_ANSWER_REUSE_MS = 10_000;
const MAX_ANSWERS_PER_CONNECTOR = 10_000;
const answers = new WeakMap<SageConnector, Map<string, { customer: SageCustomer; at: number }>>();

function reusable(connector: SageConnector, question: string): SageCustomer | null {
  const answer = answers.get(connector)?.get(question);
  return answer && Date.now() - answer.at < CUSTOMER_ANSWER_REUSE_MS ? answer.customer : null;
}

function remember(connector: SageConnector, question: string, customer: SageCustomer): void {
  let byQuestion = answers.get(connector);
  if (!byQuestion) {
    byQuestion = new Map();
    answers.set(connector, byQuestion);
  }
  byQuestion.delete(question); // re-inserted last: the map's order is oldest first
  if (byQuestion.size >= MAX_ANSWERS_PER_CONNECTOR) byQuestion.delete(byQuestion.keys().next().value as string);
  byQuestion.set(question, { customer, at: Date.now() });
}

/** Asks Sage unless a recent answer found the customer; remembers an answer that found one, forgets one that no longer does. */
async function ask(connector: SageConnector, question: string, lookUp: () => Promise<SageCustomer | null>): Promise<SageCustomer | null> {
  const recent = reusable(connector, question);
  if (recent) return recent;
  const found = await lookUp();
  if (found) remember(connector, question, found);
  else answers.get(connector)?.delete(question);
  return found;
}

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
    const byId = await ask(connector, `id:${recordedId}`, () => connector.findCustomerById(recordedId));
    // A stale id (customer merged or deleted in Sage) falls through to the next rule.
    if (byId) return { customer: byId, via: 'stripe_metadata' };
  }
  const byStripeId = await ask(connector, `stripe:${stripeCustomer.id}`, () => connector.findCustomerByStripeId(stripeCustomer.id));
  if (byStripeId) return resolved(byStripeId, 'sage_custom_field');
  const email = stripeCustomer.email;
  if (email) {
    const byEmail = await ask(connector, `email:${email.trim().toLowerCase()}`, () => connector.findCustomerByEmail(email));
    if (byEmail) return resolved(byEmail, 'email');
  }
  const created = await connector.createCustomer(input.newCustomer());
  // The create is keyed by the Stripe id (a custom field in Sage): the next look by it finds this one.
  remember(connector, `stripe:${stripeCustomer.id}`, created);
  return resolved(created, 'created');
}

/**
 * Writes changes to a Sage customer and keeps the remembered answers true, so a charge that
 * follows within the reuse window is not handed the customer as it was: every answer that found
 * this customer now holds it as Sage answered the update, and one found by an e-mail the customer
 * no longer has is dropped. When the update fails (the customer may be gone from Sage), every
 * answer naming the customer is dropped, so the next look, this job's retry or a charge's, asks Sage.
 */
export async function updateSageCustomer(connector: SageConnector, sageCustomerId: string, update: SageCustomerUpdate): Promise<SageCustomer> {
  let updated: SageCustomer;
  try {
    updated = await connector.updateCustomer(sageCustomerId, update);
  } catch (error) {
    forgetCustomer(connector, sageCustomerId);
    throw error;
  }
  const byQuestion = answers.get(connector);
  const email = updated.email?.trim().toLowerCase();
  for (const [question, answer] of byQuestion ?? []) {
    if (answer.customer.id !== updated.id) continue;
    if (question.startsWith('email:') && question !== `email:${email}`) byQuestion?.delete(question);
    // Its age is kept: the update says nothing of a relink in Sage, which the window bounds.
    else byQuestion?.set(question, { customer: updated, at: answer.at });
  }
  return updated;
}

function forgetCustomer(connector: SageConnector, sageCustomerId: string): void {
  const byQuestion = answers.get(connector);
  for (const [question, answer] of byQuestion ?? []) {
    if (answer.customer.id === sageCustomerId) byQuestion?.delete(question);
  }
}
