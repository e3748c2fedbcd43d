export interface RunExecutorSchema {
  inputs?: number;
  input?: string;
  seed?: number;
  load?: 'serial' | 'direct';
  profile?: boolean;
}
