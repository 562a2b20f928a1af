import { defaultCliDeps } from './lib/context';
import { runCli } from './program';

/**
 * Entry point: `npm run drctl -- <command> [options]` (tsx cli/drctl.ts). See docs/runbooks/drctl.md.
 *
 * The project supports Node.js 20, for which the AWS SDK prints a support-window warning on every run; it
 * would be noise on stderr, so it is silenced unless the operator set the variable explicitly.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), defaultCliDeps()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`drctl: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
