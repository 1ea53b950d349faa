'use client';

import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import type { Membership } from '@/trpc/router-types';

/** Which of the viewer's organizations a page shows; nothing when there is only one to choose. */
export function OrganizationSelect({ id, memberships, value, onChange }: { id: string; memberships: Membership[]; value: string; onChange: (orgId: string) => void }) {
  if (memberships.length <= 1) return null;
  return (
    <div className="flex items-center gap-2">
      <Label htmlFor={id}>Organization</Label>
      <Select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {memberships.map((m) => (
          <option key={m.orgId} value={m.orgId}>
            {m.orgName}
          </option>
        ))}
      </Select>
    </div>
  );
}
