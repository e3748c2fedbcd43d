// Fuzzing support: seeded structure-aware mutations of model files (the fuzz specs and `npm run fuzz`).
export { mutateBytes } from '../tflite/fuzz-mutations';
export type { Mutant, MutationKind } from '../tflite/fuzz-mutations';
