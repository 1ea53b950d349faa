import { orgProcedure } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { INTEGRATION_SUMMARY_SELECT } from './integration-summary.ts';
import { ZListIntegrationsRequestSchema, ZListIntegrationsResponseSchema } from './list-integrations.types.ts';

export const listIntegrationsRoute = orgProcedure
  .input(ZListIntegrationsRequestSchema)
  .output(ZListIntegrationsResponseSchema)
  .query(({ ctx }) =>
    ctx.db.integration.findMany({
      where: scopeToOrg(ctx),
      select: INTEGRATION_SUMMARY_SELECT,
      orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
    }),
  );
