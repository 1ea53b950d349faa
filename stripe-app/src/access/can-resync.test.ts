import type { RoleDefinition } from '@stripe/ui-extension-sdk/context';
import { canResync } from './can-resync';

const WRITE = ['charge_read', 'charge_write'];
const READ = ['charge_read'];

function user(roles: RoleDefinition[] | undefined, authorizedPermissions: string[] | undefined = WRITE) {
  return {
    userContext: { account: { id: 'acct_1', country: 'US', isSandbox: false }, locale: 'en-US', roles },
    appContext: { authorizedPermissions },
  };
}

describe('who is offered Resync', () => {
  it.each(['admin', 'super_admin', 'developer', 'analyst', 'support_specialist', 'refund_analyst', 'dispute_analyst'])(
    'a %s may resync',
    (id) => {
      expect(canResync(user([{ type: 'builtIn', id, name: id }]))).toBe(true);
    },
  );

  it.each(['view_only', 'tax_analyst', 'identity_view_only', 'support_only', 'topups_only'])('a %s may not', (id) => {
    expect(canResync(user([{ type: 'builtIn', id, name: id }]))).toBe(false);
  });

  it('judges roles without an id by their name', () => {
    expect(canResync(user([{ type: 'builtIn', name: 'Administrator' }]))).toBe(true);
    expect(canResync(user([{ type: 'builtIn', name: 'Developer' }]))).toBe(true);
    expect(canResync(user([{ type: 'builtIn', name: 'View only' }]))).toBe(false);
  });

  it('takes the strongest of several roles', () => {
    expect(canResync(user([{ type: 'builtIn', id: 'view_only', name: 'View only' }, { type: 'builtIn', id: 'analyst', name: 'Analyst' }]))).toBe(true);
  });

  it('refuses anyone for whom the app may not write charges', () => {
    expect(canResync(user([{ type: 'builtIn', id: 'admin', name: 'Administrator' }], READ))).toBe(false);
  });

  it('leaves custom roles to the permission check', () => {
    expect(canResync(user([{ type: 'custom', id: 'rol_finance', name: 'Finance clerk' }], WRITE))).toBe(true);
    expect(canResync(user([{ type: 'custom', id: 'rol_finance', name: 'Finance clerk' }], READ))).toBe(false);
  });

  it('offers nothing when the Dashboard does not say who the user is', () => {
    expect(canResync(user(undefined))).toBe(false);
    expect(canResync(user([]))).toBe(false);
  });
});
