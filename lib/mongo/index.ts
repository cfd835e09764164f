export {
  connectMongo,
  ensureIndexes,
  type MongoOptions,
  type MongoConnection,
} from './connectMongo';
