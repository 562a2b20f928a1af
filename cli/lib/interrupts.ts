/**
 * Ctrl-C (SIGINT) during a long-running command: the first asks the command to stop cleanly (it aborts its
 * work and puts back what it changed), the second means "stop now" and the command says what it leaves
 * behind before it exits. Without this, a second Ctrl-C after a `process.once` listener ends the process at
 * once, silently (Node's default), with nothing said about what may not be restored.
 *
 * Returns the function that stops listening (call it when the command finishes).
 */
export function onInterrupts(handlers: { first: () => void; second: () => void }): () => void {
  let count = 0;
  const listener = () => {
    count++;
    if (count === 1) handlers.first();
    else if (count === 2) handlers.second();
  };
  process.on('SIGINT', listener);
  return () => {
    process.removeListener('SIGINT', listener);
  };
}
