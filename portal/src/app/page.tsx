import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { Dashboard } from '@/features/organizations/dashboard';
import { authOptions } from '@/server/auth-options';

export default async function HomePage() {
  const session = await getServerSession(authOptions);
  if (!session) redirect('/signin');
  return <Dashboard sessionUser={{ name: session.user?.name ?? null, email: session.user?.email ?? null }} />;
}
