export interface FirmwareGeneratorSchema {
  name: string;
  board?: string;
  /** A folder of your own board definitions (<name>/board.json), inside the workspace. */
  boardsDir?: string;
  model: string;
  calib?: string;
  calibSamples?: number;
  directory?: string;
  tags?: string;
}
