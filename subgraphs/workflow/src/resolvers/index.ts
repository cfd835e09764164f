import { DateTimeScalar, JSONScalar } from '../../../../lib/graphql';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Subscription } from './Subscription';
import { typeResolvers } from './types';

/** All resolvers of the workflow subgraph. */
export const resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  ...typeResolvers,
  Query,
  Mutation,
  Subscription,
};
