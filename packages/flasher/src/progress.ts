export type FlashPhase = 'reset' | 'connect' | 'erase' | 'write' | 'verify' | 'start' | 'copy' | 'wait';

export interface FlashProgress {
  phase: FlashPhase;
  /** Bytes (write/verify/copy) or units (erase sectors) done so far, out of `total`. */
  done: number;
  total: number;
  message?: string;
}

export type ProgressCallback = (p: FlashProgress) => void;
