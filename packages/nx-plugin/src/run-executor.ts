import type { ExecutorContext } from '@nx/devkit';
import { isTinyforgeError } from '@tinyforge/ir';

export interface ExecutorResult {
  success: boolean;
}

/**
 * Run an executor body and turn failures into Nx's { success: false }, printing them like the CLI does
 * (`error[CODE]: message`); unexpected exceptions keep their stack for bug reports.
 */
export async function runExecutor(context: ExecutorContext, body: () => Promise<void> | void): Promise<ExecutorResult> {
  try {
    await body();
    return { success: true };
  } catch (e) {
    const where = `${context.projectName ?? '?'}:${context.targetName ?? '?'}`;
    if (isTinyforgeError(e)) console.error(`${where} error[${e.code}]: ${e.message}`);
    else console.error(`${where} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { success: false };
  }
}

/**
 * Stage lines for executors (Nx captures their output: no redrawn progress): a line when a step starts, then at
 * every quarter of a counted step — `[flash] write 50% (63 of 126 KiB)`.
 */
export function stageLines(log: (line: string) => void): (stage: string, done: number, total: number) => void {
  let current = '';
  let quarter = -1;
  return (stage, done, total) => {
    if (stage !== current) {
      current = stage;
      quarter = -1;
      if (total <= 1) log(`[${stage}]`);
    }
    if (total <= 1) return;
    const q = Math.floor((4 * done) / total);
    if (q === quarter) return;
    quarter = q;
    log(`[${stage}] ${Math.floor((100 * done) / total)}% (${done} of ${total})`);
  };
}
