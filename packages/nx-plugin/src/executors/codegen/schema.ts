export interface CodegenExecutorSchema {
  prefix?: string;
  planner?: 'greedy' | 'optimal';
}
