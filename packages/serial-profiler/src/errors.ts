import { TinyforgeError } from '@tinyforge/common';

/** Stable codes of everything the profiler reports as bad input or a failed session. */
export type ProfilerErrorCode =
  | 'PROFILE_TIMEOUT'
  | 'PROFILE_PORT'
  | 'PROFILE_PORT_CLOSED'
  | 'PROFILE_BAD_RECORD'
  | 'PROFILE_BAD_REPORT'
  | 'PROFILE_BAD_TABLE'
  | 'PROFILE_NO_RUNS'
  | 'PROFILE_BAD_OPTION'
  | 'PROFILE_MLPERF_REPLY';

export class ProfilerError extends TinyforgeError {
  override readonly name: string = 'ProfilerError';
  constructor(
    override readonly code: ProfilerErrorCode,
    message: string,
    location: { file?: string; offset?: number } = {},
  ) {
    super(code, message, location);
  }
}
