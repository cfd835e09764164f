import { DateTimeScalar, JSONScalar } from '../../../../lib/graphql';
import { Component, QualityReport } from './Component';
import { Mutation } from './Mutation';
import { Query } from './Query';

/** All resolvers of the registry subgraph. */
export const resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Component,
  QualityReport,
  Query,
  Mutation,
};
