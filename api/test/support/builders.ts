import { randomBytes } from 'node:crypto';
import { hashPassword, type Integration, type MembershipRole, type Organization, type PrismaClient, type User } from '@sagesync/db';
import { encodeSessionToken } from '../../src/auth/session-token.ts';
import { TEST_SESSION_SECRET } from './test-api.ts';

function unique(): string {
  return randomBytes(4).toString('hex');
}

export async function createUser(
  prisma: PrismaClient,
  { email = `person-${unique()}@example.test`, name = 'Test Person', password }: { email?: string; name?: string; password?: string } = {},
): Promise<User> {
  return prisma.user.create({
    data: { email, name, passwordHash: password === undefined ? null : await hashPassword(password) },
  });
}

export async function createOrganization(prisma: PrismaClient, { name = `Org ${unique()}` }: { name?: string } = {}): Promise<Organization> {
  return prisma.organization.create({ data: { name, slug: `org-${unique()}` } });
}

export async function addMember(prisma: PrismaClient, org: Organization, user: User, role: MembershipRole): Promise<void> {
  await prisma.membership.create({ data: { orgId: org.id, userId: user.id, role } });
}

export async function createIntegration(
  prisma: PrismaClient,
  org: Organization,
  overrides: Partial<Pick<Integration, 'name' | 'postingMode' | 'sageEdition'>> = {},
): Promise<Integration> {
  return prisma.integration.create({
    data: {
      orgId: org.id,
      name: overrides.name ?? `Stripe to Sage ${unique()}`,
      source: 'stripe',
      sourceAccountId: `acct_${unique()}`,
      sageEdition: overrides.sageEdition ?? 'sage50',
      sageCompanyId: `company-${unique()}`,
      postingMode: overrides.postingMode ?? 'per_transaction',
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
    },
  });
}

/** A user and an organization in which they hold the given role. */
export async function createMember(prisma: PrismaClient, role: MembershipRole, org?: Organization) {
  const organization = org ?? (await createOrganization(prisma));
  const user = await createUser(prisma);
  await addMember(prisma, organization, user, role);
  return { org: organization, user };
}

/** The Cookie header a browser signed in to the portal sends through the portal's proxy. */
export async function sessionCookieFor(user: Pick<User, 'id' | 'email' | 'name'>, secret = TEST_SESSION_SECRET): Promise<string> {
  const token = await encodeSessionToken({ claims: { sub: user.id, email: user.email, name: user.name }, secret });
  return `next-auth.session-token=${token}`;
}
