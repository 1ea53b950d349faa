/** What the start script seeds for the demo; the suite only reads it, never creates it. */
export const demoAdmin = {
  email: process.env.E2E_ADMIN_EMAIL ?? 'admin@demo.example',
  password: process.env.E2E_ADMIN_PASSWORD ?? 'demo-admin-2026',
};

export const demoOrgName = 'Demo Company';

export const demoIntegrations = [
  { stripeAccount: 'acct_demo_sage500', sageEdition: 'Sage 500', sageCompany: 'demo-500' },
  { stripeAccount: 'acct_demo_sagepro', sageEdition: 'Sage Pro', sageCompany: 'demo-pro' },
  { stripeAccount: 'acct_demo_sage50', sageEdition: 'Sage 50', sageCompany: 'demo-50' },
  { stripeAccount: 'acct_demo_sagecloud', sageEdition: 'Sage Accounting', sageCompany: 'demo-cloud' },
] as const;
