import { Graph, TensorLayout } from '@tinyforge/ir';

/**
 * TFLite has no field for a tensor's layout, so the declared layouts of a graph's 4-D inputs and outputs (an
 * imported ONNX model's NCHW input, say) travel in one string metadata entry, `tinyforge.io_layouts`:
 * {"inputs": ["NCHW"], "outputs": [null]}, by position. Files without it are NHWC, TFLite's own.
 */
export const IO_LAYOUTS_KEY = 'tinyforge.io_layouts';

/** The metadata value for a graph's declared layouts, or undefined when none is declared. */
export function ioLayoutsEntry(graph: Graph): string | undefined {
  const of = (list: number[]): (TensorLayout | null)[] => list.map((t) => graph.tensors[t].layout ?? null);
  const entry = { inputs: of(graph.inputs), outputs: of(graph.outputs) };
  return [...entry.inputs, ...entry.outputs].some((l) => l !== null) ? JSON.stringify(entry) : undefined;
}

/** Apply a read file's `tinyforge.io_layouts` entry (untrusted: anything but a 4-D tensor's NCHW/NHWC is ignored). */
export function applyIoLayouts(graph: Graph): void {
  const text = graph.metadata.props[IO_LAYOUTS_KEY];
  if (text === undefined) return;
  delete graph.metadata.props[IO_LAYOUTS_KEY];
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return;
  }
  const apply = (list: number[], layouts: unknown): void => {
    if (!Array.isArray(layouts)) return;
    list.forEach((t, i) => {
      const l = layouts[i];
      if ((l === 'NCHW' || l === 'NHWC') && graph.tensors[t].shape.length === 4) graph.tensors[t].layout = l;
    });
  };
  const e = entry as { inputs?: unknown; outputs?: unknown } | null;
  apply(graph.inputs, e?.inputs);
  apply(graph.outputs, e?.outputs);
}
