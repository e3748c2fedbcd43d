/** A kernel call as the body of a generated layer function, by its family's emitter. */
import { LayerWriter } from './families/family';
import { KernelCall, familyForCall } from './families/registry';

export function emitKernelCall(call: KernelCall, out: LayerWriter): void {
  familyForCall(call).emit(call, out);
}
