export { mongoCapabilities, type MongoCapabilities } from './capabilities';
export { withDeadline } from './withDeadline';
export {
  connectMongo,
  defaultMongoOptions,
  mongoConnectionOptions,
  mongoAnswers,
  ensureIndexes,
  type MongoOptions,
  type MongoConnection,
} from './connectMongo';
