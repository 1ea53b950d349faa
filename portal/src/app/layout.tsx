import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { TRPCReactProvider } from '@/trpc/trpc-react-provider';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'SageSync', template: '%s · SageSync' },
  description: 'Stripe money into Sage, posted once and reconciled.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
