import { DateTimeScalar } from '../../../../lib/graphql';
import { Component } from './Component';
import { Query } from './Query';

/** All resolvers of the intelligence subgraph. */
export const resolvers = { DateTime: DateTimeScalar, Component, Query };
