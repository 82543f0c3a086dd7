import { readFileSync } from 'node:fs';
import { repoPath } from '../repo-root.ts';

/**
 * The AppSync API's files, in one place: the stack uploads them unchanged and the local stage executes
 * them. Every resolver is a unit resolver on the state table's DynamoDB data source.
 */
export const FANOUT_TEMPLATES_DIR = repoPath('templates/fanout/');
export const FANOUT_SCHEMA_FILE = `${FANOUT_TEMPLATES_DIR}schema.graphql`;

export interface ResolverSpec {
  typeName: 'Mutation' | 'Query';
  fieldName: string;
  requestTemplateFile: string;
  responseTemplateFile: string;
}

function resolver(typeName: ResolverSpec['typeName'], fieldName: string): ResolverSpec {
  return {
    typeName,
    fieldName,
    requestTemplateFile: `${FANOUT_TEMPLATES_DIR}${typeName}.${fieldName}.request.vtl`,
    responseTemplateFile: `${FANOUT_TEMPLATES_DIR}${typeName}.${fieldName}.response.vtl`,
  };
}

export const FANOUT_RESOLVERS: readonly ResolverSpec[] = [resolver('Mutation', 'putState'), resolver('Query', 'getState')];

export function readFanoutSchema(): string {
  return readFileSync(FANOUT_SCHEMA_FILE, 'utf8');
}

/** The GraphQL documents the runner and the tests send. */
export const PUT_STATE_MUTATION = `mutation PutState($id: ID!, $version: Int!, $payload: AWSJSON) {
  putState(id: $id, version: $version, payload: $payload) { id version writtenAt }
}`;
export const GET_STATE_QUERY = `query GetState($id: ID!) {
  getState(id: $id) { id version payload writtenAt }
}`;
