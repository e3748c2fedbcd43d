import { isFlashError } from '../../errors';
import { Transport } from '../../transport/transport';
import { systemClock } from '../../transport/clock';

/**
 * Which modem line drives NRST on the adapter; the other one drives BOOT0. The common wiring (and stm32flash's
 * `-i` sequences) use DTR for reset and RTS for BOOT0; `none` leaves both alone.
 */
export type ResetMode = 'dtr' | 'rts' | 'none';

function lines(mode: Exclude<ResetMode, 'none'>, reset: boolean, boot0: boolean): { dtr: boolean; rts: boolean } {
  return mode === 'dtr' ? { dtr: reset, rts: boot0 } : { dtr: boot0, rts: reset };
}

/**
 * Pulse reset with BOOT0 high so the chip starts its system bootloader. Returns false when the port has no modem
 * lines (pseudo-terminals, sockets): the caller goes on and the sync error's hint explains the manual way.
 */
export async function resetIntoBootloader(t: Transport, mode: ResetMode, pulseMs = 50, bootMs = 100): Promise<boolean> {
  if (mode === 'none') return false;
  try {
    await t.setSignals(lines(mode, true, true));
    await (t.clock ?? systemClock).sleep(pulseMs);
    await t.setSignals(lines(mode, false, true));
    await (t.clock ?? systemClock).sleep(bootMs);
    // BOOT0 is sampled at reset; drop it now so the next reset runs the application.
    await t.setSignals(lines(mode, false, false));
    return true;
  } catch (e) {
    if (isFlashError(e, 'FLASH_SIGNALS_UNAVAILABLE')) return false;
    throw e;
  }
}

/** Pulse reset with BOOT0 low: the chip runs the application. */
export async function resetIntoApplication(t: Transport, mode: ResetMode, pulseMs = 50): Promise<boolean> {
  if (mode === 'none') return false;
  try {
    await t.setSignals(lines(mode, true, false));
    await (t.clock ?? systemClock).sleep(pulseMs);
    await t.setSignals(lines(mode, false, false));
    return true;
  } catch (e) {
    if (isFlashError(e, 'FLASH_SIGNALS_UNAVAILABLE')) return false;
    throw e;
  }
}
