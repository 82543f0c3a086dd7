import { BUNDLE_OUTFILES } from '../scripts/bundles.ts';

export { repoPath } from '../lib/repo-root.ts';

/** The bundles the API stage runs, rebuilt at every start so a stale dist/ is never measured. */
export const LAMBDA_BUNDLE_OUTFILE = BUNDLE_OUTFILES.turkeysApi;
export const SERVICE_BUNDLE_OUTFILE = BUNDLE_OUTFILES.apprunnerSvc;
export const API_STAGE_BUNDLES = [LAMBDA_BUNDLE_OUTFILE, SERVICE_BUNDLE_OUTFILE];

