import { DateTimeScalar } from '../../../../lib/graphql';
import { JSONScalar } from './JSONScalar';
import { Component } from './Component';
import { Mutation } from './Mutation';
import { Query } from './Query';

/** All resolvers of the intelligence subgraph. */
export const resolvers = { DateTime: DateTimeScalar, JSON: JSONScalar, Component, Query, Mutation };
