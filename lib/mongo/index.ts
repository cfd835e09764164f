export { mongoCapabilities, type MongoCapabilities } from './capabilities';
export {
  connectMongo,
  defaultMongoOptions,
  mongoConnectionOptions,
  mongoAnswers,
  ensureIndexes,
  type MongoOptions,
  type MongoConnection,
} from './connectMongo';
