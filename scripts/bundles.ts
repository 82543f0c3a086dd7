/**
 * Every esbuild bundle the kit ships: one file each, minified and tree-shaken, AWS SDK v3 bundled.
 * The local stage runs these files; the stacks upload them; the Dockerfiles copy them.
 */
export interface BundleSpec {
  name: string;
  entry: string;
  outfile: string;
}

/** Where each bundle is written, relative to the repo root: the one place these paths are spelled. */
export const BUNDLE_OUTFILES = {
  turkeysApi: 'dist/handlers/turkeys-api/index.mjs',
  apprunnerSvc: 'dist/apprunner-svc/server.mjs',
  streamProcessor: 'dist/handlers/stream-processor/index.mjs',
  fargateConsumer: 'dist/fargate-consumer/main.mjs',
} as const;

export const BUNDLES: readonly BundleSpec[] = [
  { name: 'turkeys-api (Lambda)', entry: 'handlers/turkeys-api.ts', outfile: BUNDLE_OUTFILES.turkeysApi },
  { name: 'apprunner-svc (Express)', entry: 'apprunner-svc/server.ts', outfile: BUNDLE_OUTFILES.apprunnerSvc },
  { name: 'stream-processor (Lambda)', entry: 'handlers/stream-processor.ts', outfile: BUNDLE_OUTFILES.streamProcessor },
  { name: 'fargate-consumer', entry: 'fargate-consumer/main.ts', outfile: BUNDLE_OUTFILES.fargateConsumer },
];
