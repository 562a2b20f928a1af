/**
 * A value built on first use and reused by later Lambda invocations of the same execution environment. A failed
 * build is not cached: the next invocation tries again.
 */
export function lazy<T>(build: () => T | Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      pending = Promise.resolve()
        .then(build)
        .catch((err: unknown) => {
          pending = undefined;
          throw err;
        });
    }
    return pending;
  };
}
