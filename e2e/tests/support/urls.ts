/** Where the run's api and Stripe fake listen (scripts/test.mjs passes them; these are `npm start`'s). */
export const apiURL = (process.env.API_URL ?? 'http://localhost:4000').replace(/\/+$/, '');
export const stripeFakeURL = (process.env.STRIPE_FAKE_URL ?? 'http://127.0.0.1:4020').replace(/\/+$/, '');
