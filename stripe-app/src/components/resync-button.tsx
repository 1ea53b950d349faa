import { Button } from '@stripe/ui-extension-sdk/ui';

type Props = { pending: boolean; onPress: () => void; size?: 'small' | 'medium' };

export function ResyncButton({ pending, onPress, size = 'medium' }: Props) {
  return (
    <Button type="primary" size={size} pending={pending} disabled={pending} onPress={onPress}>
      {pending ? 'Resyncing…' : 'Resync'}
    </Button>
  );
}
