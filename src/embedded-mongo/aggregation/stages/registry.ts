/** Every pipeline stage by name, with its position constraints (alphabetical). */
import { parseBucket } from './bucket.js';
import { parseBucketAuto } from './bucket-auto.js';
import { parseCount } from './count.js';
import { parseDocuments } from './documents.js';
import { parseFacet } from './facet.js';
import { parseGraphLookup } from './graph-lookup.js';
import { parseGroup } from './group.js';
import { parseLimit, parseSkip } from './limit-skip.js';
import { parseLookup } from './lookup.js';
import { parseMatch } from './match.js';
import { parseMerge, parseOut } from './out.js';
import { parseAddFields, parseProject, parseUnset } from './project.js';
import { parseRedact } from './redact.js';
import { parseReplaceRoot, parseReplaceWith } from './replace-root.js';
import { parseSample } from './sample.js';
import { parseSortByCount } from './sort-by-count.js';
import { parseSortStage } from './sort.js';
import type { StageDefinition, SubPipelineKind } from './stage.js';
import { parseSystemStage, parseUnsupported } from './system.js';
import { parseUnionWith } from './union-with.js';
import { parseUnwind } from './unwind.js';

const WRITERS: readonly SubPipelineKind[] = ['$lookup', '$facet', '$unionWith'];
const SOURCES: readonly SubPipelineKind[] = ['$lookup', '$facet', '$unionWith'];

const system: StageDefinition = { parse: parseSystemStage, first: true, notWithin: SOURCES };
const unsupported: StageDefinition = { parse: parseUnsupported };

const STAGES: Record<string, StageDefinition> = {
  $addFields: { parse: parseAddFields },
  $bucket: { parse: parseBucket },
  $bucketAuto: { parse: parseBucketAuto },
  $changeStream: system,
  $changeStreamSplitLargeEvent: { parse: parseSystemStage, notWithin: SOURCES },
  $collStats: system,
  $count: { parse: parseCount },
  $currentOp: system,
  $densify: unsupported,
  $documents: { parse: parseDocuments, first: true, notWithin: ['$facet'] },
  $facet: { parse: parseFacet, notWithin: ['$facet'] },
  $fill: unsupported,
  $geoNear: unsupported,
  $graphLookup: { parse: parseGraphLookup },
  $group: { parse: parseGroup },
  $indexStats: system,
  $limit: { parse: parseLimit },
  $listCatalog: system,
  $listLocalSessions: system,
  $listSampledQueries: system,
  $listSearchIndexes: system,
  $listSessions: system,
  $lookup: { parse: parseLookup },
  $match: { parse: parseMatch },
  $merge: { parse: parseMerge, last: true, notWithin: WRITERS },
  $out: { parse: parseOut, last: true, notWithin: WRITERS },
  $planCacheStats: system,
  $project: { parse: parseProject },
  $querySettings: system,
  $redact: { parse: parseRedact },
  $replaceRoot: { parse: parseReplaceRoot },
  $replaceWith: { parse: parseReplaceWith },
  $sample: { parse: parseSample },
  $search: unsupported,
  $searchMeta: unsupported,
  $set: { parse: parseAddFields },
  $setWindowFields: unsupported,
  $shardedDataDistribution: system,
  $skip: { parse: parseSkip },
  $sort: { parse: parseSortStage },
  $sortByCount: { parse: parseSortByCount },
  $unionWith: { parse: parseUnionWith },
  $unset: { parse: parseUnset },
  $unwind: { parse: parseUnwind },
  $vectorSearch: unsupported,
};

export function lookupStage(name: string): StageDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(STAGES, name) ? STAGES[name] : undefined;
}

/** Names of all recognised stages, sorted. */
export const STAGE_NAMES: readonly string[] = Object.keys(STAGES).sort();
