import { fileURLToPath } from 'node:url';

/** The bundles the API stage runs (outfiles from scripts/bundles.ts), rebuilt at every start so a stale dist/ is never measured. */
export const LAMBDA_BUNDLE_OUTFILE = 'dist/handlers/turkeys-api/index.mjs';
export const SERVICE_BUNDLE_OUTFILE = 'dist/apprunner-svc/server.mjs';
export const API_STAGE_BUNDLES = [LAMBDA_BUNDLE_OUTFILE, SERVICE_BUNDLE_OUTFILE];

export const repoPath = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));
