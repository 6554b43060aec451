import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MongooseModule } from '@nestjs/mongoose';
import { DomainEventSchema, DOMAIN_EVENTS } from '../events/event-log.schema.js';
import { EventRegistry } from '../events/event-registry.js';
import { READ_CONNECTION, WRITE_CONNECTION } from './connections.js';
import { KeyedMutex } from './keyed-mutex.js';
import { UnitOfWork } from './unit-of-work.js';

export interface DatabaseUris {
  writeUri: string;
  writeDbName: string;
  readUri: string;
  readDbName: string;
}

/**
 * The two connections of ARCHITECTURE.md. Write: majority + journal, read concern majority. Read:
 * w:1, read concern local, secondaryPreferred (reads may come from secondaries on a real cluster).
 */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(db: DatabaseUris): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        CqrsModule,
        MongooseModule.forRoot(db.writeUri, {
          connectionName: WRITE_CONNECTION,
          dbName: db.writeDbName,
          writeConcern: { w: 'majority', journal: true },
          readConcern: { level: 'majority' },
          autoIndex: true,
        }),
        MongooseModule.forRoot(db.readUri, {
          connectionName: READ_CONNECTION,
          dbName: db.readDbName,
          // Not journaled: after an outage of this server the projection runtime resumes from the
          // durable checkpoint (docs/DECISIONS.md), so writes lost with it are replayed.
          writeConcern: { w: 1 },
          readConcern: { level: 'local' },
          readPreference: 'secondaryPreferred',
          // Mongoose refuses autoIndex with secondary reads; read-model indexes are created
          // explicitly (createIndexes always goes to the primary).
          autoIndex: false,
          autoCreate: false,
        }),
        MongooseModule.forFeature([{ name: DOMAIN_EVENTS, schema: DomainEventSchema }], WRITE_CONNECTION),
      ],
      providers: [UnitOfWork, EventRegistry, KeyedMutex],
      exports: [UnitOfWork, EventRegistry, KeyedMutex, MongooseModule, CqrsModule],
    };
  }
}
