import { DateTimeScalar } from '../../../../lib/graphql';
import { Component } from './Component';
import { Mutation } from './Mutation';
import { Query } from './Query';

/** All resolvers of the registry subgraph. */
export const resolvers = { DateTime: DateTimeScalar, Component, Query, Mutation };
