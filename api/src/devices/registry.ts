/**
 * Protocol → driver factory. modbus, sunspec and mqtt are built in; the OPC UA driver (./opcua/,
 * helper-owned) registers itself with `registerDriverFactory('opcua', …)` from its module, which
 * the device service imports on demand (`api/src/devices/opcua/index.ts` exporting
 * `createOpcuaDriver: DriverFactory`).
 */
import type { DeviceConfig, DeviceModel, MqttModel } from './definition.js';
import type { DeviceDriver, DeviceSink, DriverDeps, DriverFactory } from './driver.js';
import { ModbusDriver } from './modbus/driver.js';
import { MqttDeviceDriver } from './mqtt/driver.js';
import { SunSpecDriver } from './sunspec/driver.js';

type Deps = DriverDeps;

const factories = new Map<DeviceConfig['protocol'], (c: DeviceConfig, m: DeviceModel, s: DeviceSink, d: Deps) => DeviceDriver>([
  ['modbus', (c, m, s, d) => new ModbusDriver(c as Extract<DeviceConfig, { protocol: 'modbus' }>, m, s, d)],
  ['sunspec', (c, m, s, d) => new SunSpecDriver(c as Extract<DeviceConfig, { protocol: 'sunspec' }>, m, s, d)],
  ['mqtt', (c, m, s, d) => new MqttDeviceDriver(c as Extract<DeviceConfig, { protocol: 'mqtt' }>, m as MqttModel, s, d)],
]);

export function registerDriverFactory(protocol: DeviceConfig['protocol'], factory: DriverFactory): void {
  factories.set(protocol, factory);
}

/** Loads the OPC UA driver module if it exists (optional; the service works without it). */
async function loadOpcua(): Promise<void> {
  if (factories.has('opcua')) return;
  const path = './opcua/index.js';
  try {
    const mod = (await import(path)) as { createOpcuaDriver?: DriverFactory };
    if (mod.createOpcuaDriver) factories.set('opcua', mod.createOpcuaDriver);
  } catch {
    /* not built: opcua devices report "no driver" */
  }
}

export class NoDriverError extends Error {}

export async function createDriver(config: DeviceConfig, model: DeviceModel, sink: DeviceSink, deps: Deps = {}): Promise<DeviceDriver> {
  if (config.protocol === 'opcua') await loadOpcua();
  const f = factories.get(config.protocol);
  if (!f) throw new NoDriverError(`no driver for protocol "${config.protocol}" in this build`);
  return f(config, model, sink, deps);
}
