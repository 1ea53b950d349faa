import type { SelectHTMLAttributes } from 'react';
import { cn } from '@/lib/cn';

/** A native select: keyboard, screen-reader and mobile behaviour come from the browser. */
export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      className={cn(
        'h-8 rounded-md border border-slate-300 bg-white px-2 text-sm',
        'focus-visible:border-brand focus-visible:outline-2 focus-visible:outline-brand/30',
        'disabled:cursor-wait disabled:opacity-60',
        className,
      )}
      {...props}
    />
  );
}
