/**
 * Records where an SDK client would send each request, without sending it: a build-step middleware reads the
 * resolved endpoint host of the serialized request (after endpoint resolution, before signing), notes it, and
 * answers with a canned output instead of calling the network. Used to prove which regional endpoints a code
 * path uses, with the production client factories unchanged.
 */
export interface InterceptedCall {
  command: string;
  hostname: string;
  input: unknown;
}

export type CannedOutput = (command: string, input: unknown) => Record<string, unknown>;

interface Stackable {
  middlewareStack: {
    add(
      middleware: (
        next: unknown,
        context: { commandName?: string },
      ) => (args: { request?: unknown; input: unknown }) => Promise<unknown>,
      options: { step: 'build'; name: string; priority: 'low' },
    ): void;
  };
}

export function intercept(client: unknown, calls: InterceptedCall[], respond: CannedOutput): void {
  (client as Stackable).middlewareStack.add(
    (_next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const hostname = String((args.request as { hostname?: unknown } | undefined)?.hostname ?? '');
      calls.push({ command, hostname, input: args.input });
      return { output: { $metadata: {}, ...respond(command, args.input) }, response: {} };
    },
    { step: 'build', name: 'interceptForTest', priority: 'low' },
  );
}
