import { Graph } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { CommandIO, printable } from '../output';

/** Read a model file for a command and print what the importer had to assume (graph.metadata.warnings) on stderr. */
export function loadModel(file: string, io: CommandIO): Graph {
  const graph = readModelFile(file);
  for (const w of graph.metadata.warnings ?? []) io.err(`warning: ${printable(w, 1000)}`);
  return graph;
}
