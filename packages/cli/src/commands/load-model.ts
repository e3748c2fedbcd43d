import { Graph } from '@tinyforge/ir';
import { readModel, readModelBytes } from '@tinyforge/model-format';
import { CommandIO, printable } from '../output';

/**
 * Read a model file for a command (size and file kind checked before reading) and print what the importer had to
 * assume (graph.metadata.warnings) on stderr. The bytes come back too, for commands that hash or embed them.
 */
export function loadModelAndBytes(file: string, io: CommandIO): { graph: Graph; bytes: Uint8Array } {
  const bytes = readModelBytes(file);
  const graph = readModel(bytes, { file });
  for (const w of graph.metadata.warnings ?? []) io.err(`warning: ${printable(w, 1000)}`);
  return { graph, bytes };
}

export function loadModel(file: string, io: CommandIO): Graph {
  return loadModelAndBytes(file, io).graph;
}
