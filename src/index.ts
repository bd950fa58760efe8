export type { IssueCode, MappingIssue, MappingResult } from './mapping/index.js';
