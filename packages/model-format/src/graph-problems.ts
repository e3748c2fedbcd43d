import { Diagnostic } from '@tinyforge/ir';
import { ModelFormatError, UnsupportedFeature } from './errors';

/**
 * The error for a graph a reader built that validateGraph refuses. Element types the IR's ops do not take (IR_DTYPE:
 * e.g. a quantized int32 tensor into QUANTIZE) are a feature tinyforge lacks, FORMAT_UNSUPPORTED naming every such
 * node; any other problem means the file contradicts itself, FORMAT_MALFORMED.
 */
export function graphProblemsError(problems: readonly Diagnostic[], file: string | undefined): ModelFormatError {
  const typeProblems = problems.filter((p) => p.code === 'IR_DTYPE');
  const other = problems.filter((p) => p.code !== 'IR_DTYPE');
  if (other.length > 0) {
    const p = other[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return new ModelFormatError('FORMAT_MALFORMED', `invalid graph: ${p.message}${more}`, { file, node: p.node });
  }
  const features: UnsupportedFeature[] = typeProblems.map((p) => ({ kind: 'feature', name: p.message, where: p.node === undefined ? [] : [`node '${p.node}'`] }));
  const first = typeProblems[0];
  const more = typeProblems.length > 1 ? ` (and ${typeProblems.length - 1} more: ${typeProblems.slice(1, 4).map((p) => `'${p.node}'`).join(', ')}${typeProblems.length > 4 ? ', …' : ''})` : '';
  return new ModelFormatError('FORMAT_UNSUPPORTED', `${first.message}${more}`, { file, node: first.node }, features);
}
