/** OPC UA driver entry: ../registry.ts imports this module on demand and uses `createOpcuaDriver`. */
import type { OpcuaModel } from '../definition.js';
import type { DriverFactory } from '../driver.js';
import { OpcuaDriver } from './driver.js';

export { OpcuaDriver, browseChildren, type BrowsedNode } from './driver.js';

export const createOpcuaDriver: DriverFactory = (config, model, sink, deps) => {
  if (config.protocol !== 'opcua' || model.protocol !== 'opcua')
    throw new Error(`OPC UA driver given a ${config.protocol} device / ${model.protocol} model`);
  return new OpcuaDriver(config, model as OpcuaModel, sink, deps);
};
