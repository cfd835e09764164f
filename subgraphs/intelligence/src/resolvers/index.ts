import { DateTimeScalar, JSONScalar } from '../../../../lib/graphql';
import { Component } from './Component';
import { Mutation } from './Mutation';
import { Query } from './Query';

/** All resolvers of the intelligence subgraph. */
export const resolvers = { DateTime: DateTimeScalar, JSON: JSONScalar, Component, Query, Mutation };
