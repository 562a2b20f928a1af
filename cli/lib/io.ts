import { createInterface } from 'node:readline/promises';

/** Where drctl writes and how it asks: the real terminal, or captured streams in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Whether a person can answer a prompt (stdin and stderr are terminals). */
  interactive: boolean;
  /** Asks a question on stderr and resolves to the answer line. */
  prompt(question: string): Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
