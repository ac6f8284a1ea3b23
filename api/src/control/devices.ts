/**
 * The device side of the agents (adapter): write a setpoint (always with a revert timeout) and see
 * whether a device can take one. Backed by the device layer (DeviceService) and, for devices the
 * owner runs itself (the demo site at speeds other than 1), by their drivers directly.
 */
import type { DeviceDriver } from '../devices/driver.js';
import type { DeviceService } from '../devices/service.js';
import type { DeviceView } from './tick.js';

export interface ControlDevices {
  /** writes value (in the setpoint's unit) with the revert timeout; throws DeviceWriteError with a reason */
  write(siteId: string, deviceId: string, setpoint: string, value: number, revertTimeoutS: number): Promise<unknown>;
  view(siteId: string, deviceId: string): DeviceView | undefined;
}

function viewOf(d: DeviceDriver): DeviceView {
  const state = d.health().state;
  return {
    writable: state === 'online' || state === 'degraded',
    state,
    setpoints: d.model.setpoints.map((s) => ({ name: s.name, unit: s.unit, min: s.min, max: s.max })),
  };
}

/** Devices of the device layer, with extra drivers (looked up first) that are not attached to it. */
export function controlDevices(
  service: Pick<DeviceService, 'driver'> | undefined,
  extra: () => readonly DeviceDriver[] = () => [],
): ControlDevices {
  const find = (siteId: string, deviceId: string) =>
    extra().find((d) => d.config.siteId === siteId && d.config.id === deviceId) ?? service?.driver(siteId, deviceId);
  return {
    async write(siteId, deviceId, setpoint, value, revertTimeoutS) {
      const d = find(siteId, deviceId);
      if (!d) throw new Error(`device ${siteId}/${deviceId} is not running`);
      return d.write(setpoint, value, { revertTimeoutS });
    },
    view(siteId, deviceId) {
      const d = find(siteId, deviceId);
      return d ? viewOf(d) : undefined;
    },
  };
}
