/** One problem validation found in a graph (validate.ts and validate-quant.ts report them). */
export interface Diagnostic {
  code: string;
  message: string;
  node?: string;
  tensor?: string;
}
