import type { FastifyInstance } from 'fastify';
import { companyOf, listPage, queryOf, sendFailure, withWireNames, type DialectErrorStyle, type ListEnvelope, type SandboxContext } from './dialect-kit.ts';
import type { Customer } from './ledger-model.ts';
import type { CustomerFilter, CustomerInput } from './ledger-store.ts';

// The customer endpoints of Sage 500, Sage Pro and Sage 50: list with filters, read, create and
// update one by its customer code. Only the wire names differ between the three.

export type CustomerResource = {
  path: string;
  /** The store filter of a list request, from its lower-cased query. */
  filter(query: Record<string, string>): CustomerFilter;
  /** Reads a create body; throws a WireRejection when it is not valid. */
  readCreate(body: unknown): CustomerInput;
  /** Reads an update body; throws a WireRejection when it is not valid. */
  readUpdate(body: unknown): Partial<Omit<CustomerInput, 'code'>>;
  /** Wire name of the customer code, named in every refusal of a create. */
  codeField: string;
  render(customer: Customer): unknown;
};

export function registerCustomerResource(scope: FastifyInstance, ctx: SandboxContext, style: DialectErrorStyle, resource: CustomerResource, envelope: ListEnvelope): void {
  scope.get(resource.path, async (request) => {
    const company = companyOf(request);
    const query = queryOf(request, { lowerCaseNames: true });
    const customers = ctx.store.findCustomers(company.id, resource.filter(query));
    const { items, info } = listPage(request, customers, envelope.pageRequest(query), envelope.pageParam);
    return envelope.render(items.map(resource.render), info);
  });

  scope.get(`${resource.path}/:customerId`, async (request, reply) => {
    const { customerId } = request.params as { customerId: string };
    const customer = ctx.store.getCustomer(companyOf(request).id, { code: customerId });
    if (!customer) return sendFailure(reply, style, 'not_found', `Customer ${customerId} was not found`);
    return resource.render(customer);
  });

  scope.post(resource.path, async (request, reply) => {
    const input = resource.readCreate(request.body);
    const customer = withWireNames(
      () => ctx.store.createCustomer(companyOf(request).id, input),
      () => resource.codeField,
    );
    return reply.code(201).send(resource.render(customer));
  });

  // The body is read before the customer is looked up: a bad body is refused even for an unknown code.
  scope.put(`${resource.path}/:customerId`, async (request, reply) => {
    const { customerId } = request.params as { customerId: string };
    const company = companyOf(request);
    const patch = resource.readUpdate(request.body);
    const existing = ctx.store.getCustomer(company.id, { code: customerId });
    if (!existing) return sendFailure(reply, style, 'not_found', `Customer ${customerId} was not found`);
    return resource.render(ctx.store.updateCustomer(company.id, existing.id, patch));
  });
}
