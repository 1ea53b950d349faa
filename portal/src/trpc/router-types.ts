import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@sagesync/api/trpc';

// Types come from the api's router: the portal never restates them.
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type Viewer = RouterOutputs['viewer']['get'];
export type Membership = Viewer['memberships'][number];
export type Integration = RouterOutputs['integration']['list'][number];
export type PostingMode = RouterInputs['integration']['updatePostingMode']['postingMode'];
