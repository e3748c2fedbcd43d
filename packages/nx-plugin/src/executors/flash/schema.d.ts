export interface FlashExecutorSchema {
  port?: string;
  verify?: boolean;
  go?: boolean;
}
