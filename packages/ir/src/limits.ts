/**
 * The one set of size limits, checked before anything sized by a model is allocated or any stage's cost grows past
 * near-linear: the readers (file, tensors, nodes, edges), validation, the reference interpreter (activation bytes,
 * work per inference) and code generation. Each is far above what fits a microcontroller, and low enough that every
 * stage of a model within them stays within about a second of work and well under 1 GiB of memory.
 */
export const LIMITS = {
  /** Bytes of one model file. */
  maxFileBytes: 128 * 2 ** 20,
  /** Rank of one tensor. */
  maxRank: 8,
  /** Elements of one tensor. */
  maxTensorElements: 2 ** 26,
  /** Bytes of one tensor. */
  maxTensorBytes: 64 * 2 ** 20,
  /** Tensors in one graph. */
  maxTensors: 2 ** 19,
  /** Nodes (operators) in one graph. */
  maxNodes: 2 ** 18,
  /** Inputs of one node. */
  maxNodeInputs: 2 ** 16,
  /** Node inputs over the whole graph (edges). */
  maxEdges: 2 ** 21,
  /** Bytes of all activations together (the reference interpreter gives every tensor its own buffer). */
  maxActivationBytes: 256 * 2 ** 20,
  /** Multiply-accumulates plus output elements of one inference on the reference interpreter (about 2–5 s). */
  maxInterpreterWork: 5e8,
} as const;
