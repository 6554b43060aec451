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
 * w:1 + journal, read concern local, secondaryPreferred (reads may come from secondaries on a real cluster).
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
          // Journaled: a read-model write the projection runtime has moved past must survive a
          // crash of the database (the runtime's change stream resumes from its in-memory token,
          // not from the durable checkpoint, so a lost unjournaled write would never be redone).
          writeConcern: { w: 1, journal: true },
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
