/** The product's name in every page header. */
export function BrandMark() {
  return (
    <div>
      <p className="text-sm font-semibold tracking-wide text-brand uppercase">SageSync</p>
      <p className="text-xs text-slate-500">Stripe into Sage</p>
    </div>
  );
}
