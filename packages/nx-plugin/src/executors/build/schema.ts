export interface BuildExecutorSchema {
  optimize?: 'O2' | 'Os' | 'O3';
  lto?: boolean;
  defines?: string[];
  image?: 'application' | 'bootloader';
}
