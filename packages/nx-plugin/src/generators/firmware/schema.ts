export interface FirmwareGeneratorSchema {
  name: string;
  board?: string;
  model: string;
  calib?: string;
  calibSamples?: number;
  directory?: string;
  tags?: string;
}
