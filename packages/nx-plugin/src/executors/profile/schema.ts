export interface ProfileExecutorSchema {
  inputs?: number;
  input?: string;
  seed?: number;
  load?: 'serial' | 'direct';
}
