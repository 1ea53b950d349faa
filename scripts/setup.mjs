// `npm run setup`: install dependencies, generate the Prisma client and build the portal
// (`--no-portal` skips the build, for a machine that only runs workers).
import { buildPortal, generatePrismaClient, installDependencies } from './lib/setup-steps.mjs';

installDependencies();
generatePrismaClient();
if (!process.argv.includes("--no-portal")) buildPortal();
