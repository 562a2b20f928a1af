import { bundleAll } from '../src/bundling/bundle';
import { LAMBDA_FUNCTION_IDS, type LambdaFunctionId } from '../src/bundling/functions';

/**
 * `npm run bundle [-- <function>...]`: builds the Lambda bundles into dist/lambda (the same deterministic
 * zips synth attaches) and prints each one's size and hash. Exit 2 on an unknown function name.
 */
const args = process.argv.slice(2);
const unknown = args.filter((a) => !(LAMBDA_FUNCTION_IDS as string[]).includes(a));
if (unknown.length > 0) {
  console.error(`bundle: unknown function ${unknown[0]} (one of: ${LAMBDA_FUNCTION_IDS.join(', ')})`);
  process.exit(2);
}
const ids = args.length > 0 ? (args as LambdaFunctionId[]) : undefined;
for (const b of Object.values(bundleAll({ ids, noCache: true }))) {
  console.log(
    `${b.id.padEnd(13)} ${(b.rawBytes / 1024).toFixed(0).padStart(5)} KiB raw  ${(b.zipBytes / 1024)
      .toFixed(0)
      .padStart(5)} KiB zip  sha256 ${b.sha256}  ${b.zipPath}`,
  );
}
