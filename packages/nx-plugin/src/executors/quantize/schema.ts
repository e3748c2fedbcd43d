export interface QuantizeExecutorSchema {
  samples?: number;
  method?: 'minmax' | 'percentile' | 'entropy' | 'mse';
}
