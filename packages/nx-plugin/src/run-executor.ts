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
