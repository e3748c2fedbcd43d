/** One problem validation found in a graph, with the node or tensor it concerns. */
export interface Diagnostic {
  code: string;
  message: string;
  node?: string;
  tensor?: string;
}
