export {
  connectMongo,
  defaultMongoOptions,
  mongoConnectionOptions,
  mongoAnswers,
  ensureIndexes,
  type MongoOptions,
  type MongoConnection,
} from './connectMongo';
