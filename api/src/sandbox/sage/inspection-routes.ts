import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FaultInjector } from './fault-injection.ts';
import { ZFaultSettings } from './fault-injection.ts';
import { ZDocumentType, type Company, type LedgerDocument } from './ledger-model.ts';
import { LedgerRejection } from './ledger-rejection.ts';
import type { LedgerStore } from './ledger-store.ts';
import { formatMinor } from './money.ts';

// Routes for tests and the demo, outside every dialect: read what the books hold, and set faults.
// The read routes change nothing. Money leaves as decimal strings computed from minor units.

export function renderDocumentForInspection(store: LedgerStore, document: LedgerDocument) {
  const customer = document.customerId === null ? undefined : store.getCustomer(document.companyId, { id: document.customerId });
  const amount = (minor: number) => formatMinor(minor, document.currency);
  return {
    type: document.type,
    id: document.id,
    number: document.number,
    reference: document.reference,
    date: document.date,
    currency: document.currency,
    amount: amount(document.amountMinor),
    customer: customer
      ? { id: customer.id, code: customer.code, name: customer.name, email: customer.email, stripeCustomerId: customer.stripeCustomerId }
      : null,
    appliesToInvoice: document.appliesToInvoice,
    description: document.description,
    lines: document.lines.map((line) => ({ account: line.account, debit: amount(line.debitMinor), credit: amount(line.creditMinor), memo: line.memo })),
    createdAt: document.createdAt,
  };
}

function renderCompany(company: Company) {
  return {
    id: company.id,
    dialect: company.dialect,
    name: company.name,
    baseCurrency: company.baseCurrency,
    closedThrough: company.closedThrough,
    rateLimitPerMinute: company.rateLimitPerMinute,
    receivablesAccount: company.receivablesAccount,
    accounts: company.accounts.map(({ id, code, name, type }) => ({ id, code, name, type })),
    bankAccounts: company.bankAccounts,
  };
}

const ZDocumentQuery = z.object({ type: ZDocumentType.optional(), reference: z.string().optional() });
const ZBalanceQuery = z.object({ currency: z.string().regex(/^[A-Za-z]{3}$/).optional() });
const ZClosedThrough = z.object({ closedThrough: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable() });

export function registerInspectionRoutes(app: FastifyInstance, { store, faults, resetToDemo }: { store: LedgerStore; faults: FaultInjector; resetToDemo: () => void }): void {
  app.register(
    async (scope) => {
      scope.setErrorHandler((error, _request, reply) => {
        if (error instanceof z.ZodError) return reply.code(400).send({ error: 'invalid_request', issues: error.issues.map(({ path, message }) => ({ path: path.join('.'), message })) });
        if (error instanceof LedgerRejection) return reply.code(error.issues.some((issue) => issue.code === 'not_found') ? 404 : 400).send({ error: 'rejected', issues: error.issues });
        const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
        return reply.code(status).send({ error: (error as Error).message });
      });

      const companyOr404 = (companyId: string) => {
        const company = store.getCompany(companyId);
        if (!company) throw new LedgerRejection([{ code: 'not_found', path: ['company'], message: `Company ${companyId} does not exist` }]);
        return company;
      };

      scope.get('/companies', async () => ({ companies: store.listCompanies().map(renderCompany) }));

      scope.get('/companies/:company', async (request) => renderCompany(companyOr404((request.params as { company: string }).company)));

      scope.get('/companies/:company/documents', async (request) => {
        const company = companyOr404((request.params as { company: string }).company);
        const query = ZDocumentQuery.parse(request.query);
        const documents = store.findDocuments(company.id, { types: query.type ? [query.type] : undefined, reference: query.reference });
        return { company: company.id, documents: documents.map((document) => renderDocumentForInspection(store, document)) };
      });

      scope.get('/companies/:company/customers', async (request) => {
        const company = companyOr404((request.params as { company: string }).company);
        const query = z.object({ email: z.string().optional(), stripeCustomerId: z.string().optional(), code: z.string().optional() }).parse(request.query);
        return { company: company.id, customers: store.findCustomers(company.id, query) };
      });

      scope.get('/companies/:company/accounts/:account/balance', async (request, reply) => {
        const { company: companyId, account } = request.params as { company: string; account: string };
        const company = companyOr404(companyId);
        const currency = (ZBalanceQuery.parse(request.query).currency ?? company.baseCurrency).toUpperCase();
        const balance = store.accountBalance(company.id, account, currency);
        if (!balance) return reply.code(404).send({ error: `Account ${account} is not in the chart of accounts of ${company.id}` });
        return {
          company: company.id,
          account: balance.account,
          name: balance.name,
          currency,
          debit: formatMinor(balance.debitMinor, currency),
          credit: formatMinor(balance.creditMinor, currency),
          /** Debits minus credits: positive for an asset or expense account in its usual state. */
          balance: formatMinor(balance.debitMinor - balance.creditMinor, currency),
          otherCurrencies: store.currenciesPostedTo(company.id, account).filter((other) => other !== currency),
        };
      });

      scope.get('/companies/:company/trial-balance', async (request) => {
        const company = companyOr404((request.params as { company: string }).company);
        const only = ZBalanceQuery.parse(request.query).currency?.toUpperCase();
        const byCurrency = new Map<string, ReturnType<LedgerStore['trialBalance']>>();
        for (const row of store.trialBalance(company.id)) {
          if (only !== undefined && row.currency !== only) continue;
          byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
        }
        return {
          company: company.id,
          // One trial balance per currency: amounts in different currencies are never added up.
          currencies: [...byCurrency.entries()].map(([currency, rows]) => {
            const debitMinor = rows.reduce((sum, row) => sum + row.debitMinor, 0);
            const creditMinor = rows.reduce((sum, row) => sum + row.creditMinor, 0);
            return {
              currency,
              debit: formatMinor(debitMinor, currency),
              credit: formatMinor(creditMinor, currency),
              accounts: rows.map((row) => ({
                account: row.account,
                name: row.name,
                debit: formatMinor(row.debitMinor, currency),
                credit: formatMinor(row.creditMinor, currency),
                balance: formatMinor(row.debitMinor - row.creditMinor, currency),
              })),
            };
          }),
        };
      });

      scope.get('/companies/:company/faults', async (request) => faults.settingsFor(companyOr404((request.params as { company: string }).company).id));

      scope.post('/companies/:company/faults', async (request) => {
        const company = companyOr404((request.params as { company: string }).company);
        return faults.configure(company.id, ZFaultSettings.parse(request.body ?? {}));
      });

      scope.delete('/companies/:company/faults', async (request, reply) => {
        faults.clear(companyOr404((request.params as { company: string }).company).id);
        return reply.code(204).send();
      });

      scope.put('/companies/:company/closed-through', async (request) => {
        const company = companyOr404((request.params as { company: string }).company);
        return renderCompany(store.setClosedThrough(company.id, ZClosedThrough.parse(request.body).closedThrough));
      });

      scope.post('/reset', async () => {
        resetToDemo();
        return { companies: store.listCompanies().map((company) => company.id) };
      });
    },
    { prefix: '/_sandbox' },
  );
}
