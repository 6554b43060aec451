/**
 * Gathers the facts runOnRequirements are checked against, through the internal client, the way
 * the unified format prescribes: version from buildInfo.versionArray, topology from the driver's
 * own topology type (so a server the driver sees as "Single" is not mistaken for a replica set),
 * server parameters from getParameter '*' (errors tolerated).
 */
import type { Document, MongoClient, TopologyDescriptionChangedEvent } from 'mongodb';

import type { ServerFacts, Topology, Version } from './requirements.js';
import { isRecord, numericValue } from './values.js';

const TOPOLOGY_BY_DRIVER_TYPE: Readonly<Record<string, Topology>> = {
  Single: 'single',
  ReplicaSetWithPrimary: 'replicaset',
  ReplicaSetNoPrimary: 'replicaset',
  Sharded: 'sharded',
  LoadBalanced: 'load-balanced',
};

/** Starts recording the driver's topology type; call before `client.connect()`. */
export function watchTopologyType(client: MongoClient): () => string | undefined {
  let latest: string | undefined;
  client.on('topologyDescriptionChanged', (event: TopologyDescriptionChangedEvent) => {
    latest = event.newDescription.type;
  });
  return () => latest;
}

function versionFrom(buildInfo: Document): Version {
  const array: unknown = buildInfo['versionArray'];
  if (Array.isArray(array) && array.length >= 3) {
    const parts = array.slice(0, 3).map((v) => Number(numericValue(v) ?? Number.NaN));
    if (parts.every((n) => Number.isInteger(n))) return [parts[0]!, parts[1]!, parts[2]!];
  }
  const text = buildInfo['version'];
  if (typeof text === 'string') {
    const [a, b, c] = text.split(/[.-]/).map((p) => Number.parseInt(p, 10));
    if ([a, b, c].every((n) => n !== undefined && Number.isInteger(n))) return [a!, b!, c!];
  }
  throw new Error(`buildInfo has neither versionArray nor a parsable version: ${JSON.stringify(buildInfo)}`);
}

export async function probeServer(
  client: MongoClient,
  topologyType: () => string | undefined,
  uri: string,
): Promise<ServerFacts & { driverTopologyType: string }> {
  const admin = client.db('admin');
  const buildInfo = await admin.command({ buildInfo: 1 });
  const driverTopologyType = topologyType() ?? 'Unknown';
  const topology = TOPOLOGY_BY_DRIVER_TYPE[driverTopologyType];
  if (topology === undefined) {
    throw new Error(`the driver did not discover the topology (type ${driverTopologyType})`);
  }
  let serverParameters: Document | undefined;
  try {
    serverParameters = await admin.command({ getParameter: '*' });
  } catch {
    serverParameters = undefined;
  }
  const mechanisms = serverParameters?.['authenticationMechanisms'];
  return {
    version: versionFrom(buildInfo),
    topology,
    driverTopologyType,
    auth: /^mongodb(\+srv)?:\/\/[^/?#]*@/.test(uri),
    serverless: false,
    csfle: false,
    serverParameters: isRecord(serverParameters) ? serverParameters : undefined,
    authMechanisms: Array.isArray(mechanisms) ? mechanisms.map(String) : undefined,
  };
}
