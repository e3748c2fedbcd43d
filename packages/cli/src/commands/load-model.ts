import { Graph } from '@tinyforge/ir';
import { readModel, readModelBytes } from '@tinyforge/model-format';
import { CommandIO, printable } from '../output';
import { isPipelineFile, readPipelineFile, StreamPipeline } from '../pipeline/stream-pipeline';

/**
 * Read a model file for a command (size and file kind checked before reading) and print what the importer had to
 * assume (graph.metadata.warnings) on stderr. The bytes come back too, for commands that hash or embed them. A
 * pipeline file (.json: a front end and a classifier, see stream-pipeline.ts) gives the composed graph and its
 * settings.
 */
export function loadModelAndBytes(file: string, io: CommandIO): { graph: Graph; bytes: Uint8Array; pipeline?: StreamPipeline } {
  const loaded = isPipelineFile(file) ? readPipelineFile(file) : readPlainModel(file);
  for (const w of loaded.graph.metadata.warnings ?? []) io.err(`warning: ${printable(w, 1000)}`);
  return loaded;
}

function readPlainModel(file: string): { graph: Graph; bytes: Uint8Array } {
  const bytes = readModelBytes(file);
  return { graph: readModel(bytes, { file }), bytes };
}

export function loadModel(file: string, io: CommandIO): Graph {
  return loadModelAndBytes(file, io).graph;
}
