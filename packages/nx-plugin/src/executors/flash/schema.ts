export interface FlashExecutorSchema {
  port?: string;
  verify?: boolean;
  go?: boolean;
  method?: 'an3155' | 'samba' | 'msd' | 'uf2';
}
