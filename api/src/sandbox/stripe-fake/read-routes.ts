import type { FastifyInstance, FastifyRequest } from 'fastify';
import { expandList, expandObject } from './expand.ts';
import type { FormParams } from './form-decoding.ts';
import { paginateInPlace, paginateNewestFirst, parseListParams, type ListContext } from './list-pagination.ts';
import type { StripeObject } from './object-store.ts';
import { parseExpand, rejectUnknownParams } from './param-parsing.ts';
import { RESOURCES, type ResourceDefinition } from './resource-catalog.ts';
import type { RouteContext } from './route-context.ts';
import { resourceMissing } from './stripe-errors.ts';

type WithId = { Params: { id: string } };

/**
 * Adds the includable fields an `expand[]` path starts with (`payments`, `payments.data.invoice`),
 * so the expansion then walks them like any other field. `prefix` is `data.` on lists.
 */
function withIncludedFields(object: StripeObject, resource: ResourceDefinition, paths: readonly string[], context: ListContext, prefix = ''): StripeObject {
  let result = object;
  for (const [field, build] of Object.entries(resource.includable ?? {})) {
    const wanted = `${prefix}${field}`;
    if (paths.some((path) => path === wanted || path.startsWith(`${wanted}.`))) result = { ...result, [field]: build(object, context) };
  }
  return result;
}

function listResource(resource: ResourceDefinition, request: FastifyRequest, context: RouteContext, url: string) {
  const account = context.accountOf(request);
  const listContext = { store: context.store, account };
  const listRequest = parseListParams(request.query as FormParams, resource.filters, listContext);
  const page = paginateNewestFirst(context.store.listNewestFirst(account, resource.type), listRequest, {
    url,
    objectType: resource.type,
    findCursor: (id) => context.store.get(account, resource.type, id),
  });
  const included = { ...page, data: page.data.map((object) => withIncludedFields(object, resource, listRequest.expand, listContext, 'data.')) };
  return expandList(included, listRequest.expand, listContext);
}

function retrieveResource(resource: ResourceDefinition, request: FastifyRequest<WithId>, context: RouteContext) {
  const query = request.query as FormParams;
  rejectUnknownParams(query, ['expand']);
  const account = context.accountOf(request);
  const object = context.store.get(account, resource.type, request.params.id);
  if (!object) throw resourceMissing(resource.type, request.params.id);
  const expand = parseExpand(query.expand);
  const listContext = { store: context.store, account };
  return expandObject(withIncludedFields(object, resource, expand, listContext), expand, listContext);
}

/** A connected account the fake knows of but holds no `account` object for gets a minimal one. */
function minimalAccount(id: string, created: number): StripeObject {
  return {
    id,
    object: 'account',
    business_type: 'company',
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    country: 'US',
    created,
    default_currency: 'usd',
    details_submitted: true,
    email: null,
    metadata: {},
    payouts_enabled: true,
    type: 'standard',
  };
}

function retrieveAccount(id: string, request: FastifyRequest, context: RouteContext): StripeObject {
  const { store } = context;
  const found = store.get(context.accountOf(request), 'account', id) ?? store.get(store.defaultAccountId, 'account', id) ?? store.get(id, 'account', id);
  if (found) return found;
  if (store.hasAccount(id) || id === store.defaultAccountId) return minimalAccount(id, context.now());
  throw resourceMissing('account', id);
}

export function registerReadRoutes(app: FastifyInstance, context: RouteContext): void {
  for (const resource of RESOURCES) {
    const url = `/v1/${resource.path}`;
    app.get(url, async (request) => listResource(resource, request, context, url));
    app.get<WithId>(`${url}/:id`, async (request) => retrieveResource(resource, request, context));
  }

  // The old name of the balance transactions endpoint, still served by Stripe.
  const balanceTransactions = RESOURCES.find((resource) => resource.type === 'balance_transaction') as ResourceDefinition;
  app.get('/v1/balance/history', async (request) => listResource(balanceTransactions, request, context, '/v1/balance/history'));
  app.get<WithId>('/v1/balance/history/:id', async (request) => retrieveResource(balanceTransactions, request, context));

  // An invoice's lines page on their own once an invoice has more than its embedded first page.
  app.get<WithId>('/v1/invoices/:id/lines', async (request) => {
    const account = context.accountOf(request);
    const invoice = context.store.get(account, 'invoice', request.params.id);
    if (!invoice) throw resourceMissing('invoice', request.params.id);
    const lines = (invoice.lines as { data?: StripeObject[] } | undefined)?.data ?? [];
    const listContext = { store: context.store, account };
    const listRequest = parseListParams(request.query as FormParams, [], listContext);
    const page = paginateInPlace(lines, listRequest, `/v1/invoices/${invoice.id}/lines`, 'line_item');
    return expandList(page, listRequest.expand, listContext);
  });

  app.get('/v1/account', async (request) => {
    rejectUnknownParams(request.query as FormParams, ['expand']);
    return retrieveAccount(context.accountOf(request), request, context);
  });
  app.get<WithId>('/v1/accounts/:id', async (request) => {
    rejectUnknownParams(request.query as FormParams, ['expand']);
    return retrieveAccount(request.params.id, request, context);
  });
}
